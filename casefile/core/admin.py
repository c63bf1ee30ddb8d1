"""What the admin pages of people, sources, captures and authorities share: they show
on published cases, so changing them is correcting those cases."""

from django import forms
from django.contrib import messages
from django.db import models

from casefile.cases.corrections import may_change_shown_record, refuse_name_leaks_in_cases_showing
from casefile.cases.services import NameLeakFound
from casefile.core.forms import PartialDateFormMixin

# Addresses typed without a scheme are https (Django 6's default; 5.2 warns without it).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class NameCheckedForm(PartialDateFormMixin, forms.ModelForm):
    """Shown again with the refusal when the saved change made a published case name its
    person (NameCheckedAdminMixin): its clean() refuses, so nothing is saved."""

    name_leak_refusal: NameLeakFound | None = None  # set by NameCheckedAdminMixin.get_form

    def clean(self):
        cleaned = super().clean()
        if self.name_leak_refusal is not None:
            raise forms.ValidationError(
                f"{self.name_leak_refusal} Nothing was saved. Correct the case's text first, "
                "or have a reviewer accept the finding on the case's name-check page.",
                code="name_leak",
            )
        return cleaned


class NameCheckedAdminMixin:
    """A change of a record that published cases show is a correction of each of them:
    after it is saved (inlines too), in the admin's transaction, each such case whose
    person is not a public figure is name-checked (casefile.cases.name_leaks); a finding
    rolls everything back and the form comes back saying where."""

    form = NameCheckedForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class per request
        form.name_leak_refusal = getattr(request, "name_leak_refusal", None)
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NameLeakFound as refusal:
            # The save's transaction is rolled back: show the form again with the input.
            request.name_leak_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            self.check_names(request, form)

    def check_names(self, request, form):
        refuse_name_leaks_in_cases_showing(form.instance)


class ShownRecordAdminMixin(NameCheckedAdminMixin):
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

    def check_names(self, request, form):
        if form.instance._meta.model_name != "authority":  # no person's name in there
            super().check_names(request, form)
