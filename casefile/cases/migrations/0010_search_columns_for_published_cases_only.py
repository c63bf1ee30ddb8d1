"""Case.search_vector and Case.text_grams: computed for published cases only.

Only published cases are ever searched, and publishing recomputes them; drafts, which
an import writes 100,000 at a time, no longer pay for a tsvector, the Chinese grams
and their GIN entries. A generated column cannot be altered before PostgreSQL 17, so
each is dropped with its index and added again (as in 0002): one rewrite of the table.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

import casefile.core.expressions


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_published_listed_ascending_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_search_vector"),
        migrations.RemoveIndex(model_name="case", name="case_text_grams"),
        migrations.RemoveField(model_name="case", name="search_vector"),
        migrations.RemoveField(model_name="case", name="text_grams"),
        migrations.AddField(
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
        migrations.AddField(
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
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="case_search_vector"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["text_grams"], name="case_text_grams"
            ),
        ),
    ]
