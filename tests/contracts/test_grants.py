"""Issue 20, part B.5: grants as a route of their own (rounds, some awarded quarterly; applications;
decisions with reasons; agreements with conditions; payment schedules in advance or in arrears)."""

from datetime import date
from decimal import Decimal

import pytest

from commissioning.lifecycle import IllegalMove
from commissioning.models import AuditEvent, Authority, User
from contracts.grants import services
from contracts.grants.models import GrantApplication, GrantRound
from contracts.grants.schedule import payment_schedule
from contracts.grants.services import GrantRuleError
from contracts.models import Contract
from suppliers.models import Supplier
from tests.factories import make_authority, make_supplier, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def west_yorkshire():
    authority = make_authority(name="West Yorkshire OPCC", kind=Authority.Kind.OTHER_PCC)
    return authority, make_user(User.Role.OFFICER, authority=authority)


def _round(officer, **values):
    spec = {
        "reference": "WY-VCP-2015",
        "title": "Victims Champion Project",
        "budget": "25000",
        "opens_on": date(2015, 1, 5),
        "closes_on": date(2015, 2, 27),
    }
    spec.update(values)
    return services.create_round(by=officer, **spec)


def test_the_victims_champion_grant_from_round_to_agreement_and_payments(west_yorkshire):
    authority, officer = west_yorkshire
    sas = make_supplier(legal_name="Saima Afzal Solutions", kind=Supplier.Kind.COMPANY)
    grant_round = _round(officer)
    application = services.record_application(
        by=officer,
        grant_round=grant_round,
        supplier=sas,
        project="Victims Champion Project",
        amount_requested="20000",
        submitted_on=date(2015, 2, 20),
    )
    services.decide_application(
        by=officer,
        application=application,
        award=True,
        amount_awarded="20000",
        reason="Open competition: the strongest engagement plan with BME communities.",
        decided_on=date(2015, 3, 10),
    )
    contract = services.make_agreement(
        by=officer,
        application=application,
        reference="WYOPCC-VCP-GRANT",
        start_on=date(2015, 4, 1),
        end_on=date(2016, 3, 31),
        conditions="Quarterly performance reports as required in the grant agreement.",
        frequency="quarterly",
        timing="arrears",
    )
    assert contract.kind == Contract.Kind.GRANT and not contract.is_draft
    assert contract.total_value_now == Decimal("20000.00")
    payments = list(contract.grant_payments.all())
    assert [p.due_on for p in payments] == [date(2015, 7, 31), date(2015, 10, 31), date(2016, 1, 31), date(2016, 4, 30)]
    assert sum(p.amount for p in payments) == Decimal("20000.00")
    assert contract.grant_terms.conditions.startswith("Quarterly performance reports")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"grants.round_created", "grants.application_decided", "grants.agreement_made"} <= actions
    with pytest.raises(GrantRuleError):
        services.make_agreement(
            by=officer,
            application=application,
            reference="AGAIN",
            start_on=date(2015, 4, 1),
            end_on=date(2016, 3, 31),
            conditions="x",
        )
    services.record_payment(by=officer, payment=payments[0], paid_on=date(2015, 7, 31))
    with pytest.raises(GrantRuleError):
        services.record_payment(by=officer, payment=payments[0], paid_on=date(2015, 8, 1))


def test_a_quarterly_round_records_the_quarter_and_decisions_need_reasons_and_budget(west_yorkshire):
    authority, officer = west_yorkshire
    grant_round = _round(
        officer,
        reference="CCAF-2018",
        title="Commissioner's Community Action Fund",
        budget="10000",
        cadence=GrantRound.Cadence.QUARTERLY,
        opens_on=date(2018, 4, 1),
        closes_on=None,
    )
    first, second = (
        services.record_application(
            by=officer,
            grant_round=grant_round,
            supplier=make_supplier(),
            project=f"Pilot {n}",
            amount_requested="6000",
            submitted_on=date(2018, 5, 1),
        )
        for n in (1, 2)
    )
    with pytest.raises(GrantRuleError) as no_reason:
        services.decide_application(by=officer, application=first, award=True, amount_awarded="6000", reason=" ")
    assert "reason" in no_reason.value.message_dict
    services.decide_application(
        by=officer,
        application=first,
        award=True,
        amount_awarded="6000",
        reason="Fills a gap.",
        decided_on=date(2018, 8, 1),
    )
    first.refresh_from_db()
    assert (first.status, first.decision_period) == (GrantApplication.Status.AWARDED, "2018/19 Q2")
    with pytest.raises(GrantRuleError) as budget:
        services.decide_application(
            by=officer,
            application=second,
            award=True,
            amount_awarded="6000",
            reason="Good.",
            decided_on=date(2018, 8, 1),
        )
    assert "budget" in budget.value.message_dict["amount_awarded"][0]
    services.decide_application(
        by=officer,
        application=second,
        award=False,
        reason="The fund is spent this quarter.",
        decided_on=date(2018, 8, 1),
    )
    with pytest.raises(IllegalMove):
        services.decide_application(by=officer, application=second, award=True, amount_awarded="1", reason="x")


