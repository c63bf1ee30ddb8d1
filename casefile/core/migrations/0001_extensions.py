from django.contrib.postgres.operations import (
    BtreeGinExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations

# Grams of Chinese text for index-bound substring search: pg_trgm cannot index a
# two-character name such as 刘虎 (it has no whole trigram), so rows also carry
# every character and every pair of characters of their Chinese text in a GIN-
# indexed array; casefile.core.text.cjk_query_grams() turns a query into grams.
CJK_GRAMS = r"""
CREATE OR REPLACE FUNCTION casefile_cjk_grams(parts text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT gram ORDER BY gram), '{}'::text[])
  FROM unnest(parts) AS part
  CROSS JOIN LATERAL regexp_matches(
      part, '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+', 'g') AS run(chars)
  CROSS JOIN LATERAL generate_series(1, char_length(run.chars[1])) AS position
  CROSS JOIN LATERAL (VALUES
      (substr(run.chars[1], position, 1)),
      (CASE WHEN position < char_length(run.chars[1]) THEN substr(run.chars[1], position, 2) END)
  ) AS grams(gram)
  WHERE gram IS NOT NULL
$$;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        BtreeGinExtension(),
        migrations.RunSQL(CJK_GRAMS, "DROP FUNCTION IF EXISTS casefile_cjk_grams(text[])"),
    ]
