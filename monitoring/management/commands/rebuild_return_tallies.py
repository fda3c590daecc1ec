from django.core.management.base import BaseCommand

from monitoring.tallies import counted, kept, rebuild_tallies


class Command(BaseCommand):
    help = (
        "Recount the returns dashboard's tallies from the returns (after rows were written behind the services). "
        "With --check, only report whether the tallies kept equal a full recount."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare without rebuilding.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            expected, actual = counted(), kept()
            differing = {k for k in expected.keys() | actual.keys() if expected.get(k, 0) != actual.get(k, 0)}
            if differing:
                self.stdout.write(self.style.ERROR(f"{len(differing)} tallies differ from a full recount."))
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS(f"The {len(actual)} tallies equal a full recount."))
            return
        rows = rebuild_tallies()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the returns dashboard's tallies: {rows} rows."))
