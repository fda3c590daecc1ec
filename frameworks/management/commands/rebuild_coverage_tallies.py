from django.core.management.base import BaseCommand

from frameworks import coverage_tallies


class Command(BaseCommand):
    help = (
        "Recount the coverage matrix's appointee tallies from the appointments (after rows were written behind "
        "the services). With --check, only report whether the tallies kept equal a full recount."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare without rebuilding.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            differing = coverage_tallies.differing()
            if differing:
                self.stdout.write(self.style.ERROR(f"{len(differing)} appointee tallies differ from a full recount."))
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("The appointee tallies equal a full recount."))
            return
        rows = coverage_tallies.rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the coverage matrix's appointee tallies: {rows} rows."))
