from django.urls import path

from casefile.authorities import views

urlpatterns = [
    path("authorities/<record_id:pk>/", views.authority_detail, name="authority-detail"),
]
