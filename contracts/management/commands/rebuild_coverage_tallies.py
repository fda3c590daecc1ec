from commissioning.management.recount import RecountCommand
from contracts import coverage_tallies as contract_tallies
from frameworks import coverage_tallies as appointee_tallies


class Command(RecountCommand):
    help = (
        "Recount the coverage matrix's tallies (appointees and live contracts per lot and area) from the "
        "appointments and contracts, after rows were written behind the services. With --check, only report "
        "whether the tallies kept equal a full recount."
    )

    def compare(self) -> tuple[str | None, str]:
        appointees, contracts = appointee_tallies.differing(), contract_tallies.differing()
        problem = None
        if appointees or contracts:
            problem = (
                f"{len(appointees)} appointee tallies and {len(contracts)} live contract tallies differ from a full "
                "recount."
            )
        return problem, "The coverage tallies equal a full recount."

    def rebuild(self) -> str:
        appointees, contracts = appointee_tallies.rebuild(), contract_tallies.rebuild()
        return f"Rebuilt the coverage matrix's tallies: {appointees} appointee rows, {contracts} live contract rows."
