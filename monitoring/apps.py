from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Performance monitoring"

    def ready(self) -> None:
        from commissioning.wording import register_action_labels

        register_action_labels(
            {
                "monitoring.return_returned": "Return sent back for amendment",
                "monitoring.indicators_set_up": "Performance indicators set up",
                "monitoring.due_date_changed": "Return due date changed",
            }
        )
        from . import handlers, reminders, reports, work_queues  # noqa: F401  (registers the monitoring PDFs)

        reminders.register()
        handlers.register()
        work_queues.register()
