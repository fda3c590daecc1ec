"""Issue 7 in a real browser, with axe-core on every page (forms included in their error state): a provider
fills in a quarterly return with one breakdown wrong, fixes it and submits; the officer returns it with a
comment; the provider amends and resubmits; the officer accepts it; the contract performance report is
requested, becomes ready, is downloaded and opens as a PDF."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from commissioning.celery import app as celery_app
from commissioning.dates import Quarter
from commissioning.models import Area, Authority, GeneratedDocument, User
from commissioning.tasks import generate_document
from monitoring.models import QuarterlyReturn
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories.frameworks import make_framework, make_lot
from tests.factories.monitoring import make_monitored_contract, make_return

BREAKDOWN = "Referral source of the referrals"


@pytest.fixture
def held_queue():
    """Queue document tasks where no worker takes them, so the test sees the document queued and then plays
    the worker itself (the eager test settings would otherwise produce the PDF inside the request)."""
    queue = f"browser-held-{uuid.uuid4().hex[:8]}"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_routes)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_routes = {"commissioning.generate_document": {"queue": queue}}
    yield queue
    celery_app.conf.task_always_eager, celery_app.conf.task_routes = previous
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


@pytest.fixture
def returns_setup(demo):
    officer = User.objects.get(email="officer@demo.test")
    officer.authority = Authority.objects.get(is_lead_commissioner=True)
    officer.save()
    provider = User.objects.get(email="provider@demo.test")
    quarter = Quarter.containing(timezone.localdate()).previous()
    framework = make_framework(lead_authority=officer.authority, reference="WMOPCC-DASAA-2025")
    lot = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)")
    monitored = make_monitored_contract(
        lot=lot,
        officer=officer,
        provider=provider,
        areas=[Area.objects.get(name="Birmingham")],
        start_on=quarter.previous().start,
        reference="WMOPCC-IDVA-BHM-2025",
        title="Independent Domestic Violence Advocate service, Birmingham",
    )
    return monitored, quarter


def check(page: Page) -> None:
    assert_page_structure(page)
    assert_accessible(page)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def fill_figures(page: Page, *, police: str) -> None:
    page.get_by_label("Referrals received", exact=True).fill("224")
    breakdown = page.get_by_role("group", name=BREAKDOWN)
    breakdown.get_by_label("Police").fill(police)
    breakdown.get_by_label("Self-referral").fill("15")
    breakdown.get_by_label("Not known").fill("5")
    contact = page.get_by_role("group", name="Enhanced referrals contacted within 48 hours")
    contact.get_by_label("Enhanced referrals contacted within 48 hours").fill("76")
    contact.get_by_label("Enhanced referrals received").fill("80")
    page.get_by_label("Average days to first support (days)").fill("8.5")
    page.get_by_label("Service users satisfied overall (%)").fill("88")
    page.get_by_label("Spending this quarter (£)").fill("33750")
    page.get_by_label("Achievements").fill("Every high-risk referral was contacted within two days.")


def test_a_return_is_submitted_returned_resubmitted_accepted_and_reported(page, returns_setup, held_queue):
    monitored, quarter = returns_setup
    reference = monitored.contract.reference
    supplier = monitored.contract.supplier.legal_name

    # The provider finds the return and fills it in, with one breakdown wrong.
    sign_in(page, "provider@demo.test")
    page.get_by_role("link", name="Returns", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your quarterly returns")
    check(page)
    page.get_by_role("link", name=f"Start the {quarter.label} return for {reference}").click()
    expect(page.locator("h1")).to_have_text(f"Quarterly return for {quarter.label}")
    warning = page.locator(".govuk-warning-text").first
    expect(warning).to_contain_text("Never enter anything that could identify a victim")
    check(page)
    fill_figures(page, police="199")
    page.get_by_role("button", name="Submit return").click()

    message = "Referral source adds up to 219, 5 fewer than the 224 referrals"
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(message)
    expect(page.get_by_role("group", name=BREAKDOWN)).to_contain_text(message)
    assert page.title().startswith("Error: ")
    expect(page.get_by_role("group", name=BREAKDOWN).get_by_label("Police")).to_have_value("199")
    expect(page.get_by_label("Achievements")).to_have_value("Every high-risk referral was contacted within two days.")
    check(page)
    assert not QuarterlyReturn.objects.exists()  # nothing saved while anything is wrong

    summary.get_by_role("link", name=message).click()
    police = page.get_by_role("group", name=BREAKDOWN).get_by_label("Police")
    expect(police).to_be_focused()
    police.fill("204")
    page.get_by_role("button", name="Submit return").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(f"Your return for {quarter.label} has been submitted")
    expect(page.locator("h1")).to_have_text(f"Quarterly return for {quarter.label}")
    check(page)
    assert QuarterlyReturn.objects.get().status == QuarterlyReturn.Status.SUBMITTED
    sign_out(page)

    # The officer returns it for amendment, first forgetting the comment.
    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Returns", exact=True).click()
    expect(page.locator("h1")).to_have_text("Quarterly returns")
    check(page)
    page.get_by_role("link", name=f"Review the return from {supplier} for {reference}").click()
    expect(page.locator("h1")).to_have_text(f"{reference} return for {quarter.label}")
    chart = page.get_by_role("img", name=f"Referrals received, {quarter.previous().label} to {quarter.label}")
    expect(chart).to_be_visible()
    check(page)
    page.get_by_label("Return it for amendment").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what the provider needs to amend")
    check(page)
    page.get_by_label("Comments for the provider").fill("Please add the MARAC referrals to the breakdown.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been returned to the provider")
    check(page)
    sign_out(page)

    # The provider sees the comment, amends and resubmits.
    sign_in(page, "provider@demo.test")
    page.get_by_role("link", name="Returns", exact=True).click()
    page.get_by_role("link", name=f"Amend the {quarter.label} return for {reference}").click()
    expect(page.get_by_role("region", name="Amendments needed")).to_contain_text(
        "Please add the MARAC referrals to the breakdown."
    )
    check(page)
    breakdown = page.get_by_role("group", name=BREAKDOWN)
    breakdown.get_by_label("Police").fill("184")
    breakdown.get_by_label("MARAC").fill("20")
    page.get_by_role("button", name="Resubmit return").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been resubmitted")
    check(page)
    sign_out(page)

    # The officer accepts it and requests the contract's performance report.
    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Returns", exact=True).click()
    page.get_by_role("link", name=f"Review the return from {supplier} for {reference}").click()
    page.get_by_label("Accept the return").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been accepted")
    assert QuarterlyReturn.objects.get().status == QuarterlyReturn.Status.ACCEPTED
    check(page)

    page.get_by_role("link", name="Request its performance report").click()
    expect(page.locator("h1")).to_have_text("Request a performance report")
    check(page)
    page.get_by_role("button", name="Request the contract report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a quarter or a financial year")
    check(page)
    page.get_by_label("Quarter or financial year").select_option(label=quarter.label)
    page.get_by_role("button", name="Request the contract report").click()
    expect(page.locator("h1")).to_have_text(f"Performance report: {reference}, {quarter.label}")
    expect(page.locator("#document-status-tag")).to_have_text("Queued")
    check(page)

    document = GeneratedDocument.objects.get(kind="contract-performance-report")
    generate_document.apply(args=[document.pk])  # the worker's turn
    expect(page.locator("#document-status-tag")).to_have_text("Ready", timeout=15_000)
    check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_other_monitoring_pages_pass_axe_core_also_with_errors(page, returns_setup):
    monitored, quarter = returns_setup
    make_return(monitored, quarter, status=QuarterlyReturn.Status.ACCEPTED)
    reference = monitored.contract.reference

    sign_in(page, "provider@demo.test")
    page.goto(f"/provider/returns/{monitored.contract.pk}/{quarter.financial_year}/{quarter.number}/view/")
    expect(page.locator("h1")).to_have_text(f"Quarterly return for {quarter.label}")
    check(page)
    current = Quarter.containing(timezone.localdate())
    page.goto(f"/provider/returns/{monitored.contract.pk}/{current.financial_year}/{current.number}/upload/")
    expect(page.locator("h1")).to_have_text(f"Upload your {current.label} return spreadsheet")
    check(page)
    page.get_by_label("Upload your completed spreadsheet").set_input_files(
        files=[{"name": "return.xlsx", "mimeType": "application/octet-stream", "buffer": b"not a spreadsheet"}]
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be used as an Excel spreadsheet")
    check(page)
    sign_out(page)

    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Returns", exact=True).click()
    page.get_by_role("link", name="Figures across providers: by lot, area, quarter and half-year").click()
    expect(page.locator("h1")).to_contain_text("Figures across providers")
    expect(page.get_by_role("table", name="How much did we do?")).to_contain_text("224")
    check(page)
    page.goto(f"/officer/returns/contracts/{monitored.contract.pk}/targets/")
    expect(page.locator("h1")).to_have_text(f"Targets for {reference}")
    check(page)
    page.get_by_label("Target for Referrals received").fill("lots")
    page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The target for Referrals received must be a number")
    check(page)
    page.get_by_label("Target for Referrals received").fill("200")
    page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"The targets for {reference} have been saved")
    check(page)
