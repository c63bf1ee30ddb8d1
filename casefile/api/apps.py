from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "casefile.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from casefile.api import schema  # noqa: F401  (registers the token scheme)
