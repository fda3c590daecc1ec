from datetime import date

from django.core.management.base import BaseCommand, CommandError

from commissioning.notifications import run_sweep


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Run the reminder sweep now: send every reminder due today (or on --date) that has not been "
        "sent, and retry unsent ones. Safe to run at any time: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=str, help="Sweep as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = _date(options["date"]) if options["date"] else None
        result = run_sweep(today)
        self.stdout.write(self.style.SUCCESS(str(result)))
        if result.counts.get("source_errors"):
            raise CommandError(f"{result.counts['source_errors']} reminder source(s) failed; see the log.")
