from django.core.management.base import BaseCommand

from contracts import coverage_tallies as contract_tallies
from frameworks import coverage_tallies as appointee_tallies


class Command(BaseCommand):
    help = (
        "Recount the coverage matrix's tallies (appointees and live contracts per lot and area) from the "
        "appointments and contracts, after rows were written behind the services. With --check, only report "
        "whether the tallies kept equal a full recount."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare without rebuilding.")

    def handle(self, *args, check: bool = False, **options):
        if check:
            appointees, contracts = appointee_tallies.differing(), contract_tallies.differing()
            if appointees or contracts:
                self.stdout.write(
                    self.style.ERROR(
                        f"{len(appointees)} appointee tallies and {len(contracts)} live contract tallies differ "
                        "from a full recount."
                    )
                )
                raise SystemExit(1)
            self.stdout.write(self.style.SUCCESS("The coverage tallies equal a full recount."))
            return
        appointees, contracts = appointee_tallies.rebuild(), contract_tallies.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the coverage matrix's tallies: {appointees} appointee rows, {contracts} live contract rows."
            )
        )
