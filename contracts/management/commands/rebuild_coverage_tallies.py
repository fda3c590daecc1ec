from commissioning.management.recount import RecountCommand
from contracts import coverage_tallies as contract_tallies
from frameworks import coverage_tallies as appointment_tallies


class Command(RecountCommand):
    help = (
        "Recount the tallies kept from the appointments and contracts (the coverage matrix's appointees and live "
        "contracts per lot and area, the returns dashboard's live contracts per lot and term, the suppliers each "
        "framework shares with partners), after rows were written "
        "behind the services. With --check, only report whether the tallies kept equal a full recount."
    )

    def compare(self) -> tuple[str | None, str]:
        appointees = appointment_tallies.APPOINTEES.differing()
        suppliers = appointment_tallies.SHARED_SUPPLIERS.differing()
        contracts = contract_tallies.differing()
        terms = contract_tallies.terms_differing()
        problem = None
        if appointees or suppliers or contracts or terms:
            problem = (
                f"{len(appointees)} appointee tallies, {len(suppliers)} shared supplier tallies, "
                f"{len(contracts)} live contract tallies and {len(terms)} contract term tallies differ from a "
                "full recount."
            )
        return problem, "The coverage tallies equal a full recount."

    def rebuild(self) -> str:
        appointments, contracts = appointment_tallies.rebuild(), contract_tallies.rebuild()
        return (
            f"Rebuilt the coverage tallies: {appointments} appointee and shared supplier rows, "
            f"{contracts} live contract and contract term rows."
        )
