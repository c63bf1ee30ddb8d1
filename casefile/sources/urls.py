from django.urls import path

from casefile.sources import views

# Pages, in every language (under /zh-hans/ too: casefile/urls.py).
urlpatterns = [
    path("sources/<record_id:pk>/", views.source_detail, name="source-detail"),
    path("captures/<record_id:pk>/", views.capture_detail, name="capture-detail"),
    path(
        "captures/<record_id:pk>/files/<sha256:digest>/view/",
        views.capture_file_view,
        name="capture-file-view",
    ),
]

# The kept files themselves: one address each, whatever the page's language.
download_patterns = [
    path("captures/<record_id:pk>/files/<sha256:digest>/", views.capture_file, name="capture-file"),
    path(
        "captures/<record_id:pk>/files/<sha256:digest>/view/frame",
        views.capture_file_frame,
        name="capture-file-frame",
    ),
]
