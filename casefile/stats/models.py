from django.db import models


class StatsRollup(models.Model):
    """The whole archive's figures that the facet counts (cases.FacetRollup) do not hold,
    as rows of counts to add up: cases per year removed ("removed", "undated" for a
    removal without a date), per whole years from listing to removal ("duration"), and
    amounts per kind, currency, power of ten and value to two significant figures
    ("amount", casefile.stats.sql.AMOUNT_KEY). Statement-level triggers on cases and
    amounts append what each statement added to and took from the public cases (the
    visibility rule as stamped on each case row), as FacetRollup's do; readers add the
    rows up and fold them now and then (migration stats 0001)."""

    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=60, help_text="The value as text.")
    count = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            # Readers add the rows up by value.
            models.Index(fields=["facet", "value"], name="stats_rollup_value"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}: {self.count:+}"
