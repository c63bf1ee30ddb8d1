from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from casefile.cases.corrections import (
    check_person_change,
    less_visible,
    name_leaks_in_cases_showing,
)
from casefile.core.admin import NameCheckedAdminMixin, NameCheckedForm
from casefile.people.models import Person


class PersonAdminForm(NameCheckedForm):
    """A person, changed only as far as the signed-in user may (cases.corrections):
    making a person more visible, or renaming one whose case is past the draft stage,
    is a reviewer's step."""

    editor = None  # the signed-in user, set by PersonAdmin.get_form
    stored_privacy = None  # the privacy level before this change

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = Person.objects.get(pk=self.instance.pk)
            self.stored_privacy = stored.privacy
            values = {name: cleaned[name] for name in self.changed_data if name in cleaned}
            try:
                check_person_change(by=self.editor, person=stored, values=values)
            except PermissionDenied as refusal:
                raise forms.ValidationError(str(refusal), code="reviewer_step") from None
        return cleaned


@admin.register(Person)
class PersonAdmin(NameCheckedAdminMixin, admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["__str__", "pseudonym", "privacy", "occupation", "updated_at"]
    list_filter = ["privacy", "updated_at"]
    search_fields = ["name_original", "name_romanized", "name_keys", "pseudonym", "occupation"]
    readonly_fields = ["name_keys", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name_original", "name_romanized", "aliases", "occupation"]}),
        ("Privacy", {"fields": ["privacy", "pseudonym"]}),
        ("Internal", {"fields": ["notes", "name_keys", "created_at", "updated_at"]}),
    ]
    actions = ["merge_selected_people"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class per request
        form.editor = request.user
        return form

    def check_names(self, request, form):
        person = form.instance
        if not (form.stored_privacy and less_visible(form.stored_privacy, person.privacy)):
            super().check_names(request, form)  # a correction: refused if a case names them
            return
        # Hiding a person is never refused, but their published texts may name them now.
        for case, findings in name_leaks_in_cases_showing(person):
            messages.warning(
                request,
                format_html(
                    'Case <a href="{}">{}</a> names this person in its public text ({}): '
                    "correct it, or a reviewer may accept the findings on its name-check page.",
                    reverse("editorial:name-leaks", args=[case.public_id]),
                    case.public_id,
                    "; ".join(finding.place for finding in findings),
                ),
            )

    @admin.action(description="Merge the two selected people…", permissions=["merge"])
    def merge_selected_people(self, request, queryset):
        ids = sorted(queryset.values_list("pk", flat=True))
        if len(ids) != 2:
            self.message_user(request, "Select exactly two people to merge.", messages.ERROR)
            return None
        return redirect(reverse("editorial:merge-people") + f"?ids={ids[0]},{ids[1]}")

    def has_merge_permission(self, request):
        return request.user.has_perm("people.merge_person")
