from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Awards and contracts"

    def ready(self) -> None:
        from . import framework_report, reports

        reports.register()
        framework_report.register()
