from django.contrib.postgres.fields import ArrayField
from django.db import models

from casefile.core.text import normalize_line_breaks


def _is_text(field) -> bool:
    if isinstance(field, ArrayField):
        return _is_text(field.base_field)
    return isinstance(field, (models.CharField, models.TextField))


class PlainTextModel(models.Model):
    """Text is stored with "\\n" line breaks only (browsers send "\\r\\n"): save() and
    full_clean() normalise every text column (and each item of a text array) first,
    whoever set it. No other control character but tab and line feed is stored: each
    text column has a PlainTextConstraint (casefile.core.constraints), which model
    validation checks in Python and the database enforces for every write."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize_text()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        self.normalize_text()
        super().clean_fields(exclude=exclude)

    def normalize_text(self) -> None:
        for field in self._meta.concrete_fields:
            if not _is_text(field):
                continue
            value = getattr(self, field.attname)
            if isinstance(value, str):
                setattr(self, field.attname, normalize_line_breaks(value))
            elif isinstance(value, list):
                setattr(
                    self,
                    field.attname,
                    [normalize_line_breaks(v) if isinstance(v, str) else v for v in value],
                )


class TimeStampedModel(PlainTextModel):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(
        auto_now=True,
        editable=False,
        help_text="When this record last changed (database triggers also touch it "
        "when a part of the record changes).",
    )

    class Meta:
        abstract = True
