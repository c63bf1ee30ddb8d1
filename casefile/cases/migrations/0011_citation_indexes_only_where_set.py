"""Citation indexes: none of its own for capture (citation_capture_case leads with it),
and each claim column indexed only where set. A citation has one claim, so the full
indexes held mostly NULLs; an import of 100,000 rows writes 400,000 citations.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_search_columns_for_published_cases_only"),
        ("sources", "0002_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="citation",
            name="amount",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="citations",
                to="cases.amount",
            ),
        ),
        migrations.AlterField(
            model_name="citation",
            name="capture",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="citations",
                to="sources.sourcecapture",
            ),
        ),
        migrations.AlterField(
            model_name="citation",
            name="event",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="citations",
                to="cases.event",
            ),
        ),
        migrations.AlterField(
            model_name="citation",
            name="restriction",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="citations",
                to="cases.restriction",
            ),
        ),
        migrations.AddIndex(
            model_name="citation",
            index=models.Index(
                condition=models.Q(("restriction__isnull", False)),
                fields=["restriction"],
                name="citation_restriction",
            ),
        ),
        migrations.AddIndex(
            model_name="citation",
            index=models.Index(
                condition=models.Q(("amount__isnull", False)),
                fields=["amount"],
                name="citation_amount",
            ),
        ),
        migrations.AddIndex(
            model_name="citation",
            index=models.Index(
                condition=models.Q(("event__isnull", False)),
                fields=["event"],
                name="citation_event",
            ),
        ),
    ]
