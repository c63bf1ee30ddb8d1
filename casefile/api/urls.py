from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from casefile.api import editor_views, views
from casefile.stats.api import StatsView

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("persons", views.PersonViewSet, basename="person")
router.register("authorities", views.AuthorityViewSet, basename="authority")
router.register("sources", views.SourceViewSet, basename="source")
router.register("editor/cases", editor_views.EditorCaseViewSet, basename="editor-case")

app_name = "api"

urlpatterns = [
    re_path(
        r"^(?P<version>v1)/",
        include(
            [
                path("", views.ApiRootView.as_view(), name="root"),
                path("info/", views.InfoView.as_view(), name="info"),
                path("stats/", StatsView.as_view(), name="stats"),
                path(
                    "exports/cases.ndjson", views.NdjsonExportView.as_view(), name="export-ndjson"
                ),
                path("exports/cases.csv", views.CsvExportView.as_view(), name="export-csv"),
                path(
                    "exports/persons.csv",
                    views.PersonsCsvExportView.as_view(),
                    name="export-persons-csv",
                ),
                path(
                    "exports/sources.csv",
                    views.SourcesCsvExportView.as_view(),
                    name="export-sources-csv",
                ),
                path(
                    "exports/citations.csv",
                    views.CitationsCsvExportView.as_view(),
                    name="export-citations-csv",
                ),
                path(
                    "exports/datapackage.json",
                    views.DataPackageView.as_view(),
                    name="datapackage",
                ),
                path("schema/", SpectacularAPIView.as_view(), name="schema"),
                path(
                    "editor/captures/<record_id:pk>/files/",
                    editor_views.EditorCaptureFilesView.as_view(),
                    name="editor-capture-files",
                ),
                path(
                    "editor/captures/<record_id:pk>/files/<sha256:digest>/",
                    editor_views.EditorCaptureFileView.as_view(),
                    name="editor-capture-file",
                ),
                *router.urls,
            ]
        ),
    ),
    # Any other path under api/, line breaks included (a bare "." stops at one): the
    # API's 404, never Django's HTML one.
    re_path(r"^[\s\S]*$", views.unknown_endpoint),
]
