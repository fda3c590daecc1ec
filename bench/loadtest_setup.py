"""Prepares the load test: 300 provider users, each with a live monitored contract whose return for
the current quarter is due, and a signed-in session each. Writes bench/loadtest-users.json.

With LOADTEST_SCALE=N (for example 10) the 300 providers are added to the benchmark's data set built at
that scale (`bench.build`, BENCH_SCALE=N), so the rush runs against ten years of data, not an empty
portal."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.loadtest")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from commissioning.dates import Quarter  # noqa: E402
from commissioning.models import Area, User  # noqa: E402
from commissioning.signals import SIGNED_IN_AT  # noqa: E402
from tests.factories import make_area  # noqa: E402
from tests.factories.frameworks import make_framework, make_lot  # noqa: E402
from tests.factories.monitoring import make_monitored_contract, make_template, valid_raw  # noqa: E402

PROVIDERS = 300
SCALE = int(os.environ.get("LOADTEST_SCALE", "0") or 0)
OUT = Path(__file__).resolve().parent / "loadtest-users.json"


def session_cookie(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "commissioning.backends.PortalBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = int(time.time())  # the sign-in the idle and absolute limits count from
    session.create()
    return session.session_key


def start_from_data() -> None:
    """An empty database, or (LOADTEST_SCALE) the benchmark's data set at that scale, with fresh statistics."""
    if not SCALE:
        call_command("flush", interactive=False, verbosity=0)
        return
    os.environ["BENCH_SCALE"] = str(SCALE)
    from bench import build as bench_build  # reads BENCH_SCALE when imported

    started = time.perf_counter()
    counts = bench_build.build()
    print(f"Built the x{SCALE} data set in {time.perf_counter() - started:.1f} s: returns {counts['returns']}")


def main() -> int:
    start_from_data()
    officer = User.objects.create_user(
        email="officer@load.test", password=None, full_name="Officer", role="officer", is_staff=True, authority_id=None
    )
    from tests.factories import make_authority

    officer.authority = make_authority(kind="opcc", is_lead_commissioner=True)
    officer.save()
    lot = make_lot(make_framework(lead_authority=officer.authority))
    template = make_template(lot=lot)
    area = Area.objects.filter(code="birmingham").first() or make_area(name="Birmingham", code="birmingham")
    # The quarter that has just ended, whose return is due now: the "deadline" of the rush.
    quarter = Quarter.containing(timezone.localdate()).previous()
    users = []
    for i in range(PROVIDERS):
        m = make_monitored_contract(lot=lot, template=template, areas=[area], officer=officer, start_on=quarter.start)
        url = reverse("monitoring:edit_return", args=[m.contract.pk, quarter.financial_year, quarter.number])
        raw = valid_raw(m)
        raw.update(
            {
                "achievements": f"Provider {i}: all high-risk referrals contacted within 48 hours.",
                "challenges": "",
                "risks": "",
                "emerging_themes": "",
                "case_study": "",
            }
        )
        users.append({"cookie": session_cookie(m.provider), "url": url, "form": raw, "contract": m.contract.pk})
    OUT.write_text(
        json.dumps(
            {
                "session_cookie_name": settings.SESSION_COOKIE_NAME,
                "users": users,
                "quarter": [quarter.financial_year, quarter.number],
            }
        )
    )
    # Statistics, as a database in use has them, whichever data set the rush runs on.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"Prepared {len(users)} providers for {quarter.label}; wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
