from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"
    verbose_name = "Frameworks and selection"

    def ready(self) -> None:
        from . import application_evaluation, reminders, reports, work_queues  # noqa: F401  (registers the selection-stage PDFs)

        work_queues.register()

        reminders.register()
        application_evaluation.register_kind()
