from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning core"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from simple_history.signals import pre_create_historical_record

        from . import admin_widgets, checks, choices, numbers, signals, uploads  # noqa: F401
        from .clock import date_automatic_times, date_field_history

        pre_create_historical_record.connect(date_field_history, dispatch_uid="commissioning.clock")
        post_save.connect(date_automatic_times, dispatch_uid="commissioning.clock.automatic_times")
        choices.connect()
        numbers.use_in_the_admin()
        admin_widgets.use_in_the_admin()
        uploads.use_in_the_admin()
