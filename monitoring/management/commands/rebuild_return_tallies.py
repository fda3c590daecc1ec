from django.core.management.base import BaseCommand

from monitoring import returns_sent
from monitoring.tallies import counted, kept, rebuild_tallies


class Command(BaseCommand):
    help = (
        "Recount the returns dashboard's tallies and each contract's returns-sent mark from the returns (after rows "
        "were written behind the services). With --check, only report whether those kept equal a full recount."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare without rebuilding.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            expected, actual = counted(), kept()
            differing = {k for k in expected.keys() | actual.keys() if expected.get(k, 0) != actual.get(k, 0)}
            marks = returns_sent.differing()
            if differing or marks:
                self.stdout.write(
                    self.style.ERROR(
                        f"{len(differing)} tallies and {len(marks)} contracts' returns-sent marks differ from a "
                        "full recount."
                    )
                )
                raise SystemExit(1)
            self.stdout.write(
                self.style.SUCCESS(
                    f"The {len(actual)} tallies and every contract's returns-sent mark equal a full recount."
                )
            )
            return
        rows = rebuild_tallies()
        marks = returns_sent.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the returns dashboard's tallies: {rows} rows; {marks} returns-sent marks changed."
            )
        )
