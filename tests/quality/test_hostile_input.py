"""Every form on every page, each list page's query parameters and every admin import, as the role they
are for, sent values no person should type: a NUL byte, 5,000 digits, a number too big for the database,
numbers that are not finite, a year past the calendar, a date that does not exist, a digit that is not
ASCII, an option that is not in the list, a file that is not what it says. The portal must answer with
its error page or the form again, never a server error. Each form is sent every value twice: in every
field at once, and in its text boxes alone with the page's own options and hidden values kept, once per
named submit button. On PostgreSQL (CI's second run) this also shows that what a form lets through is
stored: PostgreSQL refuses NUL bytes and over-long values where SQLite does not. A form whose other
fields stay invalid stops at its own checks, so a service is reached only when the rest is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from commissioning.models import User
from tests.factories import make_user
from tests.factories.files import (
    ARABIC_THREE,
    EXTERNAL,
    FORMULA,
    docx_bytes,
    with_cell_text,
    with_doctype,
    with_huge_cell,
    workbook_bytes,
)

from .test_access_walk import World, demo_world, registry, walk

pytestmark = pytest.mark.django_db

ROLE_OF = {"provider-any": "provider", "officer-any": "officer", "document": "provider", "link": "officer"}
# Forms that would end the walk rather than test anything.
SKIPPED_ACTIONS = ("/sign-out/",)
QUERY_PARAMETERS = [
    "page", "awards_page", "year", "lot", "area", "authority", "contract", "next", "as_of", "fmt",
    "framework", "supplier", "quarter", "status", "scheme", "sort", "vcse", "q",
]  # fmt: skip
QUERY_VALUES = ["²", "9" * 30, "9999", "31/12/9999"]
DATE_BOXES = {"9999": ("31", "12", "9999"), "31/02/2026": ("31", "2", "2026")}
ROUNDS = {
    "NUL byte": ("a\x00b", "a\x00b"),
    "5,000 digits": ("9" * 5000, "9" * 5000),
    "a number too big for the database": ("99999999999999999999", "99999999999999999999"),
    "not a finite number": ("-1e309", "NaN"),
    "a year past the calendar": ("9999", "0"),
    "no such date": ("31/02/2026", "2026-02-31"),
    "a digit that is not ASCII": ("12,²", "²"),
}


@cache
def hostile_uploads() -> dict[str, tuple[str, bytes]]:
    """(file name, content) of files a hostile supplier could upload instead of a document, built once."""
    return {
        "a decompression bomb (160 MB in one cell)": ("return.xlsx", with_huge_cell(workbook_bytes(), 160)),
        "a billion-laughs spreadsheet": ("return.xlsx", with_doctype(workbook_bytes())),
        "a billion-laughs document": ("policy.docx", with_doctype(docx_bytes())),
        "an external-entity spreadsheet": ("return.xlsx", with_doctype(workbook_bytes(), EXTERNAL, "xxe")),
        "an external-entity document": ("policy.docx", with_doctype(docx_bytes(), EXTERNAL, "xxe")),
        "a spreadsheet holding a formula": ("return.xlsx", with_cell_text(workbook_bytes(), FORMULA)),
        "a CSV holding a formula": ("budget.csv", f"Line,Amount\n{FORMULA},1\n".encode()),
        "a spreadsheet of Unicode digits": ("return.xlsx", with_cell_text(workbook_bytes(), ARABIC_THREE * 3)),
        "a CSV of Unicode digits": ("figures.csv", f"Area,Referrals\nCoventry,{ARABIC_THREE * 3}\n".encode()),
        "a file that only starts like a PDF": ("policy.pdf", b"%PDF-1.7\n" + b"\x00\xff" * 500),
    }


@dataclass
class Form:
    action: str
    method: str
    # (name, kind: text/choice/file/hidden, the value the page gave it: a hidden value, an option, a box's)
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons: (name, value)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        if tag == "option" and self.select is not None and attrs.get("value") and len(self.select[2]) == 0:
            self.select[2] = attrs["value"]  # the first real option
            return
        name, kind, value = attrs.get("name"), attrs.get("type", "text"), attrs.get("value") or ""
        if not name:
            return
        if tag == "button" or (tag == "input" and kind == "submit"):
            self.current.buttons.append((name, value))
        elif tag == "select":
            self.select = [name, "choice", ""]
            self.current.fields.append(self.select)
        elif kind in ("radio", "checkbox"):
            if not any(f[0] == name for f in self.current.fields):
                self.current.fields.append([name, "choice", value or "on"])
        elif tag == "textarea" or (tag == "input" and kind not in ("button", "hidden", "file")):
            self.current.fields.append([name, "text", value])
        elif tag == "input" and kind == "file":
            self.current.fields.append([name, "file", ""])
        elif tag == "input" and kind == "hidden" and name != "csrfmiddlewaretoken":
            self.current.fields.append([name, "hidden", value])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def hostile_data(form: Form, text: str, number: str, *, keep_page_values: bool) -> dict:
    """Every field hostile; or, keeping the page's own hidden values and options so that the form gets
    past them, hostile text in the text boxes. A GOV.UK date's three boxes (name_0, name_1, name_2) then
    get a day, month and year: 31 2 2026, 31 12 9999, or else a real date so that the rest is checked."""
    data: dict = {}
    for name, kind, value in form.fields:
        if kind == "file":
            data[name] = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a PDF", content_type="application/pdf")
        elif keep_page_values and kind in ("choice", "hidden"):
            data[name] = value
        elif kind == "choice":
            data[name] = "not-an-option"
        elif kind == "hidden":
            data[name] = number
        elif keep_page_values and name[-2:] in ("_0", "_1", "_2"):
            day = DATE_BOXES.get(text, ("1", "4", "2026"))
            data[name] = day[("_0", "_1", "_2").index(name[-2:])]
        else:
            data[name] = text
    return data


def pages_by_role(w: World) -> list[tuple[str, str, bool]]:
    """(url, role, whether it is an object's page) for every page: object pages as the role the walker's
    registry gives them, the other pages as each demo role that may open them."""
    table = registry(w)
    pages = []
    for name, entry in walk(get_resolver().url_patterns):
        if entry.pattern.converters:
            if name in table and table[name][0] != "public":
                role, kwargs_for = table[name]
                pages.append((reverse(name, kwargs=kwargs_for()), ROLE_OF.get(role, role), True))
        elif name and "<" not in str(entry.pattern):
            url = reverse(name)
            pages.extend((url, role, False) for role in ("officer", "provider", "evaluator", "partner"))
    return pages


@pytest.mark.long
def test_no_form_answers_hostile_values_with_a_server_error(settings):
    w = demo_world(settings)
    clients = {}
    for role in ("officer", "provider", "evaluator", "partner"):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(getattr(w, role))

    problems: list[str] = []
    sent = 0
    seen_forms: set[tuple[str, str, tuple]] = set()
    queried: set[tuple[str, str]] = set()
    for url, role, takes_object in pages_by_role(w):
        client = clients[role]
        page = client.get(url)
        if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
            continue
        for form in forms_on(page.content.decode()):
            action = urljoin(url, form.action) if form.action else url
            if urlsplit(action).netloc or action.startswith(SKIPPED_ACTIONS) or "/admin/" in action:
                continue
            key = (role, urlsplit(action).path, tuple(tuple(f[:2]) for f in form.fields))
            if key in seen_forms:
                continue
            seen_forms.add(key)
            for what, (text, number) in ROUNDS.items():
                for keep in (False, True):
                    data = hostile_data(form, text, number, keep_page_values=keep)
                    for button in form.buttons or [None]:
                        sent_data = {**data, button[0]: button[1]} if button else data
                        if form.method == "post":
                            response = client.post(action, sent_data)
                        else:
                            files = [k for k, v in sent_data.items() if hasattr(v, "read")]
                            response = client.get(action, {k: v for k, v in sent_data.items() if k not in files})
                        sent += 1
                        if response.status_code >= 500:
                            kept = ", keeping the page's values" if keep else ""
                            where = f"{role} {form.method.upper()} {action} (form on {url}{kept}, button {button})"
                            problems.append(f"{where} with {what}: {response.status_code}")
        # The query parameters pages read besides their forms' fields, one at a time (an early 404 on
        # one must not hide another): on the pages that take no object, which are the lists and reports.
        if takes_object or (url, role) in queried:
            continue
        queried.add((url, role))
        for parameter in QUERY_PARAMETERS:
            for value in QUERY_VALUES:
                response = client.get(url, {parameter: value})
                if response.status_code >= 500:
                    problems.append(f"{role} GET {url}?{parameter}={value[:12]}: {response.status_code}")
    assert sent >= len(seen_forms) * len(ROUNDS) * 2
    assert len(seen_forms) >= 60, f"only {len(seen_forms)} forms were found: the walk did not reach them"
    assert problems == [], "\n".join(problems)


REFUSED_WITH = {
    "a decompression bomb (160 MB in one cell)": "unpacks to more than",
    "a billion-laughs spreadsheet": "document type or entities",
    "a billion-laughs document": "document type or entities",
    "an external-entity spreadsheet": "document type or entities",
    "an external-entity document": "document type or entities",
    "a file that only starts like a PDF": "cannot be used as a PDF",
}
UPLOAD_PAGES = [
    "suppliers:document_add",
    "suppliers:accreditation_add",
    "frameworks:edit_section",
    "monitoring:edit_return",
    "monitoring:upload_spreadsheet",
    "awards:create_competition",
    "awards:edit_tender",
]


def editable_tender(w: World):
    """A response the demo provider can still change: one of theirs, or one started on an open competition."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from contracts.award import services as award_services
    from contracts.award.models import Competition, Tender

    tenders = Tender.objects.filter(supplier=w.provider.supplier_membership.supplier).select_related("competition")
    for tender in tenders:
        if tender.is_editable and tender.competition.is_open():
            return tender
    for competition in Competition.objects.all():
        if not competition.is_open():
            continue
        for lot in competition.lots.all():
            try:
                return award_services.start_tender(competition=competition, lot=lot, by=w.provider)
            except (ValidationError, PermissionDenied):
                continue
    raise AssertionError("the demo has no competition the provider may respond to")


def upload_pages(w: World) -> list[tuple[str, str]]:
    """(url, role) of every page that takes a file, in the demo: for an application, each of its sections."""
    table = registry(w)
    editable = editable_tender(w)
    table["awards:edit_tender"] = ("provider", lambda: {"pk": editable.pk})
    pages = []
    for name in UPLOAD_PAGES:
        if name in table:
            role, kwargs_for = table[name]
            pages.append((reverse(name, kwargs=kwargs_for()), ROLE_OF.get(role, role)))
        else:
            pages.append((reverse(name), "officer" if name.startswith("awards") else "provider"))
    section = pages[2][0]
    application = section.split("/sections/")[0]
    client = Client()
    client.force_login(w.provider)
    task_list = client.get(application + "/").content.decode()
    slugs = set(re.findall(rf'href="{re.escape(application)}/sections/([a-z0-9-]+)/"', task_list))
    pages[2:3] = [(f"{application}/sections/{slug}/", "provider") for slug in sorted(slugs)]
    return pages


@pytest.mark.long
def test_no_upload_answers_a_hostile_file_with_a_server_error(settings):
    """Every page that takes a file is sent a decompression bomb, a billion-laughs and an external-entity
    file, formulae and Unicode digits, with the page's own values kept so that the file is what is checked.
    Each is refused with the form again (or, for a harmless file, taken): never a server error."""
    w = demo_world(settings)
    clients = {}
    for role in ("officer", "provider"):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(getattr(w, role))
    problems, takes_files = [], set()
    for url, role in upload_pages(w):
        client = clients[role]
        page = client.get(url)
        assert page.status_code == 200, f"{role} {url}: {page.status_code}"
        for form in forms_on(page.content.decode()):
            file_fields = [name for name, kind, _value in form.fields if kind == "file"]
            if not file_fields or form.method != "post":
                continue
            action = urljoin(url, form.action) if form.action else url
            takes_files.add(url)
            typed = hostile_data(form, "Hostile upload", "1", keep_page_values=True)
            for what, (name, content) in hostile_uploads().items():
                for button in form.buttons or [None]:
                    files = {field_name: SimpleUploadedFile(name, content) for field_name in file_fields}
                    response = client.post(action, {**typed, **files, **({button[0]: button[1]} if button else {})})
                    if response.status_code >= 500:
                        problems.append(f"{role} POST {action} with {what}: {response.status_code}")
                    elif what in REFUSED_WITH:
                        html = response.content.decode()
                        if not (REFUSED_WITH[what] in html or "The selected file must be" in html):
                            problems.append(f"{role} POST {action} with {what} was not refused by the field")
    assert len(takes_files) >= len(UPLOAD_PAGES), f"pages that took files: {sorted(takes_files)}"
    assert problems == [], "\n".join(problems)


def import_pages() -> dict[str, list[str]]:
    """Each admin import page, with the columns its resource reads."""
    from contracts.resources import ContractResource
    from frameworks.resources import AppointmentResource
    from monitoring.resources import IndicatorResource

    return {
        url: [f.column_name for f in resource().get_import_fields()]
        for url, resource in (
            ("/admin/frameworks/appointment/import/", AppointmentResource),
            ("/admin/contracts/contract/import/", ContractResource),
            ("/admin/monitoring/indicator/import/", IndicatorResource),
        )
    }


def hostile_files(columns: list[str]) -> dict[str, tuple[str, bytes]]:
    """(file name, content) of files no import should store, with the import's real columns so that
    the rows are read: every cell hostile, as CSV and as a real spreadsheet, and some that are not files
    of either kind."""
    import tablib

    files = {"binary noise": ("list.csv", b"\x89\xff\x00\x13MZ" * 200), "an empty file": ("list.csv", b"")}
    files.update(hostile_uploads())
    files["a false spreadsheet"] = ("list.xlsx", b"PK\x03\x04 truncated")
    for what, value in (
        ("5,000 digits", "9" * 5000),
        ("a 20-digit number", "99999999999999999999"),
        ("a digit that is not ASCII", "12,²"),
        ("no such date", "31/02/2026"),
        ("a year past the calendar", "31/12/9999"),
    ):
        rows = tablib.Dataset([value] * len(columns), headers=columns)
        files[f"a CSV of {what}"] = ("list.csv", rows.export("csv").encode())
        files[f"a spreadsheet of {what}"] = ("list.xlsx", rows.export("xlsx"))
    nul = tablib.Dataset(["a\x00b"] * len(columns), headers=columns)
    files["a CSV with NUL characters"] = ("list.csv", nul.export("csv").encode())
    return files


@pytest.mark.long
def test_no_admin_import_answers_a_hostile_file_with_a_server_error():
    """Officers import approved lists, contract registers and indicators in the admin: whatever file and
    format they pick, the import page answers with its errors, never a server error."""
    officer = make_user(User.Role.OFFICER)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    problems, sent = [], 0
    for url, columns in import_pages().items():
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        formats = re.findall(r'<option value="(\d+)"', html)
        resource = re.search(r'name="resource" value="([^"]*)"', html)
        assert len(formats) == 2, f"{url} offers {len(formats)} file formats, not CSV and XLSX"
        for fmt in formats:
            for what, (name, content) in hostile_files(columns).items():
                data = {"format": fmt, "import_file": SimpleUploadedFile(name, content)}
                if resource:
                    data["resource"] = resource.group(1)
                response = client.post(url, data)
                sent += 1
                if response.status_code >= 500:
                    problems.append(f"{url} format {fmt} with {what}: {response.status_code}")
    assert sent == 3 * 2 * len(hostile_files(["a"]))  # three imports, two formats, every file
    assert problems == [], "\n".join(problems)
