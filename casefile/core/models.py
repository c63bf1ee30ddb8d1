from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(
        auto_now=True,
        editable=False,
        help_text="When this record last changed (database triggers also touch it "
        "when a part of the record changes).",
    )

    class Meta:
        abstract = True
