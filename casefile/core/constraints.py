"""Database constraints whose violations read well in a form."""

from django.core.exceptions import ValidationError
from django.db import models


class FieldCheckConstraint(models.CheckConstraint):
    """A CheckConstraint that reports its violation on one field.

    The database enforces the rule; model validation (admin, API, importer)
    runs the same condition and puts the message next to `field`, so every
    rule is written once.
    """

    def __init__(self, *, field: str, **kwargs):
        self.field = field
        super().__init__(**kwargs)

    def validate(self, model, instance, exclude=None, using=None):
        try:
            super().validate(model, instance, exclude=exclude, using=using)
        except ValidationError as error:
            raise ValidationError({self.field: error.error_list}) from None

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other):
        return (
            isinstance(other, FieldCheckConstraint)
            and self.field == other.field
            and super().__eq__(other)
        )


def in_vocabulary(field: str, choices, *, name: str, blank: bool = False) -> FieldCheckConstraint:
    """A constraint that keeps `field` inside the keys of a TextChoices vocabulary."""
    allowed = list(choices.values) + ([""] if blank else [])
    return FieldCheckConstraint(
        condition=models.Q(**{f"{field}__in": allowed}),
        name=name,
        field=field,
        violation_error_message=f"Choose one of: {', '.join(choices.values)}.",
    )
