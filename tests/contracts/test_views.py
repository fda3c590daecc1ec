"""Every contracts page with an allowed and a refused user, provider isolation, the forms' errors and
the register's query count."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.dates import long_date
from commissioning.models import User
from contracts import services
from contracts.models import Contract, Extension, Variation
from tests.factories import make_area, make_authority, make_established, make_supplier, make_user
from tests.factories.contracts import make_contract, make_live_contract, make_meeting_with_action, make_stream
from tests.factories.frameworks import make_framework, make_lot

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def live(officer):
    """A live contract that started a year ago and runs two more years, with one 12-month option."""
    start = date(TODAY.year - 1, 4, 1)
    return make_live_contract(
        by=officer,
        start_on=start,
        initial_end_on=date(start.year + 3, 3, 31),
        extension_months=[12],
        annual_value="30000",
    )


def _officer_pages(contract: Contract) -> list[str]:
    return [
        reverse("contracts:officer_register"),
        reverse("contracts:envelope"),
        reverse("contracts:pipeline"),
        reverse("contracts:panel_report"),
        reverse("contracts:officer_contract", args=[contract.pk]),
        reverse("contracts:record_variation", args=[contract.pk]),
        reverse("contracts:exercise_extension", args=[contract.pk]),
        reverse("contracts:terminate", args=[contract.pk]),
        reverse("contracts:set_scope", args=[contract.pk]),
        reverse("contracts:go_live", args=[contract.pk]),
    ]


def test_officers_reach_every_officer_page(client, officer, live):
    client.force_login(officer)
    for path in _officer_pages(live):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.content.decode().count("<h1") == 1, path


@pytest.mark.parametrize("role", [User.Role.PROVIDER, User.Role.EVALUATOR, User.Role.PARTNER])
def test_other_roles_are_refused_every_officer_page(client, officer, live, role):
    client.force_login(make_user(role, supplier=live.supplier) if role == User.Role.PROVIDER else make_user(role))
    for path in _officer_pages(live):
        assert client.get(path).status_code == 403, path
    assert client.post(reverse("contracts:schedule_meetings", args=[live.pk])).status_code == 403
    assert client.post(reverse("contracts:request_panel_report")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, live):
    for path in [*_officer_pages(live), reverse("contracts:provider_contracts")]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/sign-in/"), path


def test_the_provider_sees_only_their_own_contracts(client, officer, live):
    provider = make_user(User.Role.PROVIDER, supplier=live.supplier)
    other = make_live_contract(by=officer, title="Someone else's service", supplier=make_supplier())
    make_contract(by=officer, title="Our draft", supplier=live.supplier)
    client.force_login(provider)

    listing = client.get(reverse("contracts:provider_contracts")).content.decode()
    assert live.title in listing
    assert "Someone else&#x27;s service" not in listing and "Our draft" not in listing

    page = client.get(reverse("contracts:provider_contract", args=[live.pk]))
    assert page.status_code == 200
    assert live.reference in page.content.decode()
    assert "Audit trail" not in page.content.decode()

    assert client.get(reverse("contracts:provider_contract", args=[other.pk])).status_code == 404
    assert client.post(reverse("contracts:provider_contract", args=[other.pk])).status_code == 403  # read-only


def test_another_suppliers_action_is_404_for_a_provider(client, officer, live):
    provider = make_user(User.Role.PROVIDER)  # a different supplier
    action = make_meeting_with_action(live, by=officer)
    client.force_login(provider)
    response = client.post(reverse("contracts:complete_action", args=[action.pk]))
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.done_at is None
    assert client.get(reverse("contracts:provider_contract", args=[live.pk])).status_code == 404


@pytest.mark.parametrize("role", [User.Role.EVALUATOR, User.Role.PARTNER])
def test_evaluators_and_partners_are_refused_the_provider_pages_and_actions(client, officer, live, role):
    action = make_meeting_with_action(live, by=officer)
    client.force_login(make_user(role))
    assert client.get(reverse("contracts:provider_contracts")).status_code == 403
    assert client.get(reverse("contracts:provider_contract", args=[live.pk])).status_code == 403
    assert client.post(reverse("contracts:complete_action", args=[action.pk])).status_code == 403


def test_the_provider_marks_an_action_done(client, officer, live):
    provider = make_user(User.Role.PROVIDER, supplier=live.supplier)
    action = make_meeting_with_action(live, by=officer, description="Send the waiting-list figures")
    client.force_login(provider)
    assert client.get(reverse("contracts:complete_action", args=[action.pk])).status_code == 405
    response = client.post(reverse("contracts:complete_action", args=[action.pk]), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("contracts:provider_contract", args=[live.pk]))
    assert "Action marked as done: Send the waiting-list figures" in response.content.decode()
    action.refresh_from_db()
    assert action.done_by == provider
    again = client.post(reverse("contracts:complete_action", args=[action.pk]), follow=True)
    assert "already marked done" in again.content.decode()


def test_the_officer_records_a_variation(client, officer, live):
    client.force_login(officer)
    year = live.financial_years[1]
    response = client.post(
        reverse("contracts:record_variation", args=[live.pk]),
        {
            "kind": "value",
            "financial_year": str(year),
            "new_value": "£32,500",
            "reason": "More outreach sessions.",
            "approver": "Police and Crime Commissioner",
            "approved_on_0": str(TODAY.day),
            "approved_on_1": str(TODAY.month),
            "approved_on_2": str(TODAY.year),
        },
    )
    assert response.status_code == 302
    variation = Variation.objects.get(contract=live)
    assert (variation.value_before, variation.value_after, variation.financial_year) == (
        Decimal("30000.00"),
        Decimal("32500.00"),
        year,
    )


def test_a_variation_with_errors_is_shown_again_with_everything_typed(client, officer, live):
    client.force_login(officer)
    response = client.post(
        reverse("contracts:record_variation", args=[live.pk]),
        {
            "kind": "end_date",
            "new_end_0": "31",
            "new_end_1": "2",
            "new_end_2": "2027",
            "reason": "Keep this reason",
            "approver": "",
            "approved_on_0": "",
            "approved_on_1": "",
            "approved_on_2": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "govuk-error-summary" in page
    assert "Enter who approved the variation" in page
    assert "Enter the date approved" in page
    assert "New end date must be a real date" in page
    assert "Keep this reason" in page  # nothing typed is lost
    assert 'value="31"' in page and 'value="2027"' in page
    assert not Variation.objects.exists()


def test_a_rule_refusal_from_the_service_is_shown_next_to_its_field(client, officer, live):
    client.force_login(officer)
    response = client.post(
        reverse("contracts:record_variation", args=[live.pk]),
        {
            "kind": "end_date",
            "new_end_0": str(live.current_end_on.day),
            "new_end_1": str(live.current_end_on.month),
            "new_end_2": str(live.current_end_on.year),
            "reason": "No change really",
            "approver": "PCC",
            "approved_on_0": str(TODAY.day),
            "approved_on_1": str(TODAY.month),
            "approved_on_2": str(TODAY.year),
        },
    )
    page = response.content.decode()
    assert "The new end date is the same as the current end date" in page
    assert 'href="#id_new_end' in page  # linked from the error summary to the field


def test_the_officer_exercises_an_extension(client, officer, live):
    client.force_login(officer)
    option = live.extension_options.get()
    page = client.get(reverse("contracts:exercise_extension", args=[live.pk])).content.decode()
    assert "Option 1: 1 year" in page
    response = client.post(
        reverse("contracts:exercise_extension", args=[live.pk]),
        {
            "option": str(option.pk),
            "decided_on_0": str(TODAY.day),
            "decided_on_1": str(TODAY.month),
            "decided_on_2": str(TODAY.year),
            "reason": "Strong performance.",
            f"value_{live.initial_end_on.year}": "30000",  # the added financial year's value (issue 20)
        },
    )
    assert response.status_code == 302
    live.refresh_from_db()
    assert live.current_end_on == live.initial_end_on.replace(year=live.initial_end_on.year + 1)
    # A second submission of the same form (a double click) is refused, not a second extension.
    again = client.post(
        reverse("contracts:exercise_extension", args=[live.pk]),
        {
            "option": str(option.pk),
            "decided_on_0": str(TODAY.day),
            "decided_on_1": str(TODAY.month),
            "decided_on_2": str(TODAY.year),
            "reason": "Strong performance.",
            f"value_{live.initial_end_on.year}": "30000",  # the added financial year's value (issue 20)
        },
    )
    assert again.status_code == 200
    assert Extension.objects.count() == 1


def test_an_extension_without_a_reason_or_date_shows_errors(client, officer, live):
    client.force_login(officer)
    option = live.extension_options.get()
    response = client.post(
        reverse("contracts:exercise_extension", args=[live.pk]),
        {"option": str(option.pk), "decided_on_0": "", "decided_on_1": "", "decided_on_2": "", "reason": ""},
    )
    page = response.content.decode()
    assert "Enter why the extension is being exercised" in page
    assert "Enter the date of the decision" in page
    assert not Extension.objects.exists()


def test_go_live_shows_the_social_value_refusal(client, officer):
    contract = make_contract(by=officer, annual_value="40000")  # £120,000 over three years
    client.force_login(officer)
    page = client.post(reverse("contracts:go_live", args=[contract.pk])).content.decode()
    assert "<title>Error: " in page
    assert "accept a Social Value Proposal before it goes live" in page
    assert Contract.objects.get(pk=contract.pk).is_draft


def test_go_live_and_terminate_from_the_staff_pages(client, officer):
    contract = make_contract(by=officer, annual_value="20000")
    client.force_login(officer)
    assert client.post(reverse("contracts:go_live", args=[contract.pk])).status_code == 302  # proposed
    assert Contract.objects.get(pk=contract.pk).is_draft
    client.force_login(make_established(User.Role.OFFICER, authority=officer.authority))
    assert client.post(reverse("contracts:go_live", args=[contract.pk])).status_code == 302  # confirmed
    contract.refresh_from_db()
    assert not contract.is_draft
    client.force_login(officer)
    end = contract.start_on + timedelta(days=200)
    response = client.post(
        reverse("contracts:terminate", args=[contract.pk]),
        {
            "terminated_on_0": str(end.day),
            "terminated_on_1": str(end.month),
            "terminated_on_2": str(end.year),
            "reason": "Provider closed",
        },
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.terminated_on == end


def test_scope_and_schedule_from_the_staff_pages(client, officer, live):
    client.force_login(officer)
    errors = client.post(reverse("contracts:set_scope", args=[live.pk]), {"in_scope": "no", "scope_note": ""})
    assert "Enter why the service is out of scope" in errors.content.decode()
    client.post(reverse("contracts:set_scope", args=[live.pk]), {"in_scope": "no", "scope_note": "NHS England"})
    live.refresh_from_db()
    assert not live.in_recommissioning_scope
    client.post(reverse("contracts:schedule_meetings", args=[live.pk]))
    assert live.meetings.count() == 12


def test_the_contract_page_shows_history_and_audit(client, officer, live):
    services.record_variation(
        by=officer,
        contract=live,
        kind="scope",
        new_scope="Adds a helpline.",
        reason="Needs assessment.",
        approver="PCC",
        approved_on=TODAY,
    )
    client.force_login(officer)
    page = client.get(reverse("contracts:officer_contract", args=[live.pk])).content.decode()
    assert "Adds a helpline." in page and "Needs assessment." in page
    assert "Variation recorded" in page
    assert "Variation: Change to the scope of the service" in page  # field history with its reason


def _renamed_authority_of(officer):
    authority = officer.authority
    authority.name = "Avon test OPCC"
    authority.save()
    return authority


def test_the_envelope_and_pipeline_pages(client, officer):
    authority = _renamed_authority_of(officer)
    stream = make_stream("MoJ test grant", allocations={2018: "100000"})
    contract = make_live_contract(
        by=officer,
        buying_authority=authority,
        start_on=date(2018, 4, 1),
        initial_end_on=date(2019, 3, 31),
        year_values={2018: Decimal("60000")},
    )
    services.set_funding(by=officer, contract=contract, stream=stream, financial_year=2018, amount=Decimal("60000"))
    client.force_login(officer)
    page = client.get(reverse("contracts:envelope"), {"year": "2018", "authority": authority.pk}).content.decode()
    assert "Funding envelope 2018/19" in page
    assert "£40,000" in page  # headroom and budget for recommissioning
    pipeline = client.get(reverse("contracts:pipeline"), {"as_of": "2018-10-01"}).content.decode()
    assert contract.title in pipeline and "Contract ends: no extension options left" in pipeline
    # The date as people in the UK write it, and the authority chosen
    pipeline = client.get(reverse("contracts:pipeline"), {"as_of": "1/10/2018", "authority": authority.pk})
    html = pipeline.content.decode()
    assert "As on 1 October 2018 · Avon test OPCC" in html and contract.title in html
    assert "govuk-error-summary" not in html


def test_an_as_on_date_that_cannot_be_read_is_reported_and_kept(client, officer):
    authority = _renamed_authority_of(officer)
    make_live_contract(by=officer, buying_authority=authority, start_on=date(2018, 4, 1))
    client.force_login(officer)
    for name in ("contracts:pipeline", "contracts:panel_report"):
        response = client.get(reverse(name), {"as_of": "31/2/2018", "authority": authority.pk})
        html = response.content.decode()
        assert response.status_code == 200
        assert "<title>Error: " in html
        assert '<a href="#id_as_of">Enter a real date as day/month/year, for example 14/9/2018</a>' in html
        assert '<p id="id_as_of_error" class="govuk-error-message">' in html
        assert 'value="31/2/2018"' in html  # what was typed stays in the box
        assert f"As on {long_date(timezone.localdate())} · Avon test OPCC" in html  # today, for that authority

        html = client.get(reverse(name), {"as_of": "31/12/9999"}).content.decode()
        assert '<a href="#id_as_of">Enter a date between 1900 and 2200</a>' in html

        response = client.get(reverse(name), {"as_of": "1/10/2018", "authority": "nobody"})
        html = response.content.decode()
        assert '<a href="#id_authority">Select a buying authority from the list</a>' in html
        assert "As on 1 October 2018 · Avon test OPCC</span>" in html  # the date still applies, for their own


def test_the_register_filters(client, officer):
    supplier = make_supplier(legal_name="Filter Target Charity")
    wanted = make_live_contract(by=officer, title="Wanted service", supplier=supplier)
    # A partner's call-off from a framework the officer's authority leads: on the register, bought by another
    lot = make_lot(make_framework(lead_authority=officer.authority))
    make_live_contract(by=officer, title="Other service", buying_authority=make_authority(), lot=lot)
    make_contract(by=officer, title="Draft service")
    client.force_login(officer)
    page = client.get(reverse("contracts:officer_register"), {"supplier": supplier.pk}).content.decode()
    assert "Wanted service" in page and "Other service" not in page
    page = client.get(reverse("contracts:officer_register"), {"status": "draft"}).content.decode()
    assert "Draft service" in page and "Wanted service" not in page
    page = client.get(reverse("contracts:officer_register"), {"authority": wanted.buying_authority_id}).content.decode()
    assert "Wanted service" in page and "Other service" not in page
    page = client.get(reverse("contracts:officer_register"), {"status": "nonsense", "lot": "x"}).content.decode()
    assert "Wanted service" in page and "Draft service" in page


def test_a_register_filter_not_in_its_list_is_reported_and_the_others_still_apply(client, officer):
    supplier = make_supplier(legal_name="Filter Target Charity")
    make_live_contract(by=officer, title="Wanted service", supplier=supplier)
    make_live_contract(by=officer, title="Other service")
    client.force_login(officer)
    page = client.get(reverse("contracts:officer_register"), {"status": "nonsense", "supplier": supplier.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error: " in html
    assert '<a href="#id_status">Select a status from the list</a>' in html
    assert '<p id="id_status_error" class="govuk-error-message">' in html
    assert f'<option value="{supplier.pk}" selected>' in html
    assert "Wanted service" in html and "Other service" not in html


def _register_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("contracts:officer_register"))
    assert response.status_code == 200
    return len(queries)


def _make_register_rows(officer, count: int, authority) -> None:
    area = make_area()
    for n in range(count):
        if n % 2:
            contract = make_live_contract(
                by=officer, buying_authority=authority, extension_months=[12, 12], annual_value="20000"
            )
        else:
            contract = make_contract(by=officer, buying_authority=authority, annual_value="1000")
        if n % 3 == 0:
            services.update_contract(by=officer, contract=contract, areas=[area])


def test_the_register_makes_the_same_number_of_queries_for_5_and_50_contracts(client, officer):
    client.force_login(officer)
    authority = make_authority()
    _make_register_rows(officer, 5, authority)
    with_five = _register_queries(client)
    _make_register_rows(officer, 45, authority)
    with_fifty = _register_queries(client)
    assert Contract.objects.count() == 50
    assert with_five == with_fifty, (with_five, with_fifty)
    assert with_fifty <= 15
