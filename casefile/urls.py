from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, reverse_lazy
from drf_spectacular.views import SpectacularSwaggerSplitView

from casefile.cases.urls import download_patterns as case_downloads
from casefile.core import views as core_views
from casefile.sources.urls import download_patterns as capture_downloads

# An unreachable database is a 503 with Retry-After, on pages and in the API alike.
handler500 = "casefile.core.views.server_error"

admin.site.site_header = "Casefile editors"
admin.site.site_title = "Casefile editors"
admin.site.index_title = "Cases, people and sources"

# The pages, in English at their plain address (the one citations, feeds and the sitemap
# name) and in Chinese under /zh-hans/ (a Chinese page can be linked and cited too).
urlpatterns = i18n_patterns(
    path("", core_views.home, name="home"),
    path("about/", core_views.about, name="about"),
    path("", include("casefile.cases.urls")),
    path("", include("casefile.stats.urls")),
    path("", include("casefile.people.urls")),
    path("", include("casefile.authorities.urls")),
    path("", include("casefile.sources.urls")),
    path("", include("casefile.editorial.public_urls")),
    path("editorial/", include("casefile.editorial.urls")),
    prefix_default_language=False,
)

# One address in any language: downloads, machine-readable documents, the admin (Django
# translates it by the browser's language) and the API (its labels follow
# Accept-Language: casefile.core.languages).
urlpatterns += [
    *case_downloads,
    *capture_downloads,
    path("robots.txt", core_views.robots, name="robots"),
    path("sitemap.xml", core_views.sitemap_index, name="sitemap"),
    path(
        "sitemap-<slug:section>-<int:page>.xml", core_views.sitemap_section, name="sitemap-section"
    ),
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
