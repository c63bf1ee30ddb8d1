from django.contrib import admin

from casefile.cases.corrections import may_change_shown_record
from casefile.core.admin import URL_FIELDS_ASSUME_HTTPS, ShownRecordAdminMixin
from casefile.sources.models import Source, SourceCapture


class SourceCaptureInline(admin.StackedInline):
    model = SourceCapture
    extra = 1
    fields = ["label", "captured_at", "url", "archive_url", "sha256", "notes"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def has_change_permission(self, request, obj=None):
        # obj is the source: its captures are as editable as it is (a capture's own page
        # decides capture by capture).
        allowed = super().has_change_permission(request, obj)
        return allowed and may_change_shown_record(request.user, obj)


@admin.register(Source)
class SourceAdmin(ShownRecordAdminMixin, admin.ModelAdmin):
    list_display = ["display_title", "outlet", "kind", "published", "relation", "reliability"]
    list_filter = ["kind", "relation", "reliability", "language"]
    search_fields = ["title", "outlet", "url"]
    inlines = [SourceCaptureInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "outlet", "authors", "language", "url"]}),
        ("Date published", {"fields": ["published_on"]}),
        ("Assessment", {"fields": ["relation", "reliability", "notes"]}),
    ]


@admin.register(SourceCapture)
class SourceCaptureAdmin(ShownRecordAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "label", "captured_at", "archive_url"]
    list_filter = ["source__kind", "captured_at"]
    list_select_related = ["source"]
    search_fields = ["source__title", "source__outlet", "label", "url", "archive_url"]
    autocomplete_fields = ["source"]
