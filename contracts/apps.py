from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Awards and contracts"

    def ready(self) -> None:
        from . import framework_report, reports
        from .award import reports as award_reports  # noqa: F401  (award PDFs, reminders, tasks)

        reports.register()
        framework_report.register()
        from . import reminders
        from .award import evaluation

        reminders.register()
        evaluation.register_kinds()
