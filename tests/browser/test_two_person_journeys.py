"""Two-person steps added by issue 16, in a real browser with axe-core on every page (forms in their error
state too): the owner proposes an earlier closing time and a second officer confirms it; one officer
proposes that an entered contract goes live and a second officer confirms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.demo import demo_approval, demo_user
from commissioning.models import Area, Authority, User
from contracts.award import services
from contracts.award.demo import SECOND_OFFICER
from contracts.award.models import Competition
from contracts.models import Contract
from suppliers.models import Supplier
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories.awards import make_competition
from tests.factories.contracts import make_contract
from tests.factories.frameworks import make_appointment, make_framework, make_lot


@pytest.fixture
def world(demo):
    lead = Authority.objects.get(is_lead_commissioner=True)
    demo_user(
        SECOND_OFFICER,
        full_name="Priya Shah",
        role=User.Role.OFFICER,
        authority=lead,
        is_staff=True,
        **demo_approval(demo["admin2@demo.test"]),
    )
    return {"officer": demo["officer@demo.test"], "lead": lead}


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


def fill_date(page, prefix: str, day) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_two_officers_bring_a_closing_time_forward(page, world):
    framework = make_framework(lead_authority=world["lead"], reference="WMOPCC-DASAA-2025")
    lot = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)")
    birmingham = Area.objects.get(name="Birmingham")
    make_appointment(lot, Supplier.objects.get(legal_name="Brindley Domestic Abuse Support"), areas=[birmingham])
    competition = make_competition(
        by=world["officer"],
        framework_lot=lot,
        areas=[birmingham],
        title="IDVA service for Birmingham courts",
        clarification_deadline=timezone.now() + timedelta(hours=2),
    )
    competition = services.publish_competition(competition=competition, by=world["officer"])
    earlier = timezone.localdate(competition.closes_at) - timedelta(days=2)

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/")
    page.get_by_role("link", name="Move the closing time").click()
    check(page)
    fill_date(page, "closes_date", timezone.localdate() + timedelta(days=1))
    page.get_by_label("Message to bidders").fill("The service must start sooner.")
    page.get_by_role("button", name="Move the closing time").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("working days' notice")
    check(page)
    fill_date(page, "closes_date", earlier)
    page.get_by_role("button", name="Move the closing time").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A second officer must now confirm it")
    check(page)
    page.get_by_role("link", name="Earlier closing time: proposed").click()
    expect(page.get_by_role("button", name="Confirm the earlier closing time")).to_have_count(0)
    check(page)
    sign_out(page)

    sign_in(page, SECOND_OFFICER)
    page.goto(f"/officer/competitions/{competition.pk}/")
    page.get_by_role("link", name="Earlier closing time: confirm").click()
    expect(page.locator("main")).to_contain_text("The service must start sooner.")
    check(page)
    page.get_by_role("button", name="Confirm the earlier closing time").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("brought forward")
    check(page)
    assert timezone.localdate(Competition.objects.get(pk=competition.pk).closes_at) == earlier


def test_two_officers_make_an_entered_contract_live(page, world):
    contract = make_contract(by=world["officer"], buying_authority=world["lead"], annual_value="10000")

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/contracts/{contract.pk}/go-live/")
    expect(page.locator("main")).to_contain_text("a second, different officer confirms")
    check(page)
    page.get_by_role("button", name="Propose that it goes live").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A second officer must now confirm it")
    page.goto(f"/officer/contracts/{contract.pk}/go-live/")
    page.get_by_role("button", name="Confirm that it goes live").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("a second, different officer must confirm")
    check(page)
    sign_out(page)

    sign_in(page, SECOND_OFFICER)
    page.goto(f"/officer/contracts/{contract.pk}/go-live/")
    check(page)
    page.get_by_role("button", name="Confirm that it goes live").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The contract is live")
    check(page)
    assert not Contract.objects.get(pk=contract.pk).is_draft
