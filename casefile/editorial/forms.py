import copy

from django import forms
from django.conf import settings

from casefile.cases.name_leaks import parse_token
from casefile.editorial.importing import PEOPLE_CHOICES
from casefile.editorial.importing.bundle import is_bundle
from casefile.people.models import Person


class StepForm(forms.Form):
    """A workflow step, confirmed with the version of the case the user looked at."""

    version = forms.CharField(widget=forms.HiddenInput)

    def service_arguments(self) -> dict:
        return {"expected_version": self.cleaned_data["version"]}


class SendBackForm(StepForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the editor should change. Editors see it on the case; it is never published.",
    )

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "comment": self.cleaned_data["comment"]}


class RetractForm(StepForm):
    note = forms.CharField(
        label="Retraction note",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown publicly at the case's address, with the date of the retraction.",
    )

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "note": self.cleaned_data["note"]}


class BulkStepForm(forms.Form):
    """A step on several cases: what the step asks (a send-back comment), said once for all."""

    def __init__(self, *args, asks: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.asks = asks
        source = {"comment": SendBackForm, "note": RetractForm}.get(asks)
        if source is not None:
            self.fields[asks] = copy.deepcopy(source.base_fields[asks])

    def service_arguments(self) -> dict:
        return {self.asks: self.cleaned_data[self.asks]} if self.asks else {}


class AcceptNameLeakForm(forms.Form):
    """A reviewer accepts one finding of the name check (casefile.cases.name_leaks)."""

    finding = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why this is not the person’s name",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 50}),
        help_text="Recorded with your name, e.g. “高兴 here means ‘glad’”.",
    )

    def clean_finding(self) -> tuple[str, str]:
        place, form, _path, _excerpt = parse_token(self.cleaned_data["finding"])
        return place, form


class MergePeopleForm(forms.Form):
    keep = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Keep this record",
        help_text="The other record's cases move to it, and its names become aliases.",
    )

    def __init__(self, *args, people: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["keep"].choices = [(p.pk, f"#{p.pk} {p}") for p in people]

    def keep_and_merge(self) -> tuple[Person, Person]:
        keep = self.people[self.cleaned_data["keep"]]
        merge = next(p for pk, p in self.people.items() if pk != keep.pk)
        return keep, merge


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="A .csv (UTF-8) or .xlsx file with the template's columns: the first 24 in "
        "every file, the optional ones as you need them, in any order. To keep the files of "
        "the sources with their captures, upload a .zip holding the sheet and the files its "
        "capture_file column names."
    )
    dry_run = forms.BooleanField(
        required=False,
        initial=True,
        label="Dry run: check the file and report what would change, without saving",
    )
    people = forms.ChoiceField(
        choices=list(PEOPLE_CHOICES.items()),
        required=False,
        widget=forms.RadioSelect,
        label="Rows naming a person already in the archive",
        help_text="The dry run lists the people each row matches. Until you choose, a file "
        "with such rows imports nothing. A row's person_id always attaches it to that person.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = (
            settings.IMPORT_ZIP_MAX_BYTES if is_bundle(upload.name) else settings.IMPORT_MAX_BYTES
        )
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{limit / 1_048_576:.0f} MB. Split it into smaller files."
            )
        return upload


class ExplainQuotesForm(forms.Form):
    """A reviewer says why a case may be published although some of its quotes were not
    found in their capture's kept files (casefile.cases.services.explain_unverified_quotes)."""

    citations = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple, label="Quotes not found"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label="Why the case may be published with them",
        help_text="E.g. the passage is in an image of the page, or in a part the text extractor "
        "leaves out. Recorded with your name; for editors only.",
    )

    def __init__(self, *args, citations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citations"].choices = [(c.pk, f"#{c.pk}: “{c.quote[:80]}”") for c in citations]
