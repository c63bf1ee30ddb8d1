"""Untitled sources (issue 10): a source may have no title when it has a URL (a wire story
syndicated elsewhere, a repost, a paywalled page known by its address); pages then name it
by its outlet and date, or its URL. A source's language may be blank: not known."""

from django.db import migrations, models

import casefile.core.constraints


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0004_no_control_characters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="source",
            name="language",
            field=models.CharField(
                blank=True,
                default="en",
                help_text="BCP 47 language tag, e.g. en, zh-Hans; blank when not known.",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="title",
            field=models.CharField(
                blank=True,
                help_text="Blank when the source has no usable title (a syndicated wire story, a repost, a page known by its address): it is then named by its outlet and date, or its URL. A source without a title needs its URL.",
                max_length=500,
            ),
        ),
        migrations.AlterField(
            model_name="sourcechange",
            name="language",
            field=models.CharField(
                blank=True,
                default="en",
                help_text="BCP 47 language tag, e.g. en, zh-Hans; blank when not known.",
                max_length=12,
            ),
        ),
        migrations.AlterField(
            model_name="sourcechange",
            name="title",
            field=models.CharField(
                blank=True,
                help_text="Blank when the source has no usable title (a syndicated wire story, a repost, a page known by its address): it is then named by its outlet and date, or its URL. A source without a title needs its URL.",
                max_length=500,
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=casefile.core.constraints.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("title", ""), _negated=True),
                    models.Q(("url", ""), _negated=True),
                    _connector="OR",
                ),
                field="title",
                name="source_has_title_or_url",
                violation_error_message="Give the source's title, or its URL when it has no usable title.",
            ),
        ),
    ]
