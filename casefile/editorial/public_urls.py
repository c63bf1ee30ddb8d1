from django.urls import path

from casefile.editorial import views

urlpatterns = [
    path("cases/<str:public_id>/changes/", views.case_changes, name="case-changes"),
]
