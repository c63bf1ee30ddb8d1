"""Database constraints whose violations read well in a form."""

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import F, Q, Value
from django.db.models.lookups import Regex

from casefile.core.expressions import ArrayToString
from casefile.core.text import (
    CONTROL_CHARACTER_CODE,
    CONTROL_CHARACTER_SQL,
    control_character_problem,
)


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


class PlainTextConstraint(FieldCheckConstraint):
    """No control character but tab and line feed in a text column, or in any item of a
    text array (casefile.core.text; PlainTextModel normalises line breaks first).

    The database refuses every write that breaks it (bulk and raw ones too); model
    validation (admin, API, services) checks the same rule in Python, naming the
    character next to the field, without a query.
    """

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if exclude and self.field in exclude:
            return
        value = getattr(instance, self.field)
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            problem = control_character_problem(item) if isinstance(item, str) else None
            if problem:
                if isinstance(value, list):
                    problem = f"Item {index + 1}: {problem}"
                raise ValidationError(
                    {self.field: ValidationError(problem, code=CONTROL_CHARACTER_CODE)}
                )


def plain_text(*fields: str, prefix: str, arrays: tuple[str, ...] = ()) -> list:
    """A PlainTextConstraint for each of `fields` (text columns) and `arrays` (text
    arrays), named <prefix>_<field>_plain_text."""
    constraints = []
    for field in (*fields, *arrays):
        text = ArrayToString(F(field), Value("")) if field in arrays else F(field)
        constraints.append(
            PlainTextConstraint(
                condition=~Q(Regex(text, CONTROL_CHARACTER_SQL)),
                name=f"{prefix}_{field}_plain_text",
                field=field,
                violation_error_message="Text may hold tabs and line breaks, no other "
                "control characters.",
            )
        )
    return constraints
