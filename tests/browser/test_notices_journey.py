"""The Procurement Act's clock in a real browser, with axe-core on every page: an officer previews the
contract award notice (UK6) of an award, records it as published on Find a Tender (first with a mistake),
sees the standstill's last day, and creates the contract once the standstill is over."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from commissioning.dates import LONDON, long_date, standstill_last_day
from contracts.award import services
from contracts.award.models import Competition
from contracts.notices.models import Notice
from tests.browser.conftest import sign_in
from tests.browser.test_award_journeys import award_world, check, fill_date, published  # noqa: F401  (fixture)
from tests.factories.awards import close_now, complete_tender, evaluate_all, open_competition


def test_an_officer_publishes_the_contract_award_notice_and_awards_after_the_standstill(page, award_world):  # noqa: F811
    w = award_world
    competition = published(w)
    winner = complete_tender(competition, w["provider"], price="80000")
    complete_tender(competition, w["provider2"], price="72000")
    close_now(competition)
    open_competition(competition, w["officer"], w["officer2"])
    evaluate_all(competition, w["officer"], [w["evaluator"], w["officer2"]], marks={winner.pk: {"Service delivery": 4}})
    decided = datetime.combine(timezone.localdate() - timedelta(days=30), time(11), tzinfo=LONDON)
    award = services.decide_award(
        lot=competition.lots.get(), tender=winner, reasons="Highest total score.", by=w["officer"], now=decided
    )
    assert Notice.objects.get(key=f"award:{award.pk}:UK6").status == Notice.Status.DUE

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/")
    expect(page.locator("main")).to_contain_text("The standstill begins on the day the contract award notice (UK6)")
    check(page)
    page.get_by_role("link", name="UK6 contract award notice").click()
    expect(page.locator("h1")).to_have_text("UK6 contract award notice")
    expect(page.locator("main")).to_contain_text("Brindley Domestic Abuse Support")
    expect(page.locator("main")).to_contain_text("Light-touch")
    check(page)

    page.get_by_role("link", name="Record as published").click()
    check(page)
    page.get_by_role("button", name="Record as published").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the Find a Tender notice number")
    check(page)
    page.get_by_label("Find a Tender notice number").fill("41267-2026")
    published_on = timezone.localdate() - timedelta(days=20)
    fill_date(page, "published_on", published_on)
    page.get_by_role("button", name="Record as published").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("like 041267-2026")
    check(page)
    page.get_by_label("Find a Tender notice number").fill("041267-2026")
    page.get_by_role("button", name="Record as published").click()
    last_day = standstill_last_day(published_on)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The standstill period runs to the end of {last_day:%A} {long_date(last_day)}"
    )
    expect(page.locator("#standstill-ends")).to_contain_text(f"{last_day:%A} {long_date(last_day)}")
    check(page)

    page.goto(f"/officer/competitions/{competition.pk}/")
    expect(page.locator("main")).to_contain_text(re.compile(r"Standstill to the end of"))
    page.get_by_role("link", name="Create the contract").click()
    check(page)
    page.get_by_label("Contract reference").fill("WMOPCC-MC-COURTS-C")
    page.get_by_role("button", name="Create the contract").click()
    expect(page.locator("h1")).to_have_text("IDVA service for Birmingham courts")
    check(page)
    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CONTRACTED
    assert timezone.localdate() > last_day
