from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Awards and contracts"

    def ready(self) -> None:
        from . import reports

        reports.register()
