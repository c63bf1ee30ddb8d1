from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from casefile.cases.corrections import (
    check_capture_file_attach,
    may_change_shown_record,
    sharing_change_reason,
)
from casefile.core.admin import URL_FIELDS_ASSUME_HTTPS, NameCheckedForm, ShownRecordAdminMixin
from casefile.sources.models import CaptureFile, Source, SourceCapture
from casefile.sources.services import attach_capture_file
from casefile.sources.uploads import body_too_large


class SourceAdminForm(NameCheckedForm):
    """A source; making its kept files public is a reviewer's step (cases.corrections)."""

    editor = None  # the signed-in user, set by SourceAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        sharing = cleaned.get("sharing")
        if "sharing" in self.changed_data and sharing and self.editor is not None:
            stored = Source.objects.get(pk=self.instance.pk) if self.instance.pk else Source()
            reason = sharing_change_reason(stored, sharing)
            if reason and not self.editor.has_perm("cases.publish_case"):
                self.add_error("sharing", f"Only a reviewer can make this change: {reason}.")
        return cleaned


class SourceCaptureInline(admin.StackedInline):
    model = SourceCapture
    extra = 1
    fields = ["label", "captured_at", "url", "archive_url", "sha256", "kept_files", "notes"]
    readonly_fields = ["kept_files"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def has_change_permission(self, request, obj=None):
        # obj is the source: its captures are as editable as it is (a capture's own page
        # decides capture by capture).
        allowed = super().has_change_permission(request, obj)
        return allowed and may_change_shown_record(request.user, obj)

    @admin.display(description="Kept files")
    def kept_files(self, capture):
        if not capture.pk:
            return "—"
        count = capture.files.count()
        return format_html(
            '{} kept · <a href="{}">the capture’s page</a>',
            count,
            reverse("admin:sources_sourcecapture_change", args=[capture.pk]),
        )


@admin.register(Source)
class SourceAdmin(ShownRecordAdminMixin, admin.ModelAdmin):
    form = SourceAdminForm
    list_display = [
        "display_title", "outlet", "kind", "published", "relation", "reliability", "sharing",
    ]  # fmt: skip
    list_filter = ["kind", "relation", "reliability", "sharing", "language"]
    search_fields = ["title", "outlet", "url"]
    inlines = [SourceCaptureInline]
    fieldsets = [
        (None, {"fields": ["kind", "title", "outlet", "authors", "language", "url"]}),
        ("Date published", {"fields": ["published_on"]}),
        ("Assessment", {"fields": ["relation", "reliability", "notes"]}),
        ("Kept files", {"fields": ["sharing"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.editor = request.user
        return form


def kept_file_links(kept) -> str:
    """The editors' download (and viewer, for a saved page) of a kept file."""
    download = reverse("editorial:kept-file", args=[kept.pk])
    if kept.is_html:
        return format_html(
            '<a href="{}">download</a> · <a href="{}">view</a>',
            download,
            reverse("editorial:kept-file-view", args=[kept.pk]),
        )
    return format_html('<a href="{}">download</a>', download)


class AttachFileForm(forms.Form):
    file = forms.FileField(
        help_text="A PDF, an HTML page (saved as one file, e.g. with SingleFile), a WARC or WACZ "
        "web archive, a PNG or JPEG screenshot, or plain text. The kind is told from the "
        "content, not the name."
    )
    sha256 = forms.CharField(
        label="SHA-256 (optional)",
        required=False,
        max_length=80,
        help_text="The digest your capture tool recorded, if any: a file with another digest "
        "is refused. Casefile computes the digest itself either way.",
    )


@admin.register(SourceCapture)
class SourceCaptureAdmin(ShownRecordAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "label", "captured_at", "archive_url", "kept_file_count"]
    list_filter = ["source__kind", "captured_at"]
    list_select_related = ["source"]
    search_fields = ["source__title", "source__outlet", "label", "url", "archive_url"]
    autocomplete_fields = ["source"]
    readonly_fields = ["kept_files"]
    change_form_template = "admin/sources/sourcecapture/change_form.html"

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "kept_files"]
        return [*fields, "kept_files"] if obj is not None else fields

    @admin.display(description="Kept files")
    def kept_files(self, capture):
        """The capture's kept files, read-only: attached on the "Attach a file" page,
        never changed or deleted."""
        files = capture.files.select_related("attached_by").defer("text", "match_text")
        rows = [
            format_html(
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td>"
                "<td>{}</td><td>{}</td></tr>",
                kept.get_media_type_display(),
                f"{kept.size:,} bytes",
                kept.sha256,
                f"{kept.attached_at:%Y-%m-%d %H:%M} UTC"
                + (f" by {kept.attached_by}" if kept.attached_by_id else ""),
                kept.get_text_status_display()
                + (f": {kept.text_error}" if kept.text_error else ""),
                kept.get_integrity_display().split(":")[0],
                kept_file_links(kept),
            )
            for kept in files
        ]
        if not rows:
            return "None yet."
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            "Kind", "Size", "SHA-256", "Attached", "Text", "Last check", "File",
        )  # fmt: skip
        return format_html(
            '<table class="kept-files"><thead>{}</thead><tbody>{}</tbody></table>',
            head,
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    @admin.display(description="kept files")
    def kept_file_count(self, capture):
        return capture.files.count()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        capture = self.get_object(request, object_id)
        attach_url = None
        if capture is not None and _may_attach(request.user, capture):
            attach_url = reverse("admin:sources_sourcecapture_attach", args=[capture.pk])
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "attach_url": attach_url}
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/attach/",
                self.admin_site.admin_view(self.attach_view),
                name="sources_sourcecapture_attach",
            ),
            *super().get_urls(),
        ]

    @method_decorator(csrf_exempt)  # the size is checked before the body is read; then CSRF
    def attach_view(self, request, object_id):
        capture = get_object_or_404(SourceCapture.objects.select_related("source"), pk=object_id)
        if not request.user.has_perm("sources.add_capturefile"):
            raise PermissionDenied
        if request.method == "POST" and body_too_large(request):
            return self._attach_page(request, capture, AttachFileForm(), status=413, error=(
                f"The file is larger than the most a capture keeps "
                f"({_limit():,} bytes, CAPTURE_FILE_MAX_BYTES)."
            ))  # fmt: skip
        return csrf_protect(self._attach)(request, capture)

    def _attach(self, request, capture):
        refusal = None
        try:
            check_capture_file_attach(by=request.user, capture=capture)
        except PermissionDenied as error:
            refusal = str(error)
        if request.method == "POST" and refusal is None:
            form = AttachFileForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    kept = attach_capture_file(
                        capture=capture,
                        file=upload,
                        filename=upload.name,
                        by=request.user,
                        declared_sha256=form.cleaned_data["sha256"],
                    )
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                except PermissionDenied as error:
                    refusal = str(error)
                else:
                    self.message_user(
                        request,
                        f"Kept {kept.get_media_type_display()} ({kept.size:,} bytes, SHA-256 "
                        f"{kept.sha256}). Text: {kept.get_text_status_display().lower()}"
                        + (f" — {kept.text_error}" if kept.text_error else "."),
                        messages.SUCCESS,
                    )
                    return redirect("admin:sources_sourcecapture_change", capture.pk)
        else:
            form = AttachFileForm()
        return self._attach_page(
            request, capture, form, error=refusal, status=403 if refusal else 200
        )

    def _attach_page(self, request, capture, form, *, status=200, error=None):
        context = {
            **self.admin_site.each_context(request),
            "title": f"Attach a file to {capture}",
            "capture": capture,
            "form": form,
            "refusal": error,
            "opts": self.model._meta,
            "limit": _limit(),
        }
        return TemplateResponse(
            request, "admin/sources/sourcecapture/attach.html", context, status=status
        )


def _limit() -> int:
    return settings.CAPTURE_FILE_MAX_BYTES


def _may_attach(user, capture) -> bool:
    try:
        check_capture_file_attach(by=user, capture=capture)
    except PermissionDenied:
        return False
    return True


@admin.register(CaptureFile)
class CaptureFileAdmin(admin.ModelAdmin):
    """Every kept file, to find one by its digest or its state; read-only for everybody."""

    list_display = [
        "sha256",
        "media_type",
        "size",
        "capture",
        "attached_at",
        "text_status",
        "integrity",
    ]
    list_filter = ["media_type", "text_status", "integrity"]
    list_select_related = ["capture__source"]
    search_fields = ["sha256", "original_name", "capture__source__title"]
    fields = [
        "capture",
        "sha256",
        "size",
        "media_type",
        "original_name",
        "attached_by",
        "attached_at",
        "integrity",
        "checked_at",
        "text_status",
        "text_error",
        "extractor",
        "extracted_at",
        "links",
        "text_start",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("match_text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def links(self, kept):
        return kept_file_links(kept)

    @admin.display(description="extracted text (start)")
    def text_start(self, kept):
        text = kept.text[:3000]
        return text + ("…" if len(kept.text) > 3000 else "") if text else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not request.user.has_perm("sources.view_capturefile"):
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)
