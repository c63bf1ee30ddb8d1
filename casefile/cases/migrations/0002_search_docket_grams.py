import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

import casefile.core.expressions

# A generated column cannot be altered: drop it (and its index) and add it again
# with the docket number among the Chinese text searched by substring.


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_text_grams"),
        migrations.RemoveField(model_name="case", name="text_grams"),
        migrations.AddField(
            model_name="case",
            name="text_grams",
            field=models.GeneratedField(
                db_persist=True,
                expression=casefile.core.expressions.CjkGrams(
                    "reason_original", "summary", "narrative", "outcome", "docket_number"
                ),
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.TextField(), size=None
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["text_grams"], name="case_text_grams"
            ),
        ),
    ]
