from django.core.management.base import BaseCommand

from monitoring.services import set_up_missing_indicators


class Command(BaseCommand):
    help = (
        "Give every live contract the indicators its set lacks (idempotent). Run after `migrate` on a "
        "database whose contracts went live before monitoring set indicators up on hearing of it."
    )

    def handle(self, *args, **options):
        completed = set_up_missing_indicators()
        for contract in completed:
            self.stdout.write(f"  {contract.reference}: indicators set up")
        self.stdout.write(self.style.SUCCESS(f"{len(completed)} live contract(s) given missing indicators."))
