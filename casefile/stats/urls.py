from django.urls import path

from casefile.stats import views

urlpatterns = [
    path("stats/", views.stats_page, name="stats"),
    path("stats/<slug:chart>.csv", views.stats_csv, name="stats-csv"),
]
