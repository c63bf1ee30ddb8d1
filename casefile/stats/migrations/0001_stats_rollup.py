"""StatsRollup: the whole archive's years removed, durations and amounts, kept by the
database as FacetRollup keeps the facet counts (cases 0016), so /stats/ of the whole
archive adds up a few thousand rows instead of reading every case and amount, also
right after a publication.

Triggers on cases append, for the cases each statement made public (+) and made leave
(-), their year removed, duration and amounts; triggers on amounts append the amounts
written (+) and removed (-) of cases that are public. An amount written to a public
case also touches the case (its touch trigger), whose update adds and takes away the
same amounts: the sum is unchanged. casefile_compact_stats_rollup() folds the rows into
one per value; casefile_rebuild_stats_rollup() recounts from scratch (this migration,
generate_cases).
"""

from django.db import migrations, models

from casefile.stats.sql import AMOUNT_KEY, DURATION, REMOVED_UNDATED, REMOVED_YEAR

STAMPED_PUBLIC = "{row}.first_public_at IS NOT NULL AND {row}.left_public_at IS NULL"

# The values of a set of case rows (alias c), one (facet, value) row each: of the case
# itself, and (CASE_AMOUNTS) of its amounts, joined rather than looked up case by case
# (generate_cases rebuilds before the index on amounts' case_id is back).
CASE_VALUES = f"""
    CROSS JOIN LATERAL (
        SELECT 'removed', ({REMOVED_YEAR.format(c="c")})::text WHERE c.removed_on IS NOT NULL
        UNION ALL SELECT 'removed', 'undated' WHERE {REMOVED_UNDATED.format(c="c")}
        UNION ALL SELECT 'duration', ({DURATION.format(c="c")})::text
            WHERE c.listed_on IS NOT NULL AND c.removed_on IS NOT NULL
    ) AS f(facet, value)
"""
CASE_AMOUNTS = (
    "JOIN cases_amount AS a ON a.case_id = c.id, "
    f"LATERAL (SELECT 'amount', {AMOUNT_KEY.format(a='a')}) AS f(facet, value)"
)

COMPACT = """
CREATE OR REPLACE FUNCTION casefile_compact_stats_rollup() RETURNS void
LANGUAGE sql AS $fn$
    WITH folded AS (DELETE FROM stats_statsrollup RETURNING facet, value, count)
    INSERT INTO stats_statsrollup (facet, value, count)
    SELECT facet, value, sum(count) FROM folded
    GROUP BY facet, value HAVING sum(count) <> 0;
$fn$;
"""

REBUILD = f"""
CREATE OR REPLACE FUNCTION casefile_rebuild_stats_rollup() RETURNS void
LANGUAGE sql AS $fn$
    DELETE FROM stats_statsrollup;
    INSERT INTO stats_statsrollup (facet, value, count)
    SELECT facet, value, count(*) FROM (
        SELECT f.facet, f.value FROM cases_case AS c {CASE_VALUES}
        WHERE {STAMPED_PUBLIC.format(row="c")}
        UNION ALL
        SELECT f.facet, f.value FROM cases_case AS c {CASE_AMOUNTS}
        WHERE {STAMPED_PUBLIC.format(row="c")}
    ) AS v
    GROUP BY facet, value;
$fn$;
"""


def case_delta(name: str, tables: list[tuple[int, str]]) -> str:
    rows = "\n        UNION ALL\n".join(
        f"        SELECT {sign} AS delta, t.* FROM {table} AS t "
        f"WHERE {STAMPED_PUBLIC.format(row='t')}"
        for sign, table in tables
    )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    WITH c AS (
{rows}
    )
    INSERT INTO stats_statsrollup (facet, value, count)
    SELECT facet, value, sum(delta) FROM (
        SELECT f.facet, f.value, c.delta FROM c {CASE_VALUES}
        UNION ALL
        SELECT f.facet, f.value, c.delta FROM c {CASE_AMOUNTS}
    ) AS v
    GROUP BY facet, value
    HAVING sum(delta) <> 0;
    RETURN NULL;
END
$fn$;
"""


def amount_delta(name: str, tables: list[tuple[int, str]]) -> str:
    rows = "\n        UNION ALL\n".join(
        f"        SELECT {sign} AS delta, t.* FROM {table} AS t" for sign, table in tables
    )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO stats_statsrollup (facet, value, count)
    SELECT 'amount', {AMOUNT_KEY.format(a="a")}, sum(a.delta)
    FROM (
{rows}
    ) AS a
    JOIN cases_case AS c ON c.id = a.case_id
    WHERE {STAMPED_PUBLIC.format(row="c")}
    GROUP BY 2
    HAVING sum(a.delta) <> 0;
    RETURN NULL;
END
$fn$;
"""


FUNCTIONS = (
    COMPACT
    + REBUILD
    + case_delta("casefile_stats_rollup_case_insert", [(1, "new_rows")])
    + case_delta("casefile_stats_rollup_case_update", [(1, "new_rows"), (-1, "old_rows")])
    + case_delta("casefile_stats_rollup_case_delete", [(-1, "old_rows")])
    + amount_delta("casefile_stats_rollup_amount_insert", [(1, "new_rows")])
    + amount_delta("casefile_stats_rollup_amount_update", [(1, "new_rows"), (-1, "old_rows")])
    + amount_delta("casefile_stats_rollup_amount_delete", [(-1, "old_rows")])
)


def triggers(table: str, prefix: str, function: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS {prefix}_ins ON {table};
DROP TRIGGER IF EXISTS {prefix}_upd ON {table};
DROP TRIGGER IF EXISTS {prefix}_del ON {table};
CREATE TRIGGER {prefix}_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}_insert();
CREATE TRIGGER {prefix}_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}_update();
CREATE TRIGGER {prefix}_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}_delete();
"""


TRIGGERS = triggers(
    "cases_case", "casefile_stats_rollup_case", "casefile_stats_rollup_case"
) + triggers("cases_amount", "casefile_stats_rollup_amount", "casefile_stats_rollup_amount")


def drop(table: str, prefix: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS {prefix}_{op} ON {table};\n" for op in ("ins", "upd", "del")
    )


DROP = (
    drop("cases_case", "casefile_stats_rollup_case")
    + drop("cases_amount", "casefile_stats_rollup_amount")
    + "".join(
        f"DROP FUNCTION IF EXISTS casefile_stats_rollup_{table}_{op}();\n"
        for table in ("case", "amount")
        for op in ("insert", "update", "delete")
    )
    + "DROP FUNCTION IF EXISTS casefile_rebuild_stats_rollup();\n"
    + "DROP FUNCTION IF EXISTS casefile_compact_stats_rollup();\n"
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0017_quote_check"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatsRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("facet", models.CharField(max_length=20)),
                ("value", models.CharField(help_text="The value as text.", max_length=60)),
                ("count", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["facet", "value"], name="stats_rollup_value")],
            },
        ),
        migrations.RunSQL(FUNCTIONS, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP),
        migrations.RunSQL("SELECT casefile_rebuild_stats_rollup()", migrations.RunSQL.noop),
    ]
