"""Stored text holds no control characters but tab and line feed: rows written before
the rule are cleaned first (line breaks as "\\n", other control characters dropped),
then each text column gets its CHECK constraint.

The cleaning is one UPDATE per table, of the rows that need it only: their history
records it under the action "clean_text", and the triggers touch the cases it changes,
so the change feed, ETags and stored records follow. Self-contained: it names its own
tables and columns.
"""

import django.db.models.lookups
import pghistory
from django.db import migrations, models

import casefile.core.constraints
import casefile.core.expressions

# (text columns, text-array columns) of each table
TEXT_COLUMNS = {
    "people_person": (
        ["name_original", "name_romanized", "pseudonym", "occupation", "notes"],
        ["aliases"],
    ),
}
CONTROL = r"[\x01-\x08\x0b-\x1f\x7f-\x9f]"  # a NUL cannot be stored at all


def cleaned(expression: str) -> str:
    """SQL of `expression` (text) with "\\r\\n" and "\\r" as "\\n" and no other control
    character."""
    breaks = f"regexp_replace({expression}, '\\r\\n?', chr(10), 'g')"
    return f"regexp_replace({breaks}, '{CONTROL}', '', 'g')"


def clean_text_columns(apps, schema_editor):
    with pghistory.context(action="clean_text"), schema_editor.connection.cursor() as cursor:
        # Foreign-key checks at once, not at commit: ALTER TABLE refuses a table with
        # checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, (columns, arrays) in TEXT_COLUMNS.items():
            assignments = [f'"{column}" = ' + cleaned(f'"{column}"') for column in columns]
            assignments += [
                f'"{array}" = ARRAY(SELECT {cleaned("item")} FROM unnest("{array}") '
                f"WITH ORDINALITY AS items(item, n) ORDER BY n)"
                for array in arrays
            ]
            dirty = [f"\"{column}\" ~ '{CONTROL}'" for column in columns]
            dirty += [f"array_to_string(\"{array}\", '') ~ '{CONTROL}'" for array in arrays]
            cursor.execute(
                f'UPDATE "{table}" SET {", ".join(assignments)} WHERE {" OR ".join(dirty)}'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_touch_cases_on_public_columns"),
    ]

    operations = [
        migrations.RunPython(clean_text_columns, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="person",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("name_original"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="name_original",
                name="person_name_original_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("name_romanized"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="name_romanized",
                name="person_name_romanized_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("pseudonym"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="pseudonym",
                name="person_pseudonym_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("occupation"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="occupation",
                name="person_occupation_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("notes"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="notes",
                name="person_notes_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        casefile.core.expressions.ArrayToString(
                            models.F("aliases"), models.Value("")
                        ),
                        "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]",
                    ),
                    _negated=True,
                ),
                field="aliases",
                name="person_aliases_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
    ]
