from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Awards and contracts"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from commissioning.wording import register_action_labels

        from .models.terms import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="contracts-sqlite-functions")

        register_action_labels(
            {
                "contracts.year_value_set": "Value for a financial year set",
                "contracts.funding_set": "Funding set",
                "competition.standstill_started": "Standstill period started",
                "competition.closing_time_moved": "Closing time moved",
                "notice.due": "Notice due",
                "framework.awarded": "Framework awarded",
            }
        )
        from . import framework_report, reports
        from .award import reports as award_reports  # noqa: F401  (award PDFs, reminders, tasks)

        reports.register()
        framework_report.register()
        from . import reminders
        from .award import evaluation
        from .notices import handlers as notice_handlers
        from .notices import reminders as notice_reminders
        from .notices import reports as notice_reports
        from .notices import tasks as notice_tasks  # noqa: F401  (registers the daily sync task)

        reminders.register()
        evaluation.register_kinds()
        notice_reports.register()
        notice_reminders.register()
        notice_handlers.register()
        from commissioning.audit import register_revealer

        from .award.sealing import prepare_events, reveal_event

        register_revealer(reveal_event, prepare=prepare_events)
        from . import work_queues
        from .award import work_queues as award_queues
        from .grants import work_queues as grant_queues

        award_queues.register()
        work_queues.register()
        grant_queues.register()
