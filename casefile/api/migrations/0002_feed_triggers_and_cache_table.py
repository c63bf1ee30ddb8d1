"""Database pieces the change feed and the rate limits rely on.

- A deleted case leaves a row in api_casedeletion, so the feed can tell mirrors.
- The cache table shared by all server processes (rate limits), created here so a
  fresh machine or container needs no extra step.
"""

from django.core.management import call_command
from django.db import migrations

CASE_DELETIONS = """
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

DROP_CASE_DELETIONS = """
DROP TRIGGER IF EXISTS casefile_record_case_deletions ON cases_case;
DROP FUNCTION IF EXISTS casefile_record_case_deletions();
"""


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("cases", "0002_search_docket_grams"),
    ]

    operations = [
        migrations.RunSQL(CASE_DELETIONS, DROP_CASE_DELETIONS),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
