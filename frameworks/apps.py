from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "frameworks"
    verbose_name = "Frameworks and selection"

    def ready(self) -> None:
        from commissioning.wording import register_action_labels

        register_action_labels(
            {
                "application.lots_saved": "Lots and areas saved",
                "application.lot_decided": "Decision made on a lot",
                "appointment.appointed": "Supplier appointed",
                "appointments.imported": "Appointments imported",
                "evaluation.scores_submitted": "Evaluation scores submitted",
                "evaluation.moderated": "Scores moderated",
            }
        )
        from . import application_evaluation, reminders, reports, work_queues  # noqa: F401  (registers the selection-stage PDFs)

        work_queues.register()

        reminders.register()
        application_evaluation.register_kind()
