"""Every form on every page, and every page's query parameters, as the role it is for, sent values no
person should type: a NUL byte, 5,000 digits, a number too big for the database, numbers that are not
finite, a date that does not exist, an option that is not in the list, a file that is not what it says.
The portal must answer with its error page or the form again, never a server error. On PostgreSQL (CI's
second run) this also proves that nothing unvalidated reaches the database, which refuses NUL bytes and
over-long values where SQLite does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver, reverse

from commissioning.models import Authority, User
from tests.factories import make_authority, make_user

from .test_access_walk import World, registry, walk

pytestmark = pytest.mark.django_db

ROLE_OF = {"provider-any": "provider", "officer-any": "officer", "document": "provider"}
# Forms that would end the walk rather than test anything.
SKIPPED_ACTIONS = ("/sign-out/",)
QUERY_PARAMETERS = ["page", "awards_page", "year", "lot", "area", "authority", "contract", "next", "as_of", "fmt"]
ROUNDS = {
    "NUL byte": ("a\x00b", "a\x00b"),
    "5,000 digits": ("9" * 5000, "9" * 5000),
    "a number too big for the database": ("99999999999999999999", "99999999999999999999"),
    "not a finite number": ("-1e309", "NaN"),
    "a year past the calendar": ("9999", "0"),
    "no such date": ("31/02/2026", "2026-02-31"),
}


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, kind: text/choice/file/hidden)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self.current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            self.forms.append(self.current)
        elif self.current is not None and attrs.get("name"):
            kind = attrs.get("type", "text")
            if tag == "select" or kind in ("radio", "checkbox"):
                self.current.fields.append((attrs["name"], "choice"))
            elif tag == "textarea" or (tag == "input" and kind not in ("submit", "button", "hidden", "file")):
                self.current.fields.append((attrs["name"], "text"))
            elif tag == "input" and kind == "file":
                self.current.fields.append((attrs["name"], "file"))
            elif tag == "input" and kind == "hidden" and attrs["name"] != "csrfmiddlewaretoken":
                self.current.fields.append((attrs["name"], "hidden"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_on(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def hostile_data(form: Form, text: str, number: str) -> dict:
    data: dict = {}
    for name, kind in form.fields:
        if kind == "file":
            data[name] = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a PDF", content_type="application/pdf")
        elif kind == "choice":
            data[name] = "not-an-option"
        elif kind == "hidden":
            data[name] = number
        else:
            data[name] = text
    return data


def pages_by_role(w: World) -> list[tuple[str, str]]:
    """(url, role) for every page: object pages as the role the walker's registry gives them, the other
    pages as each demo role that may open them."""
    table = registry(w)
    pages = []
    for name, entry in walk(get_resolver().url_patterns):
        if entry.pattern.converters:
            if name in table and table[name][0] != "public":
                role, kwargs_for = table[name]
                pages.append((reverse(name, kwargs=kwargs_for()), ROLE_OF.get(role, role)))
        elif name and "<" not in str(entry.pattern):
            url = reverse(name)
            pages.extend((url, role) for role in ("officer", "provider", "evaluator", "partner"))
    return pages


def test_no_form_answers_hostile_values_with_a_server_error(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    elsewhere = make_authority(name="Staffordshire Commissioner's Office", kind=Authority.Kind.OTHER_PCC)
    w = World(
        provider=users["provider@demo.test"],
        officer=users["officer@demo.test"],
        evaluator=users["evaluator@demo.test"],
        partner=users["partner@demo.test"],
        others={
            "provider": make_user(User.Role.PROVIDER),
            "officer": make_user(User.Role.OFFICER, authority=elsewhere),
        },
    )
    clients = {}
    for role in ("officer", "provider", "evaluator", "partner"):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(getattr(w, role))

    problems: list[str] = []
    sent = 0
    seen_forms: set[tuple[str, str, tuple]] = set()
    for url, role in pages_by_role(w):
        client = clients[role]
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in forms_on(page.content.decode()):
            action = urljoin(url, form.action) if form.action else url
            if urlsplit(action).netloc or action.startswith(SKIPPED_ACTIONS) or "/admin/" in action:
                continue
            key = (role, urlsplit(action).path, tuple(form.fields))
            if key in seen_forms:
                continue
            seen_forms.add(key)
            for what, (text, number) in ROUNDS.items():
                data = hostile_data(form, text, number)
                if form.method == "post":
                    response = client.post(action, data)
                else:
                    response = client.get(action, {k: v for k, v in data.items() if not hasattr(v, "read")})
                sent += 1
                if response.status_code >= 500:
                    problems.append(
                        f"{role} {form.method.upper()} {action} from {url} with {what}: {response.status_code}"
                    )
        # The query parameters pages read besides their forms' fields
        for what, (text, _) in ROUNDS.items():
            response = client.get(url, dict.fromkeys(QUERY_PARAMETERS, text))
            if response.status_code >= 500:
                problems.append(f"{role} GET {url} with {what} in its query parameters: {response.status_code}")
    assert sent == len(seen_forms) * len(ROUNDS)
    assert len(seen_forms) >= 60, f"only {len(seen_forms)} forms were found: the walk did not reach them"
    assert problems == [], "\n".join(problems)


IMPORT_PAGES = [
    "/admin/frameworks/appointment/import/",
    "/admin/contracts/contract/import/",
    "/admin/monitoring/indicator/import/",
]
HOSTILE_FILES = {
    "binary noise": b"\x89\xff\x00\x13MZ" * 200,
    "a CSV with NUL bytes": b"reference,title\nC-1\x00,Service\x00\n",
    "a CSV of 5,000-digit numbers": b"reference,annual_value,start_on\n"
    + b"9" * 5000
    + b","
    + b"9" * 5000
    + b",31/02/2026\n",
    "an empty file": b"",
    "a spreadsheet that is not one": b"PK\x03\x04 truncated",
}


def test_no_admin_import_answers_a_hostile_file_with_a_server_error():
    """Officers import approved lists, contract registers and indicators in the admin: whatever file and
    format they pick, the import page answers with its errors, never a server error."""
    import re

    officer = make_user(User.Role.OFFICER)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    problems, sent = [], 0
    for url in IMPORT_PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        formats = [value for value in re.findall(r'<option value="(\d+)"', html)]
        resource = re.search(r'name="resource" value="([^"]*)"', html)
        assert formats, f"{url} offers no file formats"
        for fmt in formats:
            for what, content in HOSTILE_FILES.items():
                data = {"format": fmt, "import_file": SimpleUploadedFile("list.csv", content, content_type="text/csv")}
                if resource:
                    data["resource"] = resource.group(1)
                response = client.post(url, data)
                sent += 1
                if response.status_code >= 500:
                    problems.append(f"{url} format {fmt} with {what}: {response.status_code}")
    assert sent >= 5 * len(IMPORT_PAGES) * 2
    assert problems == [], "\n".join(problems)
