from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"
    verbose_name = "Frameworks and selection"
