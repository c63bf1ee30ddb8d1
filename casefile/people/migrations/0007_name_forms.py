"""Every form of a person's name (casefile.people.name_forms): simplified and traditional
characters, pinyin with tone marks and numbers, Wade-Giles, Jyutping and Hong Kong
spellings, in both orders.

name_keys gains the new keys and the new name_spellings holds the forms as written, both
computed in Python for every person, in chunks (a million people in a few minutes).
name_grams is now computed from name_keys, so that the traditional forms' characters are
indexed too: a generated column cannot be altered before PostgreSQL 17, so it is dropped
before the keys are rewritten and added again after (one rewrite of the table).
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

import casefile.core.expressions

CHUNK = 10_000


def derive_names(apps, schema_editor):
    from casefile.people.name_forms import person_name_fields

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        # Only derived columns change: no history rows, no touched cases (the case
        # search text is recomputed by the cases migration that reads name_spellings).
        cursor.execute("ALTER TABLE people_person DISABLE TRIGGER USER")
        last = 0
        while True:
            cursor.execute(
                "SELECT id, name_original, name_romanized, aliases FROM people_person "
                "WHERE id > %s ORDER BY id LIMIT %s",
                [last, CHUNK],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            ids, keys, spellings = [], [], []
            for person_id, original, romanized, aliases in rows:
                names = person_name_fields(original, romanized, tuple(aliases or ()))
                ids.append(person_id)
                keys.append(names.name_keys)
                spellings.append(names.name_spellings)
            cursor.execute(
                "UPDATE people_person AS p SET name_keys = v.keys, name_spellings = v.spellings "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, keys, spellings) "
                "WHERE p.id = v.id",
                [ids, keys, spellings],
            )
            last = ids[-1]
        cursor.execute("ALTER TABLE people_person ENABLE TRIGGER USER")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_no_control_characters"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_name_grams"),
        migrations.RemoveIndex(model_name="person", name="person_public_name_grams"),
        migrations.RemoveField(model_name="person", name="name_grams"),
        migrations.AddField(
            model_name="person",
            name="name_spellings",
            field=models.TextField(
                blank=True,
                default="",
                editable=False,
                help_text="Every form of the names as written (characters, pinyin with and without tones, Wade-Giles, Jyutping, Hong Kong spellings; both name orders), one per line, derived on save. A public figure's cases' search text holds them.",
            ),
        ),
        # The spellings are what a public figure's cases' search text holds of them: a
        # change touches the cases (their text is recomputed; see cases 0013).
        pgtrigger.migrations.RemoveTrigger(
            model_name="person",
            name="touch_cases_of_person_upd",
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="person",
            trigger=pgtrigger.compiler.Trigger(
                name="touch_cases_of_person_upd",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE cases_case SET updated_at = clock_timestamp() WHERE person_id IN (SELECT id FROM (SELECT new_rows.* FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id WHERE (new_rows.name_original, new_rows.name_romanized, new_rows.aliases, new_rows.pseudonym, new_rows.occupation, new_rows.privacy, new_rows.name_spellings) IS DISTINCT FROM (old_rows.name_original, old_rows.name_romanized, old_rows.aliases, old_rows.pseudonym, old_rows.occupation, old_rows.privacy, old_rows.name_spellings)) AS changed);\nRETURN NULL;",
                    hash="4efbc1c63e7d0f332ec20234b7a657928cfa10cf",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_touch_cases_of_person_upd_e1a29",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="people_person",
                    when="AFTER",
                ),
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="name_keys",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Search keys of every name form (casefile.people.name_forms), derived on save: Latin keys (liuhu, huliu, liu2hu3, laufu) and the names in simplified and traditional characters.",
            ),
        ),
        migrations.RunPython(derive_names, migrations.RunPython.noop, elidable=False),
        migrations.AddField(
            model_name="person",
            name="name_grams",
            field=models.GeneratedField(
                db_persist=True,
                expression=casefile.core.expressions.CjkGrams(models.F("name_keys")),
                help_text="Chinese characters and character pairs of the names in every script, for search.",
                output_field=django.contrib.postgres.fields.ArrayField(
                    base_field=models.TextField(), size=None
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["name_grams"], name="person_name_grams"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("privacy", "public")),
                fields=["name_grams"],
                name="person_public_name_grams",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                casefile.core.expressions.KeyList(),
                condition=models.Q(("privacy", "public")),
                name="person_public_name_key_list",
            ),
        ),
    ]
