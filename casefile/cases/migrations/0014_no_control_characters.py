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

# (text columns, text-array columns) of each table
TEXT_COLUMNS = {
    "cases_case": (
        [
            "docket_number",
            "reason_original",
            "reason_en",
            "summary",
            "narrative",
            "outcome",
            "retraction_note",
            "external_key",
            "notes",
            "review_comment",
        ],
        [],
    ),
    "cases_restriction": (["details"], []),
    "cases_amount": (["as_reported", "description"], []),
    "cases_event": (["description"], []),
    "cases_citation": (["locator", "quote"], []),
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
        ("cases", "0013_name_leak_override"),
    ]

    operations = [
        migrations.RunPython(clean_text_columns, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="amount",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("as_reported"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="as_reported",
                name="amount_as_reported_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="amount",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("description"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="description",
                name="amount_description_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("docket_number"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="docket_number",
                name="case_docket_number_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("reason_original"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="reason_original",
                name="case_reason_original_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("reason_en"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="reason_en",
                name="case_reason_en_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("summary"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="summary",
                name="case_summary_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("narrative"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="narrative",
                name="case_narrative_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("outcome"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="outcome",
                name="case_outcome_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("retraction_note"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="retraction_note",
                name="case_retraction_note_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("external_key"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="external_key",
                name="case_external_key_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("notes"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="notes",
                name="case_notes_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="case",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("review_comment"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="review_comment",
                name="case_review_comment_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="citation",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("locator"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="locator",
                name="citation_locator_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="citation",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("quote"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="quote",
                name="citation_quote_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("description"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="description",
                name="event_description_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="restriction",
            constraint=casefile.core.constraints.PlainTextConstraint(
                condition=models.Q(
                    django.db.models.lookups.Regex(
                        models.F("details"), "[\\x01-\\x08\\x0b-\\x1f\\x7f-\\x9f]"
                    ),
                    _negated=True,
                ),
                field="details",
                name="restriction_details_plain_text",
                violation_error_message="Text may hold tabs and line breaks, no other control characters.",
            ),
        ),
    ]
