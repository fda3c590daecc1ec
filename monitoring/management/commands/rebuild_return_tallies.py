from commissioning.management.recount import RecountCommand
from monitoring import returns_sent
from monitoring.tallies import counted, kept, rebuild_tallies


class Command(RecountCommand):
    help = (
        "Recount the returns dashboard's tallies and each contract's returns-sent mark from the returns (after rows "
        "were written behind the services). With --check, only report whether those kept equal a full recount."
    )

    def compare(self) -> tuple[str | None, str]:
        expected, actual = counted(), kept()
        differing = {k for k in expected.keys() | actual.keys() if expected.get(k, 0) != actual.get(k, 0)}
        marks = returns_sent.differing()
        problem = None
        if differing or marks:
            problem = (
                f"{len(differing)} tallies and {len(marks)} contracts' returns-sent marks differ from a full recount."
            )
        return problem, f"The {len(actual)} tallies and every contract's returns-sent mark equal a full recount."

    def rebuild(self) -> str:
        rows = rebuild_tallies()
        marks = returns_sent.rebuild()
        return f"Rebuilt the returns dashboard's tallies: {rows} rows; {marks} returns-sent marks changed."
