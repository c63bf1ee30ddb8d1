"""Database pieces the change feed and the rate limits rely on.

- Every write to a case takes its `updated_at` from the database clock at the moment
  of the write (clock_timestamp()), whoever writes it (ORM save, queryset update, raw
  SQL): the change feed then compares times from one clock, never an app server's.
- A deleted case leaves a row in api_casedeletion, so the feed can tell mirrors.
- The cache table shared by all server processes (rate limits), created here so a
  fresh machine or container needs no extra step.
"""

from django.core.management import call_command
from django.db import migrations

CASE_CLOCK = """
CREATE OR REPLACE FUNCTION casefile_case_updated_now() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casefile_case_updated_now
    BEFORE INSERT OR UPDATE ON cases_case
    FOR EACH ROW EXECUTE FUNCTION casefile_case_updated_now();

CREATE OR REPLACE FUNCTION casefile_record_case_deletions() RETURNS trigger AS $$
BEGIN
    INSERT INTO api_casedeletion (public_id, deleted_at)
    SELECT public_id, clock_timestamp() FROM old_rows;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casefile_record_case_deletions
    AFTER DELETE ON cases_case REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION casefile_record_case_deletions();
"""

DROP_CASE_CLOCK = """
DROP TRIGGER IF EXISTS casefile_record_case_deletions ON cases_case;
DROP FUNCTION IF EXISTS casefile_record_case_deletions();
DROP TRIGGER IF EXISTS casefile_case_updated_now ON cases_case;
DROP FUNCTION IF EXISTS casefile_case_updated_now();
"""


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("cases", "0002_search_docket_grams"),
    ]

    operations = [
        migrations.RunSQL(CASE_CLOCK, DROP_CASE_CLOCK),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
