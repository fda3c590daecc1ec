from commissioning.management.recount import RecountCommand
from contracts import decision_points


class Command(RecountCommand):
    help = (
        "Store every live contract's next decision point (the officers' queue of contracts reaching one reads "
        "it), after rows were written behind the services. With --check, only report whether the stored points "
        "equal the ones worked out from the contracts' terms."
    )

    def compare(self) -> tuple[str | None, str]:
        stale = decision_points.differing()
        problem = f"{len(stale)} contracts' stored decision points differ from their terms." if stale else None
        return problem, "Every contract's stored decision point follows from its terms."

    def rebuild(self) -> str:
        return f"Stored the decision points of {decision_points.rebuild()} contracts."
