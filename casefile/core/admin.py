"""What the admin pages of sources, captures and authorities share."""

from django.contrib import messages
from django.db import models

from casefile.cases.corrections import may_change_shown_record

# Addresses typed without a scheme are https (Django 6's default; 5.2 warns without it).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class ShownRecordAdminMixin:
    """A source, capture or authority that a published case shows is changed by reviewers
    only (casefile.cases.corrections): editors get it read-only, with the reason."""

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and may_change_shown_record(request.user, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if (
            request.method == "GET"
            and obj is not None
            and super().has_change_permission(request, obj)
            and not may_change_shown_record(request.user, obj)
        ):
            messages.info(
                request,
                f"A published case shows this {obj._meta.verbose_name}: only a reviewer can "
                "change it, as a correction of that case.",
            )
        return super().change_view(request, object_id, form_url, extra_context)
