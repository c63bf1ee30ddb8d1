"""Duplicate checks (issue 10): a GIN index on each person's whole name keys as an array, so
that the importer finds, for a whole file at once, the people of every privacy level who
share a name form with its rows (casefile.people.matching)."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_no_control_characters"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                models.Func(
                    models.F("name_keys"),
                    models.Value(" "),
                    function="string_to_array",
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
                name="person_name_key_list",
            ),
        ),
    ]
