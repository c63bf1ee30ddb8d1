from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "casefile.editorial"
    label = "editorial"
    verbose_name = "Editorial workflow"
