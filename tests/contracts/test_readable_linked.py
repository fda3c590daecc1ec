"""The lots, providers and buying authorities of the contracts an officer reads, asked one way of reading at a
time (`ContractQuerySet.readable_linked`: bought, on a lot of a framework the authority leads, contributed
to), are those of `readable_by`, for an officer reading by each way, an officer of an authority that reads
nothing, an administrator and a provider."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Exists, OuterRef

from commissioning.models import Authority, User
from contracts.funding import services as funding
from contracts.models import Contract
from frameworks.models import Lot
from suppliers.models import Supplier
from tests.factories import make_authority, make_supplier, make_user
from tests.factories.contracts import make_contract
from tests.factories.frameworks import make_framework, make_lot

pytestmark = pytest.mark.django_db

LINKS = (
    (Lot, "lot"),
    (Supplier, "supplier"),
    (Authority, "buying_authority"),
)


@pytest.fixture
def register():
    """The West Midlands OPCC buys one contract, leads a framework on which Coventry buys another, and
    contributes to a third that Coventry buys on Coventry's own framework; a fourth, Coventry's alone, it
    does not read."""
    opcc = make_authority(name="West Midlands OPCC", kind=Authority.Kind.OPCC)
    coventry = make_authority(name="Coventry City Council", kind=Authority.Kind.LOCAL_AUTHORITY)
    solihull = make_authority(name="Solihull Council", kind=Authority.Kind.LOCAL_AUTHORITY)
    officer = make_user(User.Role.OFFICER, authority=opcc)
    coventry_officer = make_user(User.Role.OFFICER, authority=coventry)
    led = make_framework(lead_authority=opcc, reference="WMPCC-VS-2025")
    coventrys = make_framework(lead_authority=coventry, reference="CCC-DA-2025")
    lots = {
        "bought": make_lot(coventrys, number=1),
        "led": make_lot(led, number=1),
        "contributed": make_lot(coventrys, number=2),
        "unread": make_lot(coventrys, number=3),
        "empty led": make_lot(led, number=2),
    }
    suppliers = {name: make_supplier(legal_name=f"{name.title()} Women's Aid") for name in lots}
    contracts = {
        "bought": make_contract(by=officer, lot=lots["bought"], supplier=suppliers["bought"]),
        "led": make_contract(by=coventry_officer, lot=lots["led"], supplier=suppliers["led"]),
        "contributed": make_contract(
            by=coventry_officer, lot=lots["contributed"], supplier=suppliers["contributed"], annual_value="50000"
        ),
        "unread": make_contract(
            by=coventry_officer, lot=lots["unread"], supplier=suppliers["unread"], buying_authority=solihull
        ),
    }
    funding.set_contribution(
        by=coventry_officer,
        contract=contracts["contributed"],
        authority=opcc,
        financial_year=contracts["contributed"].start_on.year,
        amount=Decimal("10000"),
    )
    return officer, coventry_officer, lots, suppliers, (opcc, coventry, solihull)


def _through_readable_by(model, link: str, user) -> set:
    return set(model.objects.filter(Exists(Contract.objects.readable_by(user).filter(**{link: OuterRef("pk")}))))


def _through_readable_linked(model, link: str, user) -> set:
    return set(model.objects.filter(Contract.objects.readable_linked(user, **{link: OuterRef("pk")})))


def test_an_officer_reads_the_lots_providers_and_buyers_of_each_way_of_reading(register):
    officer, _coventry_officer, lots, suppliers, (opcc, coventry, _solihull) = register
    read = ("bought", "led", "contributed")
    assert _through_readable_linked(Lot, "lot", officer) == {lots[name] for name in read}
    assert _through_readable_linked(Supplier, "supplier", officer) == {suppliers[name] for name in read}
    assert _through_readable_linked(Authority, "buying_authority", officer) == {opcc, coventry}


@pytest.mark.parametrize("who", ["opcc officer", "coventry officer", "stranger officer", "admin", "provider"])
def test_each_link_gives_what_readable_by_gives(register, who):
    officer, coventry_officer, *_ = register
    user = {
        "opcc officer": officer,
        "coventry officer": coventry_officer,
        "stranger officer": make_user(User.Role.OFFICER, authority=make_authority(name="Avon and Somerset OPCC")),
        "admin": make_user(User.Role.ADMINISTRATOR),
        "provider": make_user(User.Role.PROVIDER),
    }[who]
    for model, link in LINKS:
        expected = _through_readable_by(model, link, user)
        assert _through_readable_linked(model, link, user) == expected, (who, link)
        if who in {"stranger officer", "provider"}:
            assert expected == set()
        if who == "admin":
            assert expected == set(model.objects.filter(Exists(Contract.objects.filter(**{link: OuterRef("pk")}))))
