from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect

from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.services import add_citation
from casefile.sources.models import SourceCapture


class CitedPartForm(forms.ModelForm):
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


class CitedPartInline(admin.StackedInline):
    form = CitedPartForm
    extra = 0
    cite_fields = ("cite_capture", "cite_locator", "cite_quote")
    readonly_fields = ["existing_citations"]

    @admin.display(description="Cited by")
    def existing_citations(self, part):
        if not part.pk:
            return "—"
        return "; ".join(str(citation.capture) for citation in part.citations.all()) or "—"


class RestrictionInline(CitedPartInline):
    model = Restriction
    fields = [
        "kind",
        "details",
        ("started_on", "started_on_precision"),
        ("ended_on", "ended_on_precision"),
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
        ("occurred_on", "occurred_on_precision", "kind"),
        "description",
        "existing_citations",
        CitedPartInline.cite_fields,
    ]


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 1
    autocomplete_fields = ["capture"]
    fields = ["capture", ("case_field", "restriction", "amount", "event"), "locator", "quote"]
    verbose_name = "citation"
    verbose_name_plural = "citations (choose a claim of the case; cite new parts in their own rows)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("restriction", "amount", "event"):
            case_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = db_field.related_model.objects.filter(case_id=case_id or None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
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
        "restriction_kinds",
        "published_at",
        "retracted_at",
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
            ("listed_on", "listed_on_precision"),
            ("discovered_on", "discovered_on_precision"),
            ("removed_on", "removed_on_precision"),
        ]}),
        ("Due process", {"fields": [("notified", "appeal_available", "appeal_attempted")]}),
        ("Account", {"fields": ["summary", "narrative", "outcome"]}),
        ("Publication", {"fields": [
            "publication_state",
            "retraction_note",
            ("published_at", "retracted_at"),
            ("created_at", "updated_at"),
        ]}),
    ]  # fmt: skip

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
