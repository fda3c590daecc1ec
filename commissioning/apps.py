from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning core"

    def ready(self) -> None:
        from . import checks, numbers, signals, uploads  # noqa: F401

        numbers.use_in_the_admin()
        uploads.use_in_the_admin()
