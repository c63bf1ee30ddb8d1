"""The one search-and-filter definition of cases, shared by the search page, the CSV
download and the REST API, so that the same parameters always mean the same thing.

Within one facet, several values widen the result (restriction=air_travel&
restriction=loans_credit finds cases with either); different facets narrow it.
"""

import datetime

import django_filters as filters
from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from casefile.authorities.models import Authority, Province
from casefile.cases.models import Amount, Case, Citation
from casefile.cases.querysets import ORDERINGS
from casefile.cases.search import SearchText
from casefile.cases.vocabularies import CaseStatus, ListName, OffenceCategory, RestrictionKind
from casefile.core.bulk import AnyOf
from casefile.core.currencies import CURRENCY_CHOICES
from casefile.core.dates import PartialDate

NOTIFIED_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Unknown"))]
NOTIFIED_VALUES = {"yes": True, "no": False, "unknown": None}
MAX_QUERY_LENGTH = 200


def allowed_values(choices) -> dict:
    """Error messages for a vocabulary parameter that name every value it takes, so a
    400 says what to send instead (%(value)s is the value given)."""
    keys = ", ".join(str(key) for key, _label in choices)
    message = _("“%(value)s” is not one of the allowed values: {keys}.")
    return {"invalid_choice": format_lazy(message, keys=keys)}


CURRENCY_ERRORS = {
    "invalid_choice": _(
        "“%(value)s” is not an ISO 4217 currency code (three capital letters, "
        "e.g. CNY, CAD, USD, EUR)."
    )
}


class PartialDateField(forms.CharField):
    """A year, a year and month, or a date: "2017", "2017-03", "2017-03-05"."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return PartialDate.parse(value)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


class PartialDateFilter(filters.Filter):
    field_class = PartialDateField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC: ISO 8601 allows offsets that PostgreSQL
    refuses (beyond ±15:59), and a time it cannot represent is a 400, not a 500."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(_("This time is out of range."), code="invalid") from None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class RecordIdFilter(filters.NumberFilter):
    """A row id: a whole number from 1 to PostgreSQL's bigint maximum. A fraction, a
    negative or an astronomical number is a 400, never a rounded id or a query that
    psycopg cannot even write."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=2**63 - 1, **kwargs)


