"""Case.search_vector and Case.text_grams: computed for published cases only.

Only published cases are ever searched, and publishing recomputes them; drafts, which
an import writes 100,000 at a time, no longer pay for a tsvector, the Chinese grams
and their GIN entries. Django cannot alter a generated column, so the state changes
with AlterField and the database with ALTER COLUMN … SET EXPRESSION (PostgreSQL 17+),
from the field's own SQL in each direction.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.search
from django.db import migrations, models

import casefile.core.expressions


def set_expressions(apps, schema_editor):
    """Make the columns' expressions those of the model state at this point."""
    Case = apps.get_model("cases", "Case")
    quote = schema_editor.quote_name
    for name in ("search_vector", "text_grams"):
        sql, params = Case._meta.get_field(name).generated_sql(schema_editor.connection)
        schema_editor.execute(
            f"ALTER TABLE {quote(Case._meta.db_table)} ALTER COLUMN {quote(name)} "
            f"SET EXPRESSION AS ({sql})",
            params or None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_public_data_version"),
    ]

    operations = [
        # Reversed last: back to the previous expressions.
        migrations.RunPython(migrations.RunPython.noop, set_expressions),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="search_vector",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=models.Case(
                            models.When(
                                publication_state="published",
                                then=django.contrib.postgres.search.CombinedSearchVector(
                                    django.contrib.postgres.search.CombinedSearchVector(
                                        django.contrib.postgres.search.SearchVector(
                                            "summary", config="english", weight="A"
                                        ),
                                        "||",
                                        django.contrib.postgres.search.SearchVector(
                                            "reason_en", "outcome", config="english", weight="B"
                                        ),
                                        django.contrib.postgres.search.SearchConfig("english"),
                                    ),
                                    "||",
                                    django.contrib.postgres.search.SearchVector(
                                        "narrative", config="english", weight="C"
                                    ),
                                    django.contrib.postgres.search.SearchConfig("english"),
                                ),
                            ),
                            output_field=django.contrib.postgres.search.SearchVectorField(),
                        ),
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="text_grams",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=models.Case(
                            models.When(
                                publication_state="published",
                                then=casefile.core.expressions.CjkGrams(
                                    "reason_original",
                                    "summary",
                                    "narrative",
                                    "outcome",
                                    "docket_number",
                                ),
                            ),
                            output_field=django.contrib.postgres.fields.ArrayField(
                                base_field=models.TextField(), size=None
                            ),
                        ),
                        output_field=django.contrib.postgres.fields.ArrayField(
                            base_field=models.TextField(), size=None
                        ),
                    ),
                ),
            ]
        ),
        migrations.RunPython(set_expressions, migrations.RunPython.noop),
    ]
