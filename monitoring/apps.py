from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Performance monitoring"

    def ready(self) -> None:
        from . import handlers, reminders, reports, work_queues  # noqa: F401  (registers the monitoring PDFs)

        reminders.register()
        handlers.register()
        work_queues.register()
