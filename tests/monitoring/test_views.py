"""Every monitoring page with an allowed and a refused user; provider isolation (404 for GET and POST);
bad input shown next to the field and in the error summary with nothing typed lost; the dashboard's query
count constant in the number of returns."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.dates import Quarter
from commissioning.demo import minimal_pdf
from commissioning.models import User
from monitoring import figures as checks
from monitoring.models import ContractIndicator, QuarterlyReturn, ReturnPeriod
from tests.factories import make_user
from tests.factories.monitoring import make_monitored_contract, make_return, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status
Q1 = Quarter(2025, 1)


def form_data(m, raw=None, action="save", **narrative):
    data = dict(raw if raw is not None else valid_raw(m))
    data.update({"achievements": "Contact times met.", "challenges": "", "risks": "", "emerging_themes": ""})
    data.update(narrative)
    data["action"] = action
    return data


def provider_urls(m, quarter=Q1):
    args = [m.contract.pk, quarter.financial_year, quarter.number]
    return {
        "edit": reverse("monitoring:edit_return", args=args),
        "view": reverse("monitoring:provider_return", args=args),
        "spreadsheet": reverse("monitoring:download_spreadsheet", args=args),
        "upload": reverse("monitoring:upload_spreadsheet", args=args),
        "document": reverse("monitoring:provider_document", args=args),
    }


def officer_urls(quarterly_return):
    return [
        reverse("monitoring:dashboard"),
        reverse("monitoring:aggregates"),
        reverse("monitoring:aggregates_export"),
        reverse("monitoring:reports"),
        reverse("monitoring:targets", args=[quarterly_return.contract_id]),
        reverse("monitoring:review", args=[quarterly_return.pk]),
    ]


# Access --------------------------------------------------------------------------------------------------


def test_the_provider_reaches_each_of_their_pages(client):
    m = make_monitored_contract()
    document = SimpleUploadedFile("evidence.pdf", minimal_pdf("test"), content_type="application/pdf")
    client.force_login(m.provider)
    assert client.get(reverse("monitoring:provider_returns")).status_code == 200
    urls = provider_urls(m)
    assert client.get(urls["edit"]).status_code == 200
    assert client.post(urls["edit"], {**form_data(m), "document": document}).status_code == 302
    assert client.get(urls["view"]).status_code == 200
    assert client.get(urls["spreadsheet"]).status_code == 200
    assert client.get(urls["upload"]).status_code == 200
    response = client.get(urls["document"])
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_supplier_gets_404_for_every_page_by_get_and_post(client):
    m = make_monitored_contract()
    make_return(m)
    before = list(QuarterlyReturn.objects.values_list("pk", "status", "updated_at"))
    client.force_login(make_user(User.Role.PROVIDER))
    for name, url in provider_urls(m).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, form_data(m, action="submit")).status_code in (403, 404), name
    assert list(QuarterlyReturn.objects.values_list("pk", "status", "updated_at")) == before


@pytest.mark.parametrize("role", ["officer", "evaluator", "partner"])
def test_other_roles_are_refused_the_provider_pages(client, role):
    m = make_monitored_contract()
    client.force_login(make_user(role))
    assert client.get(reverse("monitoring:provider_returns")).status_code == 403
    assert client.get(provider_urls(m)["edit"]).status_code == 403


def test_officers_reach_every_officer_page(client):
    m = make_monitored_contract()
    quarterly_return = make_return(m, status=Status.SUBMITTED)
    client.force_login(m.officer)
    for url in officer_urls(quarterly_return):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["provider", "evaluator", "partner"])
def test_other_roles_are_refused_the_officer_pages(client, role):
    m = make_monitored_contract()
    quarterly_return = make_return(m, status=Status.SUBMITTED)
    client.force_login(m.provider if role == "provider" else make_user(role))
    for url in officer_urls(quarterly_return) + [reverse("monitoring:officer_document", args=[quarterly_return.pk])]:
        assert client.get(url).status_code == 403, url
    assert (
        client.post(reverse("monitoring:review", args=[quarterly_return.pk]), {"decision": "accept"}).status_code == 403
    )
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in [reverse("monitoring:provider_returns"), reverse("monitoring:dashboard")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/sign-in/")


def test_read_only_officer_pages_refuse_posts(client):
    m = make_monitored_contract()
    client.force_login(m.officer)
    assert client.post(reverse("monitoring:dashboard")).status_code == 403
    assert client.post(reverse("monitoring:aggregates_export")).status_code == 403


def test_a_quarter_with_no_return_due_is_not_found(client):
    m = make_monitored_contract(start_on=date(2025, 4, 1))
    client.force_login(m.provider)
    assert client.get(provider_urls(m, Quarter(2024, 4))["edit"]).status_code == 404
    assert client.get(reverse("monitoring:edit_return", args=[m.contract.pk, 2025, 5])).status_code == 404


# The provider's form ----------------------------------------------------------------------------------


def test_saving_a_draft_then_submitting(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    urls = provider_urls(m)
    response = client.post(urls["edit"], form_data(m))
    assert response.status_code == 302 and response.url == urls["edit"]
    quarterly_return = QuarterlyReturn.objects.get()
    assert quarterly_return.status == Status.DRAFT
    page = client.get(urls["edit"]).content.decode()
    assert 'value="224"' in page and "Contact times met." in page  # the draft is shown again
    response = client.post(urls["edit"], form_data(m, action="submit"))
    assert response.status_code == 302 and response.url == urls["view"]
    quarterly_return.refresh_from_db()
    assert quarterly_return.status == Status.SUBMITTED
    assert client.get(urls["edit"]).url == urls["view"]  # a submitted return is no longer editable


def test_a_wrong_breakdown_is_shown_beside_it_and_in_the_summary_and_nothing_typed_is_lost(client):
    m = make_monitored_contract()
    ref = m.indicator("REF")
    police = checks.category_key(ref, "referral_source", "police")
    client.force_login(m.provider)
    response = client.post(provider_urls(m)["edit"], form_data(m, valid_raw(m, **{police: "199"}), action="submit"))
    html = response.content.decode()
    message = "Referral source adds up to 219, 5 fewer than the 224 referrals"
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'<a href="#id_{police}">{message}</a>' in html  # the summary links to the breakdown
    assert f'class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {message}' in html
    assert f'name="{police}" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="199"' in html
    assert "Contact times met." in html
    assert html.count("<title>Error: ") == 1
    assert not QuarterlyReturn.objects.exists()  # nothing saved


def test_a_bad_number_is_shown_beside_its_field(client):
    m = make_monitored_contract()
    wait = checks.value_key(m.indicator("WAIT"))
    client.force_login(m.provider)
    response = client.post(provider_urls(m)["edit"], form_data(m, valid_raw(m, **{wait: "-3"})))
    html = response.content.decode()
    assert f'<a href="#id_{wait}">Average days to first support must be 0 or more</a>' in html
    assert 'value="-3"' in html


def test_submitting_before_the_quarter_ends_keeps_the_draft_and_says_when(client):
    today = date.today()
    current = Quarter.containing(today)
    m = make_monitored_contract(start_on=current.start)
    client.force_login(m.provider)
    response = client.post(provider_urls(m, current)["edit"], form_data(m, action="submit"))
    assert "once the quarter has ended" in response.content.decode()
    assert QuarterlyReturn.objects.get().status == Status.DRAFT


def test_a_fake_supporting_document_is_refused_beside_the_field(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    fake = SimpleUploadedFile("report.pdf", b"not a pdf", content_type="application/pdf")
    response = client.post(provider_urls(m)["edit"], {**form_data(m), "document": fake})
    assert "cannot be used as a PDF" in response.content.decode()
    assert not QuarterlyReturn.objects.exists()


def test_a_returned_return_shows_the_comments_and_can_be_resubmitted(client):
    m = make_monitored_contract()
    make_return(m, status=Status.RETURNED)
    client.force_login(m.provider)
    urls = provider_urls(m)
    page = client.get(urls["edit"]).content.decode()
    assert "Amendments needed" in page and "Check the referral figures." in page and "Resubmit return" in page
    client.post(urls["edit"], form_data(m, action="submit"))
    assert QuarterlyReturn.objects.get().status == Status.RESUBMITTED


def test_the_provider_list_shows_each_quarter_with_its_status(client):
    m = make_monitored_contract(start_on=date(2025, 4, 1))
    make_return(m, status=Status.ACCEPTED)
    client.force_login(m.provider)
    html = client.get(reverse("monitoring:provider_returns")).content.decode()
    assert "2025/26 Q1" in html and "Accepted" in html and "2025/26 Q2" in html and "Not started" in html


# The officer's pages -----------------------------------------------------------------------------------


def test_the_review_page_shows_values_targets_rag_text_and_accessible_charts(client):
    m = make_monitored_contract()
    make_return(m, Q1, status=Status.ACCEPTED)
    second = make_return(m, Quarter(2025, 2), status=Status.SUBMITTED, raw=valid_raw(m, referrals=190))
    client.force_login(m.officer)
    html = client.get(reverse("monitoring:review", args=[second.pk])).content.decode()
    assert "Referrals received" in html and "190" in html and "224" in html
    assert "Red: off target" in html  # 190 is more than 20 short of 224: text, not colour alone
    assert 'role="img"' in html and "<desc" in html and "Q1 25/26: 224; Q2 25/26: 190" in html
    assert "Record the decision" in html


def test_the_officer_returns_a_return_with_comments_then_accepts_the_resubmission(client):
    m = make_monitored_contract()
    submitted = make_return(m, status=Status.SUBMITTED)
    client.force_login(m.officer)
    url = reverse("monitoring:review", args=[submitted.pk])
    response = client.post(url, {"decision": "return", "comments": ""})
    assert '<a href="#id_comments">Enter what the provider needs to amend</a>' in response.content.decode()
    assert client.post(url, {"decision": "return", "comments": "Add the MARAC figure."}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    client.force_login(m.provider)
    client.post(provider_urls(m)["edit"], form_data(m, action="submit"))
    client.force_login(m.officer)
    client.post(url, {"decision": "accept", "comments": ""})
    submitted.refresh_from_db()
    assert submitted.status == Status.ACCEPTED


def test_the_targets_page_saves_per_contract_targets_and_shows_errors(client):
    m = make_monitored_contract()
    ref = m.indicator("REF")
    client.force_login(m.officer)
    url = reverse("monitoring:targets", args=[m.contract.pk])
    data = {f"target_{i.pk}": "" if i.target is None else str(i.target) for i in m.indicators}
    data |= {f"margin_{i.pk}": str(i.amber_margin) for i in m.indicators}
    response = client.post(url, data | {f"target_{ref.pk}": "lots"})
    assert f'<a href="#id_target_{ref.pk}">The target for Referrals received must be a number</a>' in (
        response.content.decode()
    )
    assert client.post(url, data | {f"target_{ref.pk}": "180"}).status_code == 302
    assert ContractIndicator.objects.get(pk=ref.pk).target == Decimal("180")


def test_the_report_request_form_queues_a_document(client):
    m = make_monitored_contract()
    make_return(m, status=Status.ACCEPTED)
    client.force_login(m.officer)
    url = reverse("monitoring:reports")
    response = client.post(url, {"kind": "contract-performance-report", "contract-contract": "", "contract-period": ""})
    assert "Select a contract" in response.content.decode()
    response = client.post(
        url,
        {"kind": "contract-performance-report", "contract-contract": str(m.contract.pk), "contract-period": "2025-q1"},
    )
    assert response.status_code == 302 and response.url.startswith("/documents/")


# Query counts -------------------------------------------------------------------------------------------


def _dashboard_queries(client, officer) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("monitoring:dashboard"), {"quarter": "2025-q1"})
    assert response.status_code == 200
    return len(queries)


def _make_returns(n: int, officer):
    """n contracts in force in 2025/26 Q1, each with a return in one of the statuses."""
    from tests.factories.frameworks import make_framework, make_lot

    lot = make_lot(make_framework(lead_authority=officer.authority))
    period = ReturnPeriod.for_quarter(Q1)
    statuses = [Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED]
    for i in range(n):
        m = make_monitored_contract(lot=lot, officer=officer)
        status = statuses[i % len(statuses)]
        QuarterlyReturn.objects.create(
            contract=m.contract,
            period=period,
            status=status,
            due_on=period.due_on,
            created_by=m.provider,
            submitted_at=None if status == Status.DRAFT else m.contract.created_at,
            accepted_at=m.contract.created_at if status == Status.ACCEPTED else None,
        )


def test_the_dashboard_query_count_does_not_grow_with_the_returns(client):
    officer = make_user(User.Role.OFFICER)
    client.force_login(officer)
    _make_returns(5, officer)
    small = _dashboard_queries(client, officer)
    _make_returns(195, officer)
    assert QuarterlyReturn.objects.count() == 200
    large = _dashboard_queries(client, officer)
    html = client.get(reverse("monitoring:dashboard"), {"quarter": "2025-q1"}).content.decode()
    assert "200 returns due for 2025/26 Q1" in html
    assert small == large
    assert large <= 12


def test_officers_download_a_returns_supporting_document_and_nobody_else_does(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    document = SimpleUploadedFile("evidence.pdf", minimal_pdf("evidence"), content_type="application/pdf")
    client.post(provider_urls(m)["edit"], {**form_data(m), "document": document})
    quarterly_return = QuarterlyReturn.objects.get()
    url = reverse("monitoring:officer_document", args=[quarterly_return.pk])
    assert client.get(url).status_code == 403  # providers use their own page
    client.force_login(m.officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_supporting_document_is_linked_from_the_provider_and_officer_pages(client):
    m = make_monitored_contract()
    client.force_login(m.provider)
    document = SimpleUploadedFile("evidence.pdf", minimal_pdf("evidence"), content_type="application/pdf")
    client.post(provider_urls(m)["edit"], {**form_data(m), "document": document})
    quarterly_return = QuarterlyReturn.objects.get()
    assert (
        f'href="{provider_urls(m)["document"]}">evidence.pdf</a>'
        in client.get(provider_urls(m)["edit"]).content.decode()
    )
    client.force_login(m.officer)
    page = client.get(reverse("monitoring:review", args=[quarterly_return.pk])).content.decode()
    assert f'href="{reverse("monitoring:officer_document", args=[quarterly_return.pk])}">evidence.pdf</a>' in page


def test_a_dashboard_filter_not_in_its_list_is_reported_and_the_others_still_apply(client):
    officer = make_user(User.Role.OFFICER)
    client.force_login(officer)
    _make_returns(4, officer)
    response = client.get(reverse("monitoring:dashboard"), {"quarter": "2025-q1", "supplier": "nobody"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#id_supplier">Select a provider from the list</a>' in html
    assert '<p id="id_supplier_error" class="govuk-error-message">' in html
    # the quarter asked for still applies (it is not the default one, the last quarter ended) and stays selected
    assert '<option value="2025-q1" selected>' in html
    assert "4 returns due for 2025/26 Q1" in html


def test_the_quarter_select_shows_the_quarter_the_dashboard_is_for(client):
    from monitoring.selectors import default_quarter, quarter_key

    officer = make_user(User.Role.OFFICER)
    client.force_login(officer)
    shown = f'<option value="{quarter_key(default_quarter(timezone.localdate()))}" selected>'
    for query in ({}, {"quarter": "1999-q9"}, {"supplier": ""}):
        html = client.get(reverse("monitoring:dashboard"), query).content.decode()
        assert shown in html
        if not query:  # the page as first opened reports no error
            assert "govuk-error-summary" not in html
    html = client.get(reverse("monitoring:dashboard"), {"quarter": "x"}).content.decode()
    assert '<a href="#id_quarter">Select a quarter from the list</a>' in html and shown in html
