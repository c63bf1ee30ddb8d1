from django.urls import path

from casefile.sources import views

urlpatterns = [
    path("sources/<record_id:pk>/", views.source_detail, name="source-detail"),
]
