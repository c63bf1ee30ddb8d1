import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.html import format_html

from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.name_leaks import (
    accept_name_leaks,
    needs_name_check,
    parse_token,
    unresolved_name_leaks,
)
from casefile.cases.services import (
    NameLeakFound,
    StaleVersion,
    add_citation,
    can_edit_case,
    lock_case,
    refuse_name_leaks,
)
from casefile.cases.vocabularies import PublicationState
from casefile.cases.workflow import STEPS, bulk_steps, single_case_steps
from casefile.core.admin import NameCheckedAdminMixin
from casefile.core.forms import PartialDateFormMixin
from casefile.sources.models import SourceCapture


class CaseEditPermissionMixin:
    """Parts of a case are editable exactly when their case is (see can_edit_case)."""

    def _case_editable(self, request, obj) -> bool:
        return obj is None or can_edit_case(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return self._case_editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._case_editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._case_editable(request, obj) and super().has_delete_permission(request, obj)


class CitedPartForm(PartialDateFormMixin, forms.ModelForm):
    """A restriction, amount or event row with an optional citation entered beside it.

    On a new case the parts do not exist yet, so they cannot be chosen in the
    citations list; citing them in their own row lets a whole case be entered on
    one page.
    """

    cite_capture = forms.ModelChoiceField(
        queryset=SourceCapture.objects.select_related("source"),
        required=False,
        label="Cite (source capture)",
        widget=AutocompleteSelect(Citation._meta.get_field("capture"), admin.site),
    )
    cite_locator = forms.CharField(required=False, label="Locator", max_length=200)
    cite_quote = forms.CharField(
        required=False, label="Quote", widget=forms.Textarea(attrs={"rows": 2, "cols": 30})
    )

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("cite_locator") or cleaned.get("cite_quote")) and not cleaned.get(
            "cite_capture"
        ):
            self.add_error(
                "cite_capture", "Choose the source capture that the locator or quote is from."
            )
        return cleaned


class CitedPartInline(CaseEditPermissionMixin, admin.StackedInline):
    form = CitedPartForm
    extra = 0
    cite_fields = ("cite_capture", "cite_locator", "cite_quote")
    readonly_fields = ["existing_citations"]

    @admin.display(description="Cited by")
    def existing_citations(self, part):
        if not part.pk:
            return "—"
        return (
            "; ".join(
                str(citation.capture) + quote_check_note(citation)
                for citation in part.citations.select_related("capture__source")
            )
            or "—"
        )


class RestrictionInline(CitedPartInline):
    model = Restriction
    fields = [
        "kind",
        "details",
        ("started_on", "ended_on"),
        "existing_citations",
        CitedPartInline.cite_fields,
    ]


class AmountInline(CitedPartInline):
    model = Amount
    fields = [
        ("kind", "value", "currency"),
        ("as_reported", "value_cny"),
        "description",
        "existing_citations",
        CitedPartInline.cite_fields,
    ]


class EventInline(CitedPartInline):
    model = Event
    fields = [
        ("occurred_on", "kind"),
        "description",
        "existing_citations",
        CitedPartInline.cite_fields,
    ]


def quote_check_note(citation) -> str:
    """The quote check's result beside a citation on the case form."""
    if not citation.quote:
        return ""
    return f" — quote: {citation.get_quote_check_display().lower()}"


