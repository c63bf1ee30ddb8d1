"""/reconcile: OpenRefine's reconciliation service (casefile/api/reconcile_views.py)."""

from django.urls import path

from casefile.api import reconcile_views as views

app_name = "reconcile"

urlpatterns = [
    path("reconcile", views.ServiceView.as_view(), name="service"),
    path("reconcile/suggest/entity", views.SuggestEntityView.as_view(), name="suggest-entity"),
    path(
        "reconcile/suggest/property", views.SuggestPropertyView.as_view(), name="suggest-property"
    ),
    path("reconcile/suggest/type", views.SuggestTypeView.as_view(), name="suggest-type"),
    path("reconcile/preview", views.preview, name="preview"),
    path("reconcile/view/<str:entity_id>", views.view, name="view"),
]
