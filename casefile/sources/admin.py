from django.contrib import admin

from casefile.sources.models import Source, SourceCapture


class SourceCaptureInline(admin.StackedInline):
    model = SourceCapture
    extra = 1
    fields = ["label", "captured_at", "url", "archive_url", "sha256", "notes"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "kind", "published", "relation", "reliability"]
    list_filter = ["kind", "relation", "reliability", "language"]
    search_fields = ["title", "outlet", "url"]
    inlines = [SourceCaptureInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "outlet", "authors", "language", "url"]}),
        ("Date published", {"fields": [("published_on", "published_on_precision")]}),
        ("Assessment", {"fields": ["relation", "reliability", "notes"]}),
    ]


@admin.register(SourceCapture)
class SourceCaptureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "label", "captured_at", "archive_url"]
    list_filter = ["source__kind", "captured_at"]
    list_select_related = ["source"]
    search_fields = ["source__title", "source__outlet", "label", "url", "archive_url"]
    autocomplete_fields = ["source"]
