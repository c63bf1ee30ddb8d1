"""Partial dates: a date known to the year, the month or the day.

Reporting says "late 2013" or "early 2017". Such a date is stored as two
columns, `<name>` (the first day of the period) and `<name>_precision`, and
shown only as precisely as it is known: "2017", "March 2017", "3 March 2017".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Extract
from django.db.models.lookups import Exact, LessThan
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casefile.core.constraints import FieldCheckConstraint


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


ISO_PARTIAL = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@dataclass(frozen=True, order=True)
class PartialDate:
    date: datetime.date
    precision: str

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read "2017", "2017-03" or "2017-03-05"; raise ValueError on anything else."""
        match = ISO_PARTIAL.match(text or "")
        if not match:
            raise ValueError(
                gettext("%(text)s is not a date; use YYYY, YYYY-MM or YYYY-MM-DD.")
                % {"text": repr(text)}
            )
        year, month, day = match.groups()
        try:
            if day:
                return cls(datetime.date(int(year), int(month), int(day)), DatePrecision.DAY)
            if month:
                return cls(datetime.date(int(year), int(month), 1), DatePrecision.MONTH)
            return cls(datetime.date(int(year), 1, 1), DatePrecision.YEAR)
        except ValueError:
            raise ValueError(
                gettext("%(text)s is not a real calendar date.") % {"text": repr(text)}
            ) from None

    @property
    def iso(self) -> str:
        """The ISO 8601 form at this precision: "2017", "2017-03", "2017-03-05"."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @property
    def last_day(self) -> datetime.date:
        """The last day the period could mean, for comparisons between partial dates."""
        if self.precision == DatePrecision.YEAR:
            return datetime.date(self.date.year, 12, 31)
        if self.precision == DatePrecision.MONTH:
            next_month = (self.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return next_month - datetime.timedelta(days=1)
        return self.date

    def __str__(self) -> str:
        """As precisely as known, in the active language: "2017", "March 2017",
        "3 March 2017"; in Chinese "2017年", "2017年3月", "2017年3月5日"."""
        if _is_chinese():
            return self.chinese
        if self.precision == DatePrecision.YEAR:
            return str(self.date.year)
        if self.precision == DatePrecision.MONTH:
            return self.date.strftime("%B %Y")
        return f"{self.date.day} {self.date.strftime('%B %Y')}"

    @property
    def chinese(self) -> str:
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year}年"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year}年{self.date.month}月"
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"


def _is_chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


class PartialDateDescriptor:
    """`case.listed` reads and writes `listed_on` and `listed_on_precision` together."""

    def __init__(self, date_field: str):
        self.date_field = date_field
        self.precision_field = f"{date_field}_precision"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = getattr(instance, self.date_field)
        precision = getattr(instance, self.precision_field)
        if value is None or not precision:
            return None
        return PartialDate(value, precision)

    def __set__(self, instance, partial: PartialDate | str | None):
        if isinstance(partial, str):
            partial = PartialDate.parse(partial) if partial.strip() else None
        setattr(instance, self.date_field, partial.date if partial else None)
        setattr(instance, self.precision_field, partial.precision if partial else "")


def precision_field(date_field: str) -> models.CharField:
    return models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text=f"How precisely {date_field.replace('_', ' ')} is known: year, month or day.",
    )


def _date_part(field: str, part: str):
    """EXTRACT(part FROM field), typed: model validation substitutes untyped values for
    columns, and PostgreSQL cannot choose an EXTRACT for an untyped parameter."""
    return Extract(_typed_date(field), part)


def _typed_date(field: str):
    return Cast(F(field), output_field=models.DateField())


def partial_date_constraints(date_field: str, *, prefix: str) -> list[FieldCheckConstraint]:
    """Constraints that keep a partial date honest: a precision exactly when there is a
    date, and a year- or month-precise date stored as the first day of its period."""
    precision = f"{date_field}_precision"
    return [
        FieldCheckConstraint(
            condition=(
                models.Q(**{f"{date_field}__isnull": True, precision: ""})
                | models.Q(
                    **{f"{date_field}__isnull": False, f"{precision}__in": DatePrecision.values}
                )
            ),
            name=f"{prefix}_{date_field}_has_precision",
            field=precision,
            violation_error_message="A date needs its precision (year, month or day), "
            "and a precision needs a date.",
        ),
        FieldCheckConstraint(
            condition=(
                ~models.Q(**{precision: DatePrecision.YEAR})
                | models.Q(
                    Exact(_date_part(date_field, "month"), 1),
                    Exact(_date_part(date_field, "day"), 1),
                )
            )
            & (
                ~models.Q(**{precision: DatePrecision.MONTH})
                | models.Q(Exact(_date_part(date_field, "day"), 1))
            ),
            name=f"{prefix}_{date_field}_matches_precision",
            field=date_field,
            violation_error_message="A date known only to the year must be stored as 1 January, "
            "and one known only to the month as the 1st of that month.",
        ),
    ]


def not_before_constraint(later: str, earlier: str, *, name: str, message: str):
    """Keep partial date `later` from being certainly before partial date `earlier`.

    Two partial dates are compared at the coarser of their precisions: a removal
    in "2017" is not before a listing on "5 March 2017", but one in "2016" is.
    """
    finer_than_year = [DatePrecision.MONTH, DatePrecision.DAY]

    def month_index(field):
        return _date_part(field, "year") * 12 + _date_part(field, "month")

    certainly_before = (
        Q(LessThan(_date_part(later, "year"), _date_part(earlier, "year")))
        | Q(
            LessThan(month_index(later), month_index(earlier)),
            **{
                f"{later}_precision__in": finer_than_year,
                f"{earlier}_precision__in": finer_than_year,
            },
        )
        | Q(
            LessThan(_typed_date(later), _typed_date(earlier)),
            **{f"{later}_precision": DatePrecision.DAY, f"{earlier}_precision": DatePrecision.DAY},
        )
    )
    return FieldCheckConstraint(
        condition=Q(**{f"{later}__isnull": True})
        | Q(**{f"{earlier}__isnull": True})
        | ~certainly_before,
        name=name,
        field=later,
        violation_error_message=message,
    )


def partial_dates(model) -> list[PartialDateDescriptor]:
    """The partial dates of a model (its PartialDateDescriptor attributes), in
    declaration order."""
    found = {}
    for klass in reversed(model.__mro__):
        for value in vars(klass).values():
            if isinstance(value, PartialDateDescriptor):
                found[value.date_field] = value
    return list(found.values())
