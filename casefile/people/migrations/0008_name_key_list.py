"""Duplicate checks (issue 10): a GIN index on each person's whole name keys as an array, so
that the importer finds, for a whole file at once, the people of every privacy level who
share a name form with its rows (casefile.people.matching)."""

import django.contrib.postgres.indexes
from django.db import migrations

import casefile.core.expressions


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_name_forms"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                casefile.core.expressions.KeyList(), name="person_name_key_list"
            ),
        ),
    ]
