from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "casefile.sources"
    label = "sources"
    verbose_name = "Sources"
