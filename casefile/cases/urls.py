from django.urls import path

from casefile.cases import views

# Pages, in every language (under /zh-hans/ too: casefile/urls.py).
urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/feed.atom", views.case_feed, name="case-feed"),
    path("cases/<public_id:public_id>/", views.case_detail, name="case-detail"),
]

# Downloads: one address each, whatever the page's language (their content is data).
download_patterns = [
    path("cases/export.csv", views.case_csv, name="case-csv"),
    path("cases/<public_id:public_id>/cite.<str:fmt>", views.case_cite, name="case-cite"),
]
