"""Facet counts that stay cheap at a million cases.

FacetRollup holds how many public cases have each value of each facet (list, offence,
status, year listed, notified, authority, restriction kind), as rows to add up: the
unfiltered search page reads it instead of counting every public case, also right after
a case is published. Statement-level triggers on cases append what each statement made
public (+) and made leave (-), by the visibility rule as stamped on each row
(casefile.cases.visibility.STAMPED_PUBLIC_SQL, kept by the trigger of 0012). Appending
locks no counter row, so concurrent publishing never waits or deadlocks on them;
casefile_compact_facet_rollup() folds the rows into one per value, and
casefile_rebuild_facet_rollup() recounts from scratch (this migration, generate_cases).

case_published_sample indexes one published case in SAMPLE_MODULUS (64) by id, with
every column facet counts read: a result set larger than 10,000 cases is counted on its
sample and the counts scaled (estimates, shown as such).
"""

from django.db import migrations, models

STAMPED_PUBLIC = "{row}.first_public_at IS NOT NULL AND {row}.left_public_at IS NULL"

# The facet values of a set of case rows, one (facet, value) row each; restriction kinds
# one row per kind. NULLs become "".
FACET_VALUES = """
    CROSS JOIN LATERAL (
        SELECT 'list', c.list_name
        UNION ALL SELECT 'offence', c.offence_category
        UNION ALL SELECT 'status', c.status
        UNION ALL SELECT 'year', coalesce(c.listed_year::text, '')
        UNION ALL SELECT 'notified', coalesce(c.notified::text, '')
        UNION ALL SELECT 'authority', coalesce(c.authority_id::text, '')
        UNION ALL SELECT 'restriction', kind FROM unnest(c.restriction_kinds) AS kind
    ) AS f(facet, value)
"""

# One row per value again, in one statement: rows appended meanwhile by transactions
# that have not committed are not seen by the DELETE, so they stay and still count.
COMPACT = """
CREATE OR REPLACE FUNCTION casefile_compact_facet_rollup() RETURNS void
LANGUAGE sql AS $fn$
    WITH folded AS (DELETE FROM cases_facetrollup RETURNING facet, value, count)
    INSERT INTO cases_facetrollup (facet, value, count)
    SELECT facet, value, sum(count) FROM folded
    GROUP BY facet, value HAVING sum(count) <> 0;
$fn$;
"""

REBUILD = f"""
CREATE OR REPLACE FUNCTION casefile_rebuild_facet_rollup() RETURNS void
LANGUAGE sql AS $fn$
    DELETE FROM cases_facetrollup;
    INSERT INTO cases_facetrollup (facet, value, count)
    SELECT f.facet, f.value, count(*)
    FROM cases_case AS c {FACET_VALUES}
    WHERE {STAMPED_PUBLIC.format(row="c")}
    GROUP BY f.facet, f.value;
$fn$;
"""


def delta_function(name: str, tables: list[tuple[int, str]]) -> str:
    """A trigger function appending, for each value, the public rows of the transition
    tables counted with their sign."""
    rows = "\n        UNION ALL\n".join(
        f"        SELECT {sign} AS delta, t.* FROM {table} AS t "
        f"WHERE {STAMPED_PUBLIC.format(row='t')}"
        for sign, table in tables
    )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO cases_facetrollup (facet, value, count)
    SELECT f.facet, f.value, sum(c.delta)
    FROM (
{rows}
    ) AS c {FACET_VALUES}
    GROUP BY f.facet, f.value
    HAVING sum(c.delta) <> 0;
    RETURN NULL;
END
$fn$;
"""


# PostgreSQL allows transition tables only on single-event triggers: one per event.
FUNCTIONS = (
    COMPACT
    + REBUILD
    + delta_function("casefile_facet_rollup_insert", [(1, "new_rows")])
    + delta_function("casefile_facet_rollup_update", [(1, "new_rows"), (-1, "old_rows")])
    + delta_function("casefile_facet_rollup_delete", [(-1, "old_rows")])
)
TRIGGERS = """
DROP TRIGGER IF EXISTS casefile_facet_rollup_ins ON cases_case;
DROP TRIGGER IF EXISTS casefile_facet_rollup_upd ON cases_case;
DROP TRIGGER IF EXISTS casefile_facet_rollup_del ON cases_case;
CREATE TRIGGER casefile_facet_rollup_ins AFTER INSERT ON cases_case
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION casefile_facet_rollup_insert();
CREATE TRIGGER casefile_facet_rollup_upd AFTER UPDATE ON cases_case
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION casefile_facet_rollup_update();
CREATE TRIGGER casefile_facet_rollup_del AFTER DELETE ON cases_case
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION casefile_facet_rollup_delete();
"""
DROP = """
DROP TRIGGER IF EXISTS casefile_facet_rollup_ins ON cases_case;
DROP TRIGGER IF EXISTS casefile_facet_rollup_upd ON cases_case;
DROP TRIGGER IF EXISTS casefile_facet_rollup_del ON cases_case;
DROP FUNCTION IF EXISTS casefile_facet_rollup_insert();
DROP FUNCTION IF EXISTS casefile_facet_rollup_update();
DROP FUNCTION IF EXISTS casefile_facet_rollup_delete();
DROP FUNCTION IF EXISTS casefile_rebuild_facet_rollup();
DROP FUNCTION IF EXISTS casefile_compact_facet_rollup();
"""

SAMPLE_INDEX = """
CREATE INDEX case_published_sample ON cases_case
    (authority_id, listed_year, offence_category, list_name, status, notified)
    INCLUDE (person_id, restriction_kinds)
    WHERE publication_state = 'published' AND mod(id, 64) = 0;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_search_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("facet", models.CharField(max_length=20)),
                (
                    "value",
                    models.CharField(
                        blank=True,
                        help_text='The value as text; "" for none (no year, unknown).',
                        max_length=30,
                    ),
                ),
                ("count", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["facet", "value"], name="facet_rollup_value")],
            },
        ),
        migrations.RunSQL(FUNCTIONS, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGERS, DROP),
        migrations.RunSQL("SELECT casefile_rebuild_facet_rollup()", migrations.RunSQL.noop),
        migrations.RunSQL(SAMPLE_INDEX, "DROP INDEX IF EXISTS case_published_sample"),
    ]
