from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commissioning.demo import DEMO_PASSWORD, DEMO_USERS

# Each app's demo module has `load(ctx)`; they run in dependency order and share `ctx`.
DEMO_MODULES = [
    "commissioning.demo",
    "suppliers.demo",
    "frameworks.demo",
    "contracts.demo",
    "monitoring.demo",
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo sets a shared demo password, so it only runs with DEBUG on. "
                "It is never for a production database."
            )
        ctx: dict = {}
        with transaction.atomic():
            for name in DEMO_MODULES:
                if find_spec(name) is not None:
                    import_module(name).load(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of:"))
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec.email:<22} {spec.role:<13} password: {DEMO_PASSWORD}")
