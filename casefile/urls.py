from django.contrib import admin
from django.urls import include, path, reverse_lazy
from drf_spectacular.views import SpectacularSwaggerSplitView

from casefile.core import views as core_views

# An unreachable database is a 503 with Retry-After, on pages and in the API alike.
handler500 = "casefile.core.views.server_error"

admin.site.site_header = "Casefile editors"
admin.site.site_title = "Casefile editors"
admin.site.index_title = "Cases, people and sources"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("about/", core_views.about, name="about"),
    path("robots.txt", core_views.robots, name="robots"),
    path("sitemap.xml", core_views.sitemap_index, name="sitemap"),
    path(
        "sitemap-<slug:section>-<int:page>.xml", core_views.sitemap_section, name="sitemap-section"
    ),
    path("", include("casefile.cases.urls")),
    path("", include("casefile.stats.urls")),
    path("", include("casefile.people.urls")),
    path("", include("casefile.authorities.urls")),
    path("", include("casefile.sources.urls")),
    path("", include("casefile.editorial.public_urls")),
    path("editorial/", include("casefile.editorial.urls")),
    path("admin/", admin.site.urls),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url=reverse_lazy("api:schema", kwargs={"version": "v1"})
        ),
        name="api-docs",
    ),
    path("api/", include("casefile.api.urls")),
    path("", include("casefile.api.reconcile_urls")),
]
