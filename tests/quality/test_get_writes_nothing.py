"""No GET request changes anything (DESIGN.md §3: a GET never changes state).

The demo is loaded as `make run` loads it; then each demo role (and a platform administrator) is
signed in and, with Django's test client, requests every page it can reach: the home page and, level by
level, every same-site link on the HTML pages it was served (one URL per route and set of query
parameter names, as the browser crawl does), the Django admin included for those who may use it, plus
every URL pattern the access walk resolves (the patterns without an object and those in its
registry of demo objects). Before and after, every table's rows are counted and fingerprinted: none
may gain, lose or change a row.

Left aside, because a GET rightly writes them: sessions and the audit
trail's access records (who downloaded a sensitive document, `document.downloaded`) and sign-in
events; the audit chain's head moves when an access record is sealed; and the home-page visit record
(`frameworks.HomeVisit`: when a partner last opened their home, so it can list what changed since).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse

from commissioning.models import AuditEvent, User

from .test_access_walk import demo_world, registry, walk

pytestmark = pytest.mark.django_db

# Tables a GET may write: sessions, the audit trail (checked by action below) and its chain head.
WRITTEN_BY_READING = {
    "django_session",
    AuditEvent._meta.db_table,
    "commissioning_auditchainhead",
    "frameworks_homevisit",  # an access record: when a person last opened their home page
}
# Audit actions a GET may record: who read a sensitive document, and signing in.
ACCESS_RECORDS = ("document.downloaded", "auth.")
SKIPPED_PATHS = ("/sign-out/", "/static/", "/media/", "/admin/logout/")
ROLE_OF = {"provider-any": "provider", "officer-any": "officer", "document": "provider"}
MAX_PAGES_PER_USER = 600


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def snapshot() -> dict[str, str]:
    """Every table's row count and a digest of its rows (audit events: counted per action)."""
    state: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in WRITTEN_BY_READING:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:12]
            state[table] = f"{len(rows)} rows, {digest}"
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    for action, count in actions.items():
        if not action.startswith(ACCESS_RECORDS):
            state[f"audit event {action}"] = f"{count} rows"
    return state


def route_of(url: str) -> str:
    """The route a path resolves to, with the names of its query parameters (in the admin, whose
    filters combine without end, the route alone)."""
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    if parts.path.startswith("/admin/"):
        return route
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{route}?{'&'.join(keys)}"


def crawl(client: Client, start: list[str]) -> tuple[list[str], list[str]]:
    """GET every same-site page reachable from `start`; returns the paths visited and any server errors."""
    seen: set[str] = set()
    visited: list[str] = []
    errors: list[str] = []
    frontier = list(start)
    while frontier and len(visited) < MAX_PAGES_PER_USER:
        url = frontier.pop(0).split("#")[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not parts.path.startswith("/") or parts.path.startswith(SKIPPED_PATHS):
            continue
        route = route_of(path)
        if route in seen:
            continue
        seen.add(route)
        response = client.get(path)
        visited.append(path)
        if response.status_code >= 500:
            errors.append(f"{path}: {response.status_code}")
        if response.status_code in (301, 302, 303, 307, 308):
            frontier.append(urljoin(path, response["Location"]))
            continue
        if "text/html" not in response.get("Content-Type", "") or response.get("Content-Disposition"):
            continue
        parser = Links()
        parser.feed(response.content.decode(errors="replace"))
        frontier.extend(urljoin(path, href) for href in parser.hrefs if not href.startswith(("mailto:", "tel:")))
    return visited, errors


def difference(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [
        f"{key}: {before.get(key, 'none')} before, {after.get(key, 'none')} after"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


@pytest.mark.long
def test_no_get_request_changes_anything(settings):
    world = demo_world(settings)
    administrator = User.objects.get(email="admin@demo.test")
    roles = {
        "officer": world.officer,
        "evaluator": world.evaluator,
        "provider": world.provider,
        "partner": world.partner,
    }
    users = [
        *User.objects.filter(email__endswith="demo.test", is_active=True).exclude(pk=administrator.pk).order_by("pk"),
        administrator,
    ]
    assert len(users) >= 7, f"the demo has only {[u.email for u in users]}"
    clients = {}
    for user in users:  # signed in before the first snapshot: signing in rightly writes
        clients[user.email] = Client(raise_request_exception=False)
        clients[user.email].force_login(user)
    anonymous = Client(raise_request_exception=False)

    plain = [
        reverse(name) for name, entry in walk(get_resolver().url_patterns) if name and not entry.pattern.converters
    ]
    objects = registry(world)
    by_role = {user.email: [] for user in users}
    for name, (role, kwargs_for) in objects.items():
        user = roles.get(ROLE_OF.get(role, role))
        url = reverse(name, kwargs=kwargs_for())
        for email in by_role:
            if user is None or email == user.email:
                by_role[email].append(url)

    before = snapshot()
    errors: list[str] = []
    reached: dict[str, int] = {}
    for email, client in [*clients.items(), ("anonymous", anonymous)]:
        visited, failed = crawl(client, ["/", *plain, *by_role.get(email, [])])
        reached[email] = len(visited)
        errors += [f"{email} {problem}" for problem in failed]
    after = snapshot()

    assert reached["officer@demo.test"] > 100 and reached["provider@demo.test"] > 40, reached
    changes = difference(before, after)
    assert changes == [], "GET requests changed the database:\n" + "\n".join(changes)
    assert errors == [], "server errors:\n" + "\n".join(errors)
