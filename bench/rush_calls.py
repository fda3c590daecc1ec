"""The deadline rush's requests counted in Python function calls, a measure of their CPU that does not
move with how busy the machine is (its milliseconds do, by half again from one run to the next here).

Run after `make loadtest` (same DATABASE_URL): python -m bench.rush_calls [providers, default 8]

Each provider of the load test goes through the rush's steps in this process, through Django's test
client: open the return, save a draft three times (each redirected to the form), submit (redirected to
the return's page), submit again. Its return is removed first and everything is rolled back after, so
the database is left as the load test left it. Prints each kind of request's median calls and one
provider's whole rush."""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.loadtest")
# The load test's sessions were signed in when it was prepared; keep them signed in for this count.
os.environ["SESSION_IDLE_MINUTES"] = "1440"

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from monitoring.models import QuarterlyReturn  # noqa: E402

USERS = Path(__file__).resolve().parent / "loadtest-users.json"


def counted(kinds: dict[str, list[int]], kind: str, request) -> None:
    profile = cProfile.Profile()
    profile.enable()
    response = request()
    profile.disable()
    if response.status_code >= 400:
        raise SystemExit(f"{kind}: the server answered {response.status_code}")
    kinds.setdefault(kind, []).append(pstats.Stats(profile).total_calls)


def rush(provider: dict, cookie_name: str, kinds: dict[str, list[int]]) -> None:
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[cookie_name] = provider["cookie"]
    url = provider["url"]

    def post(action: str):
        return lambda: client.post(url, {**provider["form"], "action": action})

    with transaction.atomic():
        QuarterlyReturn.objects.filter(contract_id=provider["contract"]).delete()
        counted(kinds, "open the form", lambda: client.get(url))
        for _ in range(3):
            counted(kinds, "save a draft", post("save"))
            counted(kinds, "the form after a save", lambda: client.get(url))
        counted(kinds, "submit", post("submit"))
        counted(kinds, "the return's page", lambda: client.get(url + "view/"))
        counted(kinds, "submit again", post("submit"))
        transaction.set_rollback(True)


def main(argv: list[str]) -> int:
    data = json.loads(USERS.read_text())
    wanted = int(argv[1]) if len(argv) > 1 else 8
    kinds: dict[str, list[int]] = {}
    providers = data["users"][: wanted + 2]
    for provider in providers:
        rush(provider, data["session_cookie_name"], kinds)
    whole = 0
    for kind, calls in kinds.items():
        # The first two providers warm this process up (imports, templates, prepared statements).
        median = statistics.median(calls[2 * len(calls) // len(providers) :])
        per_provider = len(calls) // len(providers)
        whole += median * per_provider
        print(f"{kind:24} {per_provider} a provider, median {median:9,.0f} calls")
    print(f"{'one provider':24} {whole:,.0f} calls")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
