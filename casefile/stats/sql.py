"""SQL shared by the figures' queries (casefile.stats.figures) and the triggers that keep
the whole archive's figures (StatsRollup, migration stats 0001), so that the two count
alike. Changing one of these needs a migration that installs the functions again
(migration 0001's FUNCTIONS) and rebuilds the rollup."""

# {c}: a row of cases_case.
REMOVED_YEAR = "extract(year FROM {c}.removed_on)::int"
# Removed from the list, and no date known.
REMOVED_UNDATED = "({c}.status = 'removed' AND {c}.removed_on IS NULL)"
# Whole years from listing to removal, both dates known: by the calendar years when
# either date is known only to the year (listed in 2016, removed in 2018: two years).
DURATION = (
    "CASE WHEN {c}.listed_on IS NULL OR {c}.removed_on IS NULL THEN NULL "
    "WHEN {c}.listed_on_precision = 'year' OR {c}.removed_on_precision = 'year' "
    "THEN (extract(year FROM {c}.removed_on) - extract(year FROM {c}.listed_on))::int "
    "ELSE greatest(extract(year FROM age({c}.removed_on, {c}.listed_on)), 0)::int END"
)

# {v}: an amount's value. Its power of ten (-1: above zero, under one; NULL: zero), and
# the value to two significant figures, which the median is taken of: the whole
# archive's median is then read from a few thousand counted values rather than sorting
# every amount, and a search's is the same figure for the same amounts.
# (The logarithm of a double: numeric's costs some ten microseconds a value.)
AMOUNT_DECADE = "CASE WHEN {v} = 0 THEN NULL ELSE greatest(floor(log({v}::float8)), -1)::int END"
AMOUNT_ROUNDED = "CASE WHEN {v} = 0 THEN 0 ELSE round({v}, 1 - floor(log({v}::float8))::int) END"
# The rollup's key of one amount: kind|currency|decade|rounded value.
AMOUNT_KEY = (
    "concat_ws('|', {a}.kind, {a}.currency, coalesce(("
    + AMOUNT_DECADE.format(v="{a}.value")
    + ")::text, ''), ("
    + AMOUNT_ROUNDED.format(v="{a}.value")
    + ")::text)"
)
