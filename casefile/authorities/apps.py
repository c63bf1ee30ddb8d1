from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "casefile.authorities"
    label = "authorities"
    verbose_name = "Authorities"
