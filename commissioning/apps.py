from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning core"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