class CaseFilter(filters.FilterSet):
    q = filters.CharFilter(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        method="filter_nothing",
        help_text="A name in characters or pinyin, words of the account, or a docket number.",
    )
    restriction = filters.MultipleChoiceFilter(
        label=_("Restriction"),
        choices=RestrictionKind.choices,
        error_messages=allowed_values(RestrictionKind.choices),
        method="filter_restriction",
        help_text="Restriction kinds; several values find cases with any of them.",
    )
    # distinct=False: these filter on the case's own columns, so no row can repeat, and a
    # DISTINCT over every column (narratives included) costs a sort of the whole result.
    offence = filters.MultipleChoiceFilter(
        label=_("Offence"),
        field_name="offence_category",
        choices=OffenceCategory.choices,
        error_messages=allowed_values(OffenceCategory.choices),
        distinct=False,
    )
    list = filters.MultipleChoiceFilter(
        label=_("List"),
        field_name="list_name",
        choices=ListName.choices,
        error_messages=allowed_values(ListName.choices),
        distinct=False,
    )
    province = filters.MultipleChoiceFilter(
        label=_("Province"),
        choices=Province.choices,
        error_messages=allowed_values(Province.choices),
        method="filter_province",
    )
    status = filters.MultipleChoiceFilter(
        label=_("Status"),
        choices=CaseStatus.choices,
        error_messages=allowed_values(CaseStatus.choices),
        distinct=False,
    )
    notified = filters.MultipleChoiceFilter(
        label=_("Notified"),
        choices=NOTIFIED_CHOICES,
        error_messages=allowed_values(NOTIFIED_CHOICES),
        method="filter_notified",
    )
    listed_from = PartialDateFilter(
        label=_("Listed from"),
        method="filter_nothing",
        help_text="A year (2017), month (2017-03) or date (2017-03-05); inclusive.",
    )
    listed_to = PartialDateFilter(
        label=_("Listed to"),
        method="filter_nothing",
        help_text="A year, month or date; inclusive of the whole period.",
    )
    removed_from = PartialDateFilter(
        label=_("Removed from"),
        method="filter_nothing",
        help_text=_(
            "Removed from the list in or after this year (2019), month (2019-06) or date "
            "(2019-06-30); inclusive."
        ),
    )
    removed_to = PartialDateFilter(
        label=_("Removed to"),
        method="filter_nothing",
        help_text=_(
            "Removed from the list by this year, month or date; inclusive of the whole period."
        ),
    )
    amount_min = filters.NumberFilter(
        label=_("Amount from"), min_value=0, method="filter_nothing", help_text="As reported."
    )
    amount_max = filters.NumberFilter(
        label=_("Amount to"), min_value=0, method="filter_nothing", help_text="As reported."
    )
    currency = filters.ChoiceFilter(
        label=_("Currency"),
        choices=CURRENCY_CHOICES,
        error_messages=CURRENCY_ERRORS,
        method="filter_nothing",
        help_text="ISO 4217 code the amount range refers to; without it, any currency.",
    )
    ordering = filters.ChoiceFilter(
        label=_("Sort by"),
        choices=tuple(ORDERINGS.items()),
        error_messages=allowed_values(ORDERINGS.items()),
        method="filter_nothing",
        help_text="Default: relevance with a search, else date listed, newest first.",
    )
    person = RecordIdFilter(label=_("Person id"), field_name="person_id")
    authority = RecordIdFilter(label=_("Authority id"), field_name="authority_id")
    source = RecordIdFilter(label=_("Source id"), method="filter_source")
    updated_since = UtcDateTimeFilter(
        label=_("Updated since"),
        field_name="updated_at",
        lookup_expr="gte",
        help_text="ISO 8601 timestamp; cases changed at or after it.",
    )

    class Meta:
        model = Case
        fields = []

    # Parameters applied together in filter_queryset rather than one by one.
    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_restriction(self, queryset, name, value):
        return queryset.filter(restriction_kinds__overlap=value) if value else queryset

    def filter_province(self, queryset, name, value):
        if not value:
            return queryset
        # authority_id = ANY(ARRAY(…)): the province's authorities are collected first and
        # their cases read in one scan, never one scan per authority (a restriction's GIN
        # index read again for each authority of the province, then ANDed).
        authorities = Authority.objects.filter(province__in=value).order_by().values("id")
        return queryset.filter(AnyOf(F("authority_id"), ArraySubquery(authorities)))

    def filter_notified(self, queryset, name, value):
        if not value:
            return queryset
        answers = [NOTIFIED_VALUES[word] for word in value]
        condition = {"notified__in": [answer for answer in answers if answer is not None]}
        query = queryset.filter(**condition) if condition["notified__in"] else queryset.none()
        if None in answers:
            query = query | queryset.filter(notified__isnull=True)
        return query

    def filter_source(self, queryset, name, value):
        if value is None:
            return queryset
        citing = Citation.objects.filter(case=OuterRef("pk"), capture__source_id=value)
        return queryset.filter(Exists(citing))

    @property
    def form(self):
        form = super().form
        form.clean = lambda: _cross_check(form)
        return form

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("listed_from"):
            queryset = queryset.filter(listed_on__gte=data["listed_from"].date)
        if data.get("listed_to"):
            queryset = queryset.filter(listed_on__lte=data["listed_to"].last_day)
        if data.get("removed_from"):
            queryset = queryset.filter(removed_on__gte=data["removed_from"].date)
        if data.get("removed_to"):
            queryset = queryset.filter(removed_on__lte=data["removed_to"].last_day)
        amount_min, amount_max, currency = (
            data.get(k) for k in ("amount_min", "amount_max", "currency")
        )
        if amount_min is not None or amount_max is not None or currency:
            amounts = Amount.objects.filter(case=OuterRef("pk"))
            if currency:
                amounts = amounts.filter(currency=currency)
            if amount_min is not None:
                amounts = amounts.filter(value__gte=amount_min)
            if amount_max is not None:
                amounts = amounts.filter(value__lte=amount_max)
            queryset = queryset.filter(Exists(amounts))
        search = self.search = SearchText.parse(data.get("q"))
        if search:
            queryset = queryset.search(search)
        ordering = data.get("ordering") or ("relevance" if search else "-listed")
        # Cases removed in a period were listed before its end: not among the newest.
        removal_period = bool(data.get("removed_from") or data.get("removed_to"))
        return queryset.ordered(ordering, currency=currency or None, sort_matches=removal_period)

    def is_unfiltered(self) -> bool:
        """No parameter narrows the result (ordering does not): every public case."""
        data = self.form.cleaned_data
        return not any(
            value not in (None, "", []) for name, value in data.items() if name != "ordering"
        )

    @classmethod
    def parameter_names(cls) -> set[str]:
        return set(cls.base_filters)

    @classmethod
    def value_labels(cls) -> dict[str, tuple[str, dict[str, str]]]:
        """{parameter: (its label, {value: the value's label})}, for messages."""
        labels = {}
        for name, declared in cls.base_filters.items():
            choices = declared.extra.get("choices") or ()
            labels[name] = (str(declared.label or name), {str(k): str(v) for k, v in choices})
        return labels


def _cross_check(form):
    data = form.cleaned_data
    low, high = data.get("amount_min"), data.get("amount_max")
    if low is not None and high is not None and low > high:
        form.add_error("amount_max", _("The upper amount is below the lower one."))
    start, end = data.get("listed_from"), data.get("listed_to")
    if start and end and start.date > end.last_day:
        form.add_error("listed_to", _("The end of the listing period is before its start."))
    start, end = data.get("removed_from"), data.get("removed_to")
    if start and end and start.date > end.last_day:
        form.add_error("removed_to", _("The end of the removal period is before its start."))
    return data
