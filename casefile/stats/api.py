"""GET /api/v1/stats/: the figures of /stats/ as JSON, for the same parameters."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from casefile.api import conditional
from casefile.api.filtering import StrictFilterBackend, StrictQueryMixin
from casefile.api.serializers import FacetParamsField
from casefile.cases.filters import CaseFilter
from casefile.cases.visibility import public_cases, public_last_modified
from casefile.stats.figures import figures_for
from casefile.stats.presenters import CHARTS


class StatsBarSerializer(serializers.Serializer):
    value = serializers.CharField(
        help_text='The value: a year, a vocabulary key, a number of years; "" for an '
        "unknown province."
    )
    label = serializers.CharField()
    count = serializers.IntegerField()
    params = FacetParamsField()


class AmountBinSerializer(serializers.Serializer):
    low = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text="Null: the amounts of zero."
    )
    high = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, help_text="Exclusive."
    )
    count = serializers.IntegerField()


class AmountDistributionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    currency = serializers.CharField(help_text="ISO 4217, as reported; never converted.")
    count = serializers.IntegerField(help_text="Amounts (a case may report several).")
    zero = serializers.IntegerField(help_text="Amounts of zero, outside the logarithmic bins.")
    median = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text="The median amount, of the amounts to two significant figures.",
    )
    bins = AmountBinSerializer(many=True, help_text="One per power of ten, and zero first.")


def _bars(help_text):
    return StatsBarSerializer(many=True, help_text=help_text)


class StatsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Cases matching the filters.")
    estimated = serializers.BooleanField(
        help_text="The counts by year listed, province, restriction, offence and notified "
        "were estimated from a sample of one case in 64, as the facets' are beyond 10,000 "
        "cases."
    )
    sampled = serializers.BooleanField(
        help_text="Years removed, durations and amounts were estimated from that sample "
        "(always beyond 10,000 cases)."
    )
    listed = _bars("Cases per year listed.")
    listed_unknown = serializers.IntegerField(help_text="Cases with no known listing date.")
    removed = _bars("Cases per year removed from the list (removed_from/removed_to).")
    removed_unknown = serializers.IntegerField(help_text="Removed, date unknown.")
    provinces = _bars('Every province-level division, then "" for unknown.')
    restrictions = _bars("Cases per restriction kind.")
    offences = _bars("Cases per offence category.")
    notified = _bars("Whether the person was notified: yes, no, unknown.")
    durations = _bars(
        "Cases per whole years from listing to removal (10: ten or more), both dates known; "
        "by calendar years where either date is known only to the year. params is null."
    )
    amounts = AmountDistributionSerializer(many=True)


def _payload(figures) -> dict:
    def bars(items):
        return [
            {"value": b.value, "label": b.label, "count": b.count, "params": b.params}
            for b in items
        ]

    data = {
        "total": figures.total,
        "estimated": figures.estimated,
        "sampled": figures.sampled,
        "listed_unknown": figures.listed_unknown,
        "removed_unknown": figures.removed_unknown,
        **{slug: bars(chart.bars(figures)) for slug, chart in CHARTS.items()},
        "amounts": [
            {
                "kind": d.kind,
                "kind_label": d.kind_label,
                "currency": d.currency,
                "count": d.count,
                "zero": d.zero,
                "median": d.median,
                "bins": [{"low": b.low, "high": b.high, "count": b.count} for b in d.bins],
            }
            for d in figures.amounts
        ],
    }
    return StatsSerializer(data).data


@extend_schema(
    summary="Statistics of the cases a filter matches",
    description="The figures of the /stats/ page for the same parameters as the case list: "
    "cases per year listed and removed, per province, restriction, offence and notified, "
    "the time from listing to removal, and amounts as reported per kind and currency (per "
    "power of ten, with the median). The counts are the facet counts of the same search; "
    "each value's `params` are the query parameters of the search that counts it, as in "
    "`/api/v1/cases/facets/` (null where no search does: durations, an unknown province, "
    "a restriction the search did not choose when it chose others).",
    filters=True,
    responses={200: StatsSerializer},
)
class StatsView(StrictQueryMixin, GenericAPIView):
    filterset_class = CaseFilter
    filter_backends = [StrictFilterBackend]
    pagination_class = None

    def get_queryset(self):
        return public_cases()

    def get(self, request, *args, **kwargs):
        filterset = StrictFilterBackend().valid_filterset(request, self.get_queryset(), self)
        data = _payload(figures_for(filterset))
        return conditional.respond(
            request,
            etag=conditional.digest_etag("stats", data),
            last_modified=public_last_modified(),
            build=lambda: Response(data),
        )
