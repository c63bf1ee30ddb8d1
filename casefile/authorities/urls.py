from django.urls import path

from casefile.authorities import views

urlpatterns = [
    path("authorities/<int:pk>/", views.authority_detail, name="authority-detail"),
]
