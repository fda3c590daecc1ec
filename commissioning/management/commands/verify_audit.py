from django.core.management.base import BaseCommand, CommandError

from commissioning.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken is not None:
            raise CommandError(
                f"Audit trail broken at event {broken.event_id}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} events verified."))
