from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Awards and contracts"

    def ready(self) -> None:
        from . import award_reports, framework_report, reports  # noqa: F401  (award_reports: award PDFs, reminders, tasks)

        reports.register()
        framework_report.register()
        from . import reminders

        reminders.register()
