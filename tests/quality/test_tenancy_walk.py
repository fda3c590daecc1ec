"""The access walk across authorities (issue 20), over the whole demo.

As officer@asopcc.demo.test, every officer URL of every West Midlands object (contracts, meeting actions,
returns, targets, competitions, responses, awards, direct awards, notices, frameworks, applications,
appointments, approved lists, generated reports) answers 403 or 404, and no West Midlands reference
appears on a list, report or export page; and the reverse for officer@demo.test and Avon and Somerset.
The URLs come from the resolver: an officer URL the walk cannot fill in fails the test, so a new page
cannot be added without being walked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.urls import get_resolver, reverse

from commissioning.documents import request_document
from commissioning.models import Authority, FundingStream, GeneratedDocument, User
from contracts.award.models import Award, Competition, DirectAward, Tender, TenderDocument
from contracts.grants.models import GrantApplication, GrantPayment, GrantRound
from contracts.models import Contract, MeetingAction
from contracts.notices.models import Notice
from frameworks.models import Application, Appointment, Framework
from monitoring.models import QuarterlyReturn
from monitoring.reports import CONTRACT_REPORT
from tests.quality.test_access_walk import walk

pytestmark = pytest.mark.django_db

WEST_MIDLANDS = "West Midlands Office of the Police and Crime Commissioner"
AVON = "Avon and Somerset Office of the Police and Crime Commissioner"

Objects = Callable[[Authority], Iterable[Model]]

# The objects behind each officer route, for one authority: what that authority runs or buys.
PRIMARY: dict[str, Objects] = {
    "officer/contracts/<int:pk>/": lambda a: Contract.objects.for_authority(a.pk),
    "contracts/actions/<int:pk>/": lambda a: MeetingAction.objects.filter(
        meeting__contract__in=Contract.objects.for_authority(a.pk)
    ),
    "officer/returns/<int:pk>/": lambda a: QuarterlyReturn.objects.filter(
        contract__in=Contract.objects.for_authority(a.pk)
    ),
    "officer/returns/contracts/<int:contract_pk>/": lambda a: Contract.objects.for_authority(a.pk).filter(
        activated_at__isnull=False
    ),
    "officer/competitions/<int:pk>/": lambda a: Competition.objects.filter(buying_authority=a),
    "officer/awards/<int:pk>/": lambda a: Award.objects.filter(lot__competition__buying_authority=a),
    "officer/responses/<int:pk>/": lambda a: Tender.objects.filter(competition__buying_authority=a),
    "officer/direct-awards/<int:pk>/": lambda a: DirectAward.objects.filter(buying_authority=a),
    "officer/notices/<int:pk>/": lambda a: Notice.objects.filter(buying_authority=a),
    "officer/frameworks/<int:pk>/": lambda a: Framework.objects.filter(lead_authority=a),
    "officer/applications/<int:pk>/": lambda a: Application.objects.filter(window__framework__lead_authority=a),
    "officer/appointments/<int:pk>/": lambda a: Appointment.objects.filter(lot__framework__lead_authority=a),
    "officer/approved-lists/<str:reference>/": lambda a: Framework.objects.filter(lead_authority=a),
    "documents/<int:pk>/": lambda a: GeneratedDocument.objects.filter(params__authority=a.pk),
    "officer/returns/remind/<int:contract_pk>/": lambda a: Contract.objects.for_authority(a.pk).filter(
        activated_at__isnull=False
    ),
    "officer/funding/<int:pk>/": lambda a: FundingStream.objects.filter(authority=a),
    "officer/grants/<int:pk>/": lambda a: GrantRound.objects.filter(authority=a),
    "officer/grants/applications/<int:pk>/": lambda a: GrantApplication.objects.filter(round__authority=a),
    "officer/grants/payments/<int:pk>/": lambda a: GrantPayment.objects.filter(contract__buying_authority=a),
}


def _first_pk(objects) -> int:
    first = objects.order_by("pk").first()
    return first.pk if first is not None else 1


def _sub_kwargs(obj: Model, name: str):
    """A real sub-object of `obj` where there is one (the parent's scope must refuse it either way)."""
    if name == "fmt":
        return "csv"
    if name == "reference":
        return obj.reference
    if name == "lot_pk":
        return _first_pk(obj.lots.all())
    if name == "question_pk":
        return _first_pk(obj.questions.all())
    if name == "document_pk" and isinstance(obj, Tender):
        return _first_pk(TenderDocument.objects.filter(tender=obj))
    if name == "year":
        return 2025
    if name == "quarter":
        return 1
    if name == "criterion_pk" and isinstance(obj, Tender):
        return _first_pk(obj.competition.criteria.all())
    return 1


def _route_of(route: str) -> str | None:
    matches = [prefix for prefix in PRIMARY if route.startswith(prefix)]
    return max(matches, key=len) if matches else None


def officer_urls(authority: Authority) -> tuple[list[str], list[str]]:
    """Every officer URL of every object of `authority`, and the officer routes the walk cannot fill."""
    urls, unmapped = [], []
    for name, entry in walk(get_resolver().url_patterns):
        route = str(entry.pattern)
        full = _full_route(name, route)
        converters = entry.pattern.converters
        if not converters or not (full.startswith("officer/") or full.startswith(("contracts/actions/", "documents/"))):
            continue
        prefix = _route_of(full)
        if prefix is None:
            unmapped.append(f"{name} ({full})")
            continue
        first = "reference" if "<str:reference>" in prefix else next(iter(converters))
        for obj in PRIMARY[prefix](authority):
            kwargs = {key: _sub_kwargs(obj, key) for key in converters}
            kwargs[first] = obj.reference if first == "reference" else obj.pk
            urls.append(reverse(name, kwargs=kwargs))
    return urls, unmapped


_ROUTES: dict[str, str] = {}


def _full_route(name: str, route: str) -> str:
    """The full route of a URL name (the walk gives the pattern within its include)."""
    if name not in _ROUTES:
        _ROUTES.update(_all_routes())
    return _ROUTES.get(name, route)


def _all_routes() -> dict[str, str]:
    from django.urls import URLPattern, URLResolver

    routes: dict[str, str] = {}

    def collect(patterns, prefix="", namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                collect(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                routes[f"{namespace}:{entry.name}" if namespace else entry.name] = prefix + str(entry.pattern)

    collect(get_resolver().url_patterns)
    return routes


def _references(authority: Authority) -> list[str]:
    contracts = list(Contract.objects.for_authority(authority.pk).values_list("reference", flat=True))
    competitions = list(Competition.objects.filter(buying_authority=authority).values_list("reference", flat=True))
    return contracts + competitions


LIST_PAGES = [
    ("contracts:officer_register", {}),
    ("contracts:envelope", {"year": "2018"}),
    ("contracts:envelope", {"year": "2025"}),
    ("contracts:pipeline", {"as_of": "2018-09-14"}),
    ("contracts:pipeline", {}),
    ("contracts:panel_report", {"as_of": "2018-09-14"}),
    ("contracts:panel_report", {}),
    ("monitoring:dashboard", {}),
    ("monitoring:dashboard", {"quarter": "2018-q1"}),
    ("monitoring:reports", {}),
    ("monitoring:aggregates", {}),
    ("awards:officer_competitions", {}),
    ("notices:officer_notices", {}),
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False
    users = {u.email: u for u in User.objects.filter(email__in=["officer@demo.test", "officer@asopcc.demo.test"])}
    west_midlands, avon = Authority.objects.get(name=WEST_MIDLANDS), Authority.objects.get(name=AVON)
    # Each officer's own reports, produced as they would be: a performance report and a Panel report.
    for email, authority in (("officer@demo.test", west_midlands), ("officer@asopcc.demo.test", avon)):
        contract = Contract.objects.filter(buying_authority=authority, activated_at__isnull=False).first()
        request_document(
            kind=CONTRACT_REPORT,
            target=contract,
            params={"financial_year": contract.start_on.year, "quarter": None, "authority": authority.pk},
            by=users[email],
        )
    return users, west_midlands, avon


@pytest.mark.parametrize(
    ("visitor", "owner"), [("officer@asopcc.demo.test", WEST_MIDLANDS), ("officer@demo.test", AVON)]
)
def test_an_officer_reaches_nothing_of_another_authority(demo, visitor, owner):
    users, *_ = demo
    officer = users[visitor]
    authority = Authority.objects.get(name=owner)
    assert officer.authority != authority
    urls, unmapped = officer_urls(authority)
    assert unmapped == [], "officer URLs the walk cannot fill in: add them to PRIMARY"
    kinds = {url.split("/")[2] for url in urls if url.startswith("/officer/")}
    if owner == WEST_MIDLANDS:  # the demo's West Midlands data covers every kind of object
        assert {"contracts", "returns", "competitions", "responses", "direct-awards", "notices"} <= kinds, kinds
    assert any("/officer/contracts/" in url for url in urls) and any("/officer/returns/" in url for url in urls)
    client = Client()
    client.force_login(officer)
    problems = []
    for url in urls:
        got = client.get(url).status_code
        if got not in (403, 404, 405):
            problems.append(f"GET {url}: {got}")
    for url in [u for u in urls if not u.startswith("/documents/")][:400]:
        got = client.post(url, {}).status_code
        if got not in (403, 404):
            problems.append(f"POST {url}: {got}")
    references = _references(authority)
    assert references
    for name, query in LIST_PAGES:
        response = client.get(reverse(name), {**query, "authority": authority.pk})
        page = response.content.decode()
        if response.status_code != 200:
            problems.append(f"{name} {query}: {response.status_code}")
        problems += [f"{name} {query} names {ref}" for ref in references if ref in page]
    for lot_pk in Contract.objects.filter(buying_authority=authority, lot__isnull=False).values_list("lot", flat=True):
        for name in ("monitoring:aggregates", "monitoring:aggregates_export"):
            got = client.get(reverse(name), {"lot": lot_pk}).status_code
            if got != 404:
                problems.append(f"{name} lot {lot_pk}: {got}")
    assert problems == []


def test_no_call_off_in_the_demo_starts_before_its_suppliers_appointment(demo):
    """Issue 20: WMOPCC-IDVA-BHM-2025 started on 1 April 2025, before the framework's first window opened
    (1 May 2025) and before any appointment (1 July 2025)."""
    call_offs = Contract.objects.filter(lot__isnull=False).select_related("lot", "supplier")
    assert call_offs.filter(reference="WMOPCC-IDVA-BHM-2025").exists()
    problems = []
    for contract in call_offs:
        appointment = Appointment.objects.filter(lot=contract.lot, supplier=contract.supplier).first()
        if appointment is None:
            problems.append(f"{contract.reference}: {contract.supplier} has no appointment on {contract.lot}")
        elif contract.start_on < appointment.starts_on:
            problems.append(f"{contract.reference} starts {contract.start_on}, appointed {appointment.starts_on}")
    assert problems == []

    # Coventry's call-off from the framework: the West Midlands OPCC reads it; only Coventry manages it.
    call_off = Contract.objects.get(reference="CCC-IDVA-2026")
    assert call_off.buying_authority.name == "Coventry City Council"
    assert call_off.lot.framework.lead_authority.name == WEST_MIDLANDS
    client = Client()
    client.force_login(User.objects.get(email="officer@demo.test"))
    assert "CCC-IDVA-2026" in client.get(reverse("contracts:officer_register")).content.decode()
    assert client.get(reverse("contracts:officer_contract", args=[call_off.pk])).status_code == 200
    assert client.get(reverse("contracts:record_variation", args=[call_off.pk])).status_code == 404
    client.force_login(User.objects.get(email="officer@coventry.demo.test"))
    assert client.get(reverse("contracts:record_variation", args=[call_off.pk])).status_code == 200
    assert "WMOPCC-IDVA-BHM-2025" not in client.get(reverse("contracts:officer_register")).content.decode()
