from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "casefile.core"
    label = "core"
    verbose_name = "Casefile"

    def ready(self):
        # Before any URLconf is read: its patterns name these converters.
        from casefile.core.converters import (
            PublicIdConverter,
            RecordIdConverter,
            Sha256Converter,
        )

        register_converter(PublicIdConverter, "public_id")
        register_converter(RecordIdConverter, "record_id")
        register_converter(Sha256Converter, "sha256")
