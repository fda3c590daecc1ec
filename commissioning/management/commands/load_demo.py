from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commissioning.demo import DEMO_PASSWORD, DEMO_USERS, load_core
from suppliers.demo import load_suppliers


class Command(BaseCommand):
    help = "Load the demo data (idempotent). Refuses to run when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo sets a shared demo password, so it only runs with DEBUG on. "
                "It is never for a production database."
            )
        users = load_core()
        load_suppliers(users)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with any of:"))
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec.email:<22} {spec.role:<10} password: {DEMO_PASSWORD}")
