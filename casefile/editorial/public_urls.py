from django.urls import path

from casefile.editorial import views

urlpatterns = [
    path("cases/<public_id:public_id>/changes/", views.case_changes, name="case-changes"),
]
