from django.urls import path

from casefile.sources import views

urlpatterns = [
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
]