class CitationInline(CaseEditPermissionMixin, admin.StackedInline):
    model = Citation
    extra = 1
    autocomplete_fields = ["capture"]
    fields = [
        "capture",
        ("case_field", "restriction", "amount", "event"),
        "locator",
        "quote",
        "quote_check_result",
    ]
    readonly_fields = ["quote_check_result"]

    @admin.display(description="Quote check")
    def quote_check_result(self, citation):
        if not citation.pk or not citation.quote:
            return "—"
        return format_html(
            '<span class="quote-{}">{}</span>',
            citation.quote_check,
            citation.get_quote_check_display(),
        )

    verbose_name = "citation"
    verbose_name_plural = "citations (choose a claim of the case; cite new parts in their own rows)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("restriction", "amount", "event"):
            case_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = db_field.related_model.objects.filter(case_id=case_id or None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def workflow_steps(user, case: Case) -> list[tuple[str, str]]:
    """(url, label) of the workflow pages this user may open for this case now (the
    steps of casefile.cases.workflow), then the name check and the history."""
    state = case.publication_state
    steps = [(step.page, step.label) for step in single_case_steps(user, state)]
    if needs_name_check(case):
        steps.append(("editorial:name-leaks", "Name check"))
    steps.append(("editorial:quotes", "Quotes"))
    if user.has_perm("cases.view_case_history"):
        steps.append(("editorial:history", "Full history"))
    links = [(reverse(name, args=[case.public_id]), label) for name, label in steps]
    if state == PublicationState.PUBLISHED:
        links.append((case.get_absolute_url(), "Public page"))
    return links


class ImportedFilter(admin.SimpleListFilter):
    """The cases an import created or changed (?imported=<history context ids>, the import
    report's link to all of them). Offered only when given."""

    title = "import"
    parameter_name = "imported"

    def contexts(self) -> list[uuid.UUID]:
        found = []
        for part in (self.value() or "").split(","):
            try:
                found.append(uuid.UUID(part))
            except ValueError:
                continue
        return found

    def lookups(self, request, model_admin):
        return [(self.value(), "The cases of this import")] if self.value() else []

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        changes = Case.pgh_event_models["insert"].objects.filter(pgh_context_id__in=self.contexts())
        return queryset.filter(pk__in=changes.values("pgh_obj_id"))


class FindingsField(forms.Field):
    """Findings of the name check ticked on the page (Finding.token values)."""

    widget = forms.MultipleHiddenInput  # the template draws the boxes beside the findings

    def to_python(self, value):
        return [parse_token(token) for token in value or []]


class CaseAdminForm(PartialDateFormMixin, forms.ModelForm):
    """The case form, with the version of the case it was loaded from.

    On save the case row is locked and its version compared with the one the form
    carries: if someone saved the case meanwhile, nothing is written and the editor is
    shown what changed. The form then carries the current version, so saving again is
    a deliberate choice made after seeing the other changes.

    A correction of a published case that names its pseudonymised person is refused
    after everything was saved (CaseAdmin.save_related) and rolled back; the form comes
    back with the places found (`name_leak_refusal`), where a reviewer may tick findings
    that are not the name and give the reason: saving again accepts them.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    accept_name_leaks = FindingsField(required=False)
    name_leak_reason = forms.CharField(
        required=False,
        label="Why the ticked findings are not the person’s name",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Recorded with your name; each accepted finding applies to its place only.",
    )
    editor = None  # the signed-in user, set by CaseAdmin.get_form
    name_leak_refusal: NameLeakFound | None = None  # set by NameCheckedAdminMixin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale: StaleVersion | None = None
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    @property
    def ticked_findings(self) -> set[str]:
        """Tokens of the refused findings that were ticked (to tick them again)."""
        ticked = (self.cleaned_data or {}).get("accept_name_leaks") or []
        return {
            finding.token
            for finding in self.name_leak_refusal.findings
            if any(finding.is_named_by(token) for token in ticked)
        }

    def clean(self):
        cleaned = super().clean()
        if self.name_leak_refusal is not None:
            if cleaned.get("accept_name_leaks") and not cleaned.get("name_leak_reason", "").strip():
                self.add_error("name_leak_reason", "Say why the ticked findings are not the name.")
            raise ValidationError(str(self.name_leak_refusal), code="name_leak")
        if self.instance.pk:
            try:
                # The admin's change view runs in one transaction: the lock holds until
                # the case and all its parts are saved. The rule the page was shown
                # under (can_edit_case) is checked again under the lock, as for the API.
                lock_case(
                    case_id=self.instance.pk,
                    expected_version=cleaned.get("version"),
                    by=self.editor,
                )
            except StaleVersion as stale:
                self.stale = stale
                self.data = self.data.copy()
                self.data[self.add_prefix("version")] = stale.current_version
                raise ValidationError(str(stale), code="stale") from None
        return cleaned


@admin.register(Case)
class CaseAdmin(NameCheckedAdminMixin, admin.ModelAdmin):
    form = CaseAdminForm
    change_form_template = "admin/cases/case/change_form.html"
    change_list_template = "admin/cases/case/change_list.html"
    list_display = [
        "public_id",
        "person",
        "list_name",
        "offence_category",
        "status",
        "listed_display",
        "publication_state",
        "updated_at",
    ]
    list_filter = [
        ImportedFilter,
        "publication_state",
        "list_name",
        "offence_category",
        "status",
        "notified",
        "authority__province",
    ]
    list_select_related = ["person", "authority"]
    search_fields = [
        "public_id",
        "docket_number",
        "person__name_original",
        "person__name_keys",
        "person__pseudonym",
        "summary",
    ]
    autocomplete_fields = ["person", "authority"]
    readonly_fields = [
        "public_id",
        "external_key",
        "restriction_kinds",
        "publication_state",
        "review_comment",
        "published_at",
        "retracted_at",
        "retraction_note",
        "created_at",
        "updated_at",
    ]
    inlines = [RestrictionInline, AmountInline, EventInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["public_id", "person", "list_name", "authority", "docket_number"]}),
        ("Listing", {"fields": [
            ("offence_category", "status"),
            "reason_original",
            "reason_en",
            ("listed_on", "discovered_on", "removed_on"),
        ]}),
        ("Due process", {"fields": [("notified", "appeal_available", "appeal_attempted")]}),
        ("Account", {"fields": ["summary", "narrative", "outcome"]}),
        ("Internal", {"fields": ["notes", "external_key"]}),
        ("Publication", {"fields": [
            "publication_state",
            "review_comment",
            "retraction_note",
            ("published_at", "retracted_at"),
            ("created_at", "updated_at"),
            "version",
        ]}),
    ]  # fmt: skip

    def get_actions(self, request):
        """The workflow's bulk steps this user may take (casefile.cases.workflow), each
        leading to one confirmation page, then to a page saying what happened per case."""
        actions = super().get_actions(request)
        for step in bulk_steps(request.user):
            actions[step.key] = (
                self._bulk_step_action(step.key),
                step.key,
                f"{step.label}…",
            )
        return actions

    @staticmethod
    def _bulk_step_action(key: str):
        def action(modeladmin, request, queryset):
            from casefile.editorial.views import confirm_bulk_step

            ids = list(queryset.order_by().values_list("pk", flat=True))
            return confirm_bulk_step(request, STEPS[key], ids)

        return action

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            # A new case has no version yet; a read-only view posts nothing.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "version"]})
                for name, options in fieldsets
            ]
        return fieldsets

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_edit_case(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # a new class per request
        form.editor = request.user
        return form

    def get_urls(self):
        from casefile.editorial import views as editorial_views

        admin_view = self.admin_site.admin_view
        return [
            path("import/", admin_view(editorial_views.import_cases), name="cases_case_import"),
            path(
                "import/template.<str:file_format>",
                admin_view(editorial_views.import_template),
                name="cases_case_import_template",
            ),
            path(
                "import/errors/<str:token>.csv",
                admin_view(editorial_views.import_errors),
                name="cases_case_import_errors",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        steps = workflow_steps(request.user, case) if case else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "workflow_steps": steps}
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # name-checked: check_names
        self.warn_about_duplicates(request, form.instance)

    def check_names(self, request, form):
        case = form.instance
        if case.publication_state == PublicationState.PUBLISHED:
            self.accept_ticked_name_leaks(request, form, case)
            # Checked once the inlines are saved, in the admin's transaction: a refusal
            # rolls the case and its parts back (NameCheckedAdminMixin.changeform_view).
            refuse_name_leaks(case)

    def accept_ticked_name_leaks(self, request, form, case):
        """Accept the findings a reviewer ticked after a refusal, if they are still
        findings of the case as just saved (the text may have changed meanwhile)."""
        ticked = form.cleaned_data.get("accept_name_leaks") or []
        reason = form.cleaned_data.get("name_leak_reason", "").strip()
        if not (ticked and reason):
            return
        accept_name_leaks(
            case=case,
            findings=[
                (finding.place, finding.form)
                for finding in unresolved_name_leaks(case)
                if any(finding.is_named_by(token) for token in ticked)
            ],
            reason=reason,
            by=request.user,
        )

    def warn_about_duplicates(self, request, case):
        duplicates = Case.objects.possible_duplicates(
            docket_number=case.docket_number,
            person_id=case.person_id,
            authority_id=case.authority_id,
            exclude_pk=case.pk,
        ).select_related("person")[:10]
        for other in duplicates:
            reason = (
                "the same docket number"
                if other.docket_number.strip().upper() == case.docket_number.strip().upper()
                and case.docket_number.strip()
                else "the same person and listing authority"
            )
            self.message_user(
                request,
                format_html(
                    'Possible duplicate: case <a href="{}">{}</a> has {}. '
                    "Check whether this is the same case.",
                    reverse("admin:cases_case_change", args=[other.pk]),
                    other.public_id,
                    reason,
                ),
                messages.WARNING,
            )

    @admin.display(description="listed", ordering="listed_on")
    def listed_display(self, case):
        return case.listed or "—"

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if not issubclass(formset.model, (Restriction, Amount, Event)):
            return
        for part_form in formset.forms:
            capture = part_form.cleaned_data.get("cite_capture") if part_form.cleaned_data else None
            part = part_form.instance
            if capture and part.pk and not part_form.cleaned_data.get("DELETE"):
                add_citation(
                    case=form.instance,
                    capture=capture,
                    claim=part,
                    locator=part_form.cleaned_data.get("cite_locator", ""),
                    quote=part_form.cleaned_data.get("cite_quote", ""),
                )
