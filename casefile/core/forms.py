"""Form fields shared by every editing page."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from casefile.core.dates import PartialDate, partial_dates

PARTIAL_DATE_HELP = "2018, 2018-03 or 2018-03-05: as precisely as it is known."


class PartialDateField(forms.Field):
    """A date known to the year, the month or the day, typed as the importer and the
    search read it: "2018", "2018-03" or "2018-03-05". Cleans to a PartialDate (or
    None); the precision follows from what was typed."""

    widget = forms.TextInput(attrs={"size": 10, "placeholder": "2018-03", "class": "partial-date"})
    default_error_messages = {"invalid": "Enter a date as 2018, 2018-03 or 2018-03-05."}

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return value.iso
        return value

    def to_python(self, value) -> PartialDate | None:
        if isinstance(value, PartialDate) or value is None:
            return value
        text = str(value).strip()
        if not text:
            return None
        try:
            return PartialDate.parse(text)
        except ValueError as error:
            message = str(error) if "calendar" in str(error) else self.error_messages["invalid"]
            raise ValidationError(message, code="invalid") from None


class PartialDateFormMixin:
    """For a ModelForm: each partial date of the model (a date column and its precision,
    casefile.core.dates) is one PartialDateField, named after the date column and placed
    where that column is in the form; the precision column is set from it and is never a
    field of its own. Model validation (the constraints on the pair, "removed not before
    listed") reports on the date's field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partial_date_columns: dict[str, str] = {}  # date column -> precision column
        for descriptor in partial_dates(self._meta.model):
            name = descriptor.date_field
            generated = self.fields.get(name)
            if generated is None:
                continue
            self.fields.pop(descriptor.precision_field, None)
            self.fields[name] = PartialDateField(
                required=generated.required,
                label=generated.label,
                help_text=" ".join(
                    text for text in (str(generated.help_text or ""), PARTIAL_DATE_HELP) if text
                ),
                disabled=generated.disabled,
            )
            given = (kwargs.get("initial") or {}).get(name)
            self.initial[name] = given if given is not None else descriptor.__get__(self.instance)
            self.partial_date_columns[name] = descriptor.precision_field

    def _post_clean(self):
        for name, precision in self.partial_date_columns.items():
            if name in self.cleaned_data:
                value = self.cleaned_data[name]
                setattr(self.instance, precision, value.precision if value else "")
                self.cleaned_data[name] = value.date if value else None
        super()._post_clean()

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        for name, precision in self.partial_date_columns.items():
            if name not in exclude:
                exclude.discard(precision)
        return exclude

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            by_field: dict[str, list] = {}
            precision_of = {p: name for name, p in self.partial_date_columns.items()}
            for key, messages in errors.error_dict.items():
                by_field.setdefault(precision_of.get(key, key), []).extend(messages)
            errors = ValidationError(by_field)
        super()._update_errors(errors)