def test_only_the_rounds_authority_acts(west_yorkshire):
    authority, officer = west_yorkshire
    grant_round = _round(officer)
    other = make_user(User.Role.OFFICER)
    with pytest.raises(GrantRuleError):
        services.record_application(
            by=other,
            grant_round=grant_round,
            supplier=make_supplier(),
            project="x",
            amount_requested="1",
            submitted_on=date(2015, 2, 1),
        )
    with pytest.raises(GrantRuleError):
        services.create_round(
            by=make_user(User.Role.PROVIDER), reference="R", title="t", budget="1", opens_on=date(2020, 1, 1)
        )


def test_payment_schedules_in_advance_and_in_arrears():
    advance = payment_schedule(
        date(2018, 4, 1), date(2019, 3, 31), Decimal("38595"), frequency="quarterly", timing="advance"
    )
    assert [p.due_on for p in advance] == [date(2018, 4, 1), date(2018, 7, 1), date(2018, 10, 1), date(2019, 1, 1)]
    assert sum(p.amount for p in advance) == Decimal("38595")
    annual = payment_schedule(
        date(2017, 10, 1), date(2020, 3, 31), Decimal("250000"), frequency="annually", timing="arrears"
    )
    assert [(p.start, p.end) for p in annual][0] == (date(2017, 10, 1), date(2018, 3, 31))
    assert len(annual) == 3 and sum(p.amount for p in annual) == Decimal("250000")


def test_the_grants_pages_from_round_to_agreement(client, west_yorkshire):
    from django.urls import reverse

    authority, officer = west_yorkshire
    sas = make_supplier(legal_name="Saima Afzal Solutions", kind=Supplier.Kind.COMPANY)
    client.force_login(officer)
    assert client.get(reverse("contracts:grant_rounds")).status_code == 200
    bad = client.post(reverse("contracts:grant_rounds"), {"reference": "VCP", "title": "", "budget": "lots"})
    page = bad.content.decode()
    assert "govuk-error-summary" in page and "Enter the title of the round" in page and 'value="lots"' in page
    made = client.post(
        reverse("contracts:grant_rounds"),
        {
            "reference": "WY-VCP-2015",
            "title": "Victims Champion Project",
            "budget": "20000",
            "cadence": "once",
            "opens_on_0": "5",
            "opens_on_1": "1",
            "opens_on_2": "2015",
        },
    )
    grant_round = GrantRound.objects.get(reference="WY-VCP-2015")
    assert made.status_code == 302 and grant_round.authority == authority
    round_url = reverse("contracts:grant_round", args=[grant_round.pk])
    recorded = client.post(
        round_url,
        {
            "supplier": str(sas.pk),
            "project": "Victims Champion Project",
            "amount_requested": "20000",
            "submitted_on_0": "20",
            "submitted_on_1": "2",
            "submitted_on_2": "2015",
        },
    )
    assert recorded.status_code == 302
    application = grant_round.applications.get()
    decide_url = reverse("contracts:decide_grant", args=[application.pk])
    no_reason = client.post(decide_url, {"decision": "award", "amount_awarded": "20000", "reason": ""}).content.decode()
    assert "Enter the reasons for the decision" in no_reason
    decided = client.post(
        decide_url,
        {
            "decision": "award",
            "amount_awarded": "20000",
            "reason": "Strongest bid in open competition.",
            "decided_on_0": "10",
            "decided_on_1": "3",
            "decided_on_2": "2015",
        },
    )
    assert decided.status_code == 302
    agreed = client.post(
        reverse("contracts:grant_agreement", args=[application.pk]),
        {
            "reference": "WY-VCP-AGREEMENT",
            "start_on_0": "1",
            "start_on_1": "4",
            "start_on_2": "2015",
            "end_on_0": "31",
            "end_on_1": "3",
            "end_on_2": "2016",
            "conditions": "Quarterly performance reports.",
            "frequency": "quarterly",
            "timing": "advance",
        },
    )
    assert agreed.status_code == 302
    contract = Contract.objects.get(reference="WY-VCP-AGREEMENT")
    page = client.get(reverse("contracts:officer_contract", args=[contract.pk])).content.decode()
    assert "Payment schedule" in page and "Quarterly performance reports." in page and "1 January 2016" in page

    # Another authority's officer reaches none of it; a provider is refused.
    client.force_login(make_user(User.Role.OFFICER))
    assert client.get(round_url).status_code == 404
    assert client.get(decide_url).status_code == 404
    client.force_login(make_user(User.Role.PROVIDER))
    assert client.get(reverse("contracts:grant_rounds")).status_code == 403
