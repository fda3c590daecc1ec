from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Suppliers"

    def ready(self) -> None:
        from . import reminders

        reminders.register()
