from django.core.management.base import BaseCommand, CommandError

from commissioning.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain and report the first broken link: in full, or with --incremental "
        "from the last event a verification found intact."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Start from the last verified event (its hash is checked again) instead of the first.",
        )

    def handle(self, *args, incremental: bool = False, **options):
        checked, broken = verify_chain(incremental=incremental)
        if broken is not None:
            raise CommandError(
                f"Audit trail broken at event {broken.event_id}: {broken.reason}. "
                f"{checked} events before it are intact."
            )
        how = "from the last verified event" if incremental else "in full"
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} events verified ({how})."))
