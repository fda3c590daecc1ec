"""The admin is the officers' workplace: its saves and actions go through the same services."""

from datetime import date

import pytest
from django.urls import reverse

from commissioning.models import AuditEvent, User
from contracts.models import Contract, ContractYearValue
from tests.factories import make_authority, make_established, make_supplier, make_user
from tests.factories.contracts import make_contract, make_live_contract, make_meeting_with_action

pytestmark = pytest.mark.django_db


def test_officers_use_the_contract_admin_pages(client, officer):
    draft = make_contract(by=officer, extension_months=[12])
    live = make_live_contract(by=officer)
    make_meeting_with_action(live, by=officer)
    client.force_login(officer)
    for path in [
        reverse("admin:contracts_contract_changelist"),
        reverse("admin:contracts_contract_changelist") + "?status=live",
        reverse("admin:contracts_contract_change", args=[draft.pk]),
        reverse("admin:contracts_contract_change", args=[live.pk]),
        reverse("admin:contracts_contract_history", args=[live.pk]),
        reverse("admin:contracts_contract_add"),
        reverse("admin:contracts_contract_import"),
        reverse("admin:contracts_variation_changelist"),
        reverse("admin:contracts_extension_changelist"),
        reverse("admin:contracts_socialvalueproposal_changelist"),
        reverse("admin:contracts_contractmeeting_changelist"),
        reverse("admin:contracts_meetingaction_changelist"),
        reverse("admin:contracts_milestone_changelist"),
    ]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("role", [User.Role.EVALUATOR, User.Role.PROVIDER, User.Role.PARTNER])
def test_no_other_role_reaches_the_contract_admin(client, officer, role):
    contract = make_live_contract(by=officer)
    client.force_login(make_user(role))
    response = client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert "/admin/login/" in response.url


def test_a_live_contracts_terms_and_values_are_read_only_in_the_admin(client, officer):
    live = make_live_contract(by=officer, annual_value="20000", extension_months=[12])
    client.force_login(officer)
    page = client.get(reverse("admin:contracts_contract_change", args=[live.pk])).content.decode()
    assert 'name="start_on"' not in page and 'name="supplier"' not in page
    assert 'name="year_values-0-amount"' not in page
    assert 'name="extension_options-0-months"' not in page
    assert 'name="title"' in page  # still editable
    assert 'name="current_end_on"' not in page  # owned by the lifecycle
    assert "Open the contract page" in page


@pytest.mark.parametrize("notice", ["6", "0"])
def test_adding_a_contract_in_the_admin_goes_through_the_service(client, officer, notice):
    supplier = make_supplier()
    authority = make_authority()
    client.force_login(officer)
    data = {
        "reference": "ADM-1",
        "title": "Helpline",
        "kind": "contract",
        "scope": "",
        "supplier": supplier.pk,
        "buying_authority": authority.pk,
        "start_on": "2025-04-01",
        "initial_end_on": "2028-03-31",
        "extension_notice_months": notice,
        "supplier_manager_name": "",
        "supplier_manager_email": "",
        "in_recommissioning_scope": "on",
        "scope_note": "",
    }
    for prefix in ["extension_options", "extensions", "variations", "year_values", "funding", "meetings", "milestones"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(
        {
            "extension_options-TOTAL_FORMS": "1",
            "extension_options-0-sequence": "1",
            "extension_options-0-months": "12",
            "year_values-TOTAL_FORMS": "1",
            "year_values-0-financial_year": "2025",
            "year_values-0-amount": "45000",
        }
    )
    response = client.post(reverse("admin:contracts_contract_add"), data)
    assert response.status_code == 302
    contract = Contract.objects.get(reference="ADM-1")
    assert contract.current_end_on == date(2028, 3, 31) and contract.is_draft
    assert contract.extension_options.get().months == 12
    assert contract.extension_notice_months == int(notice)  # no notice at all is kept, not made six months
    assert ContractYearValue.objects.get(contract=contract).amount == 45000
    actions = set(AuditEvent.objects.filter(object_id=str(contract.pk)).values_list("action", flat=True))
    assert {"contracts.contract_created", "contracts.contract_part_changed"} <= actions


def test_the_admin_form_refuses_an_end_before_the_start(client, officer):
    client.force_login(officer)
    data = {
        "reference": "ADM-2",
        "title": "Helpline",
        "kind": "contract",
        "supplier": make_supplier().pk,
        "buying_authority": make_authority().pk,
        "start_on": "2025-04-01",
        "initial_end_on": "2025-03-31",
        "extension_notice_months": "6",
    }
    for prefix in ["extension_options", "extensions", "variations", "year_values", "funding", "meetings", "milestones"]:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:contracts_contract_add"), data)
    assert response.status_code == 200
    assert "The initial end date must be after the start date" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_make_live_action_applies_the_social_value_rule(client, officer):
    small = make_contract(by=officer, annual_value="10000")
    large = make_contract(by=officer, annual_value="50000")
    client.force_login(officer)
    response = client.post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "make_live", "_selected_action": [small.pk, large.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert f"{small.reference}: going live proposed: a second officer must confirm it" in page
    assert "accept a Social Value Proposal before it goes live" in page
    assert Contract.objects.get(pk=small.pk).is_draft  # one officer is not enough (issue 16)
    assert Contract.objects.get(pk=large.pk).is_draft


def test_the_make_live_action_takes_a_second_established_officer(client, officer):
    contract = make_contract(by=officer, annual_value="10000")
    changelist = reverse("admin:contracts_contract_changelist")
    client.force_login(officer)
    client.post(changelist, {"action": "make_live", "_selected_action": [contract.pk]})
    page = client.post(changelist, {"action": "make_live", "_selected_action": [contract.pk]}, follow=True)
    assert "a second, different officer must confirm" in page.content.decode()
    made_today = make_user(User.Role.OFFICER, authority=officer.authority, is_staff=True)
    client.force_login(made_today)
    page = client.post(changelist, {"action": "make_live", "_selected_action": [contract.pk]}, follow=True)
    assert "less than 7 days old" in page.content.decode()
    assert Contract.objects.get(pk=contract.pk).is_draft
    second = make_established(User.Role.OFFICER, authority=officer.authority, is_staff=True)
    client.force_login(second)
    page = client.post(changelist, {"action": "make_live", "_selected_action": [contract.pk]}, follow=True)
    assert f"{contract.reference}: is live" in page.content.decode()
    live = Contract.objects.get(pk=contract.pk)
    assert not live.is_draft and live.activated_by == second and live.live_proposed_by == officer


def test_the_schedule_action_adds_meetings(client, officer):
    contract = make_live_contract(by=officer)
    client.force_login(officer)
    client.post(
        reverse("admin:contracts_contract_changelist"),
        {"action": "add_meeting_schedule", "_selected_action": [contract.pk]},
    )
    assert contract.meetings.count() == 12


def test_variations_and_extensions_cannot_be_added_in_the_admin(client, officer):
    client.force_login(officer)
    assert client.get(reverse("admin:contracts_variation_add")).status_code == 403
    assert client.get(reverse("admin:contracts_extension_add")).status_code == 403
