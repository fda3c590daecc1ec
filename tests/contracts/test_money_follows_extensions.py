"""Issue 20, part B.1: exercising an extension option asks the value of each added financial year, and the
register, the envelope, the pipeline and the Panel report follow; each change of value is in the history."""

from datetime import date
from decimal import Decimal

import pytest

from commissioning.models import AuditEvent
from contracts import selectors, services
from contracts.models import Contract, ContractYearValue
from contracts.services import ContractRuleError
from tests.factories.contracts import make_live_contract, make_stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_contracts():
    from commissioning import demo as core_demo
    from contracts.demo import load_contracts
    from suppliers import demo as suppliers_demo

    ctx: dict = {}
    core_demo.load(ctx)
    suppliers_demo.load(ctx)
    return ctx, load_contracts(ctx)


def _exercise_first_option(contract: Contract, *, by) -> None:
    """The Birmingham IDVA call-off's first option, decided on 1 March 2028, with 2028/29 and 2029/30 valued."""
    services.exercise_extension(
        by=by,
        contract=contract,
        reason="Good performance against the KPIs; the price holds.",
        decided_on=date(2028, 3, 1),
        today=date(2028, 3, 1),
        year_values={2028: Decimal("135000"), 2029: Decimal("67500")},
    )


def test_exercising_the_birmingham_idva_option_carries_the_value_of_2028_29(demo_contracts):
    """The call-off runs from 1 October 2025 to 30 September 2028: its first option adds October 2028 to
    September 2029, the rest of 2028/29 and half of 2029/30."""
    ctx, _ = demo_contracts
    officer = ctx["users"]["officer@demo.test"]
    contract = Contract.objects.get(reference="WMOPCC-IDVA-BHM-2025")
    total_before = contract.total_value_now
    half_year = contract.year_values.get(financial_year=2028).amount
    option = contract.extension_options.get(sequence=1)
    assert services.proposed_extension_values(contract, option) == {2028: half_year, 2029: half_year}

    _exercise_first_option(contract, by=officer)

    contract.refresh_from_db()
    assert contract.current_end_on == date(2029, 9, 30)
    assert contract.year_values.get(financial_year=2028).amount == Decimal("135000.00")
    assert contract.year_values.get(financial_year=2029).amount == Decimal("67500.00")
    added = Decimal("135000") - half_year + Decimal("67500")
    assert contract.total_value_now == total_before + added
    registered = Contract.objects.with_values(2029).get(pk=contract.pk)
    assert (registered.total_value, registered.year_value) == (total_before + added, Decimal("67500.00"))
    changes = AuditEvent.objects.filter(action="contracts.year_value_changed", object_id=str(contract.pk))
    assert {(c.data["financial_year"], c.data["before"], c.data["after"]) for c in changes} == {
        (2028, str(half_year), "135000.00"),
        (2029, None, "67500.00"),
    }
    assert all("Extension option 1" in c.data["cause"] for c in changes)
    assert [(row["year_label"], row["before"], row["after"]) for row in selectors.value_changes(contract)] == [
        ("2028/29", half_year, Decimal("135000.00")),
        ("2029/30", None, Decimal("67500.00")),
    ]


@pytest.fixture
def three_plus_one(officer):
    return make_live_contract(
        by=officer,
        start_on=date(2018, 4, 1),
        initial_end_on=date(2021, 3, 31),
        extension_months=[12],
        annual_value="30000",
    )


def test_each_added_year_must_have_a_value_and_a_valid_one(officer, three_plus_one):
    kwargs = {"by": officer, "contract": three_plus_one, "reason": "Good.", "today": date(2020, 9, 1)}
    with pytest.raises(ContractRuleError) as missing:
        services.exercise_extension(**kwargs, year_values={})
    assert missing.value.message_dict == {"value_2021": ["Enter the value for 2021/22"]}
    with pytest.raises(ContractRuleError) as negative:
        services.exercise_extension(**kwargs, year_values={2021: "-5"})
    assert negative.value.message_dict == {"value_2021": ["The amount cannot be negative"]}
    with pytest.raises(ContractRuleError) as outside:
        services.exercise_extension(**kwargs, year_values={2021: "30000", 2024: "1"})
    assert "value_2024" in outside.value.message_dict
    three_plus_one.refresh_from_db()
    assert three_plus_one.current_end_on == date(2021, 3, 31)
    assert not three_plus_one.extensions.exists()


def test_without_values_each_added_year_continues_at_the_last_years_value(officer, three_plus_one):
    services.exercise_extension(by=officer, contract=three_plus_one, reason="Good.", today=date(2020, 9, 1))
    assert three_plus_one.year_values.get(financial_year=2021).amount == Decimal("30000.00")


def test_a_part_year_already_valued_is_changed_with_before_and_after(officer):
    contract = make_live_contract(
        by=officer,
        start_on=date(2018, 10, 1),
        initial_end_on=date(2020, 9, 30),
        extension_months=[12],
        annual_value="20000",
    )
    option = contract.extension_options.get()
    part_year = contract.year_values.get(financial_year=2020).amount  # April to September, pro rata by day
    proposed = services.proposed_extension_values(contract, option)
    assert proposed == {2020: part_year, 2021: part_year}
    services.exercise_extension(
        by=officer,
        contract=contract,
        reason="Good.",
        today=date(2020, 6, 1),
        year_values={2020: "20000", 2021: "10000"},
    )
    values = dict(ContractYearValue.objects.filter(contract=contract).values_list("financial_year", "amount"))
    assert values[2020] == Decimal("20000.00") and values[2021] == Decimal("10000.00")
    changes = {
        e.data["financial_year"]: (e.data["before"], e.data["after"])
        for e in AuditEvent.objects.filter(action="contracts.year_value_changed")
    }
    assert changes == {2020: (str(part_year), "20000.00"), 2021: (None, "10000.00")}


def test_the_envelope_pipeline_and_panel_report_follow_the_extension(officer, three_plus_one):
    stream = make_stream("Ministry of Justice Victims Grant", allocations={2020: "100000", 2021: "100000"})
    nhs = make_stream("NHS England contribution", allocations={2021: "10000"})
    services.set_funding(by=officer, contract=three_plus_one, stream=stream, financial_year=2020, amount="20000")
    services.set_funding(by=officer, contract=three_plus_one, stream=nhs, financial_year=2020, amount="10000")
    assert selectors.envelope(2021).committed == 0

    services.exercise_extension(
        by=officer, contract=three_plus_one, reason="Good.", today=date(2020, 9, 1), year_values={2021: "33000"}
    )

    envelope = selectors.envelope(2021)
    # The added year is funded in the same shares as the year before: two thirds MoJ, one third NHS.
    assert {s.stream.name: s.committed for s in envelope.streams} == {
        "Ministry of Justice Victims Grant": Decimal("22000.00"),
        "NHS England contribution": Decimal("11000.00"),
    }
    row = envelope.in_scope[0]
    assert (row.funded, row.year_value) == (Decimal("33000.00"), Decimal("33000.00"))
    ends = [e for _, _, events in selectors.pipeline(today=date(2021, 6, 1)).horizons for e in events]
    assert [(e.contract.pk, e.due_on) for e in ends] == [(three_plus_one.pk, date(2022, 3, 31))]

    from contracts.reports import panel_report_context

    context = panel_report_context(authority=None, as_of=date(2021, 6, 1))
    assert [(c.pk, c.year_value) for c in context["commissioned"]] == [(three_plus_one.pk, Decimal("33000.00"))]
    assert context["commissioned_total"] == Decimal("33000.00")
    assert [e.contract_id for e in context["extensions"]] == [three_plus_one.pk]


def _post(client, contract, **values):
    from django.urls import reverse

    option = contract.extension_options.get()
    data = {
        "option": str(option.pk),
        "decided_on_0": "1",
        "decided_on_1": "9",
        "decided_on_2": "2020",
        "reason": "Strong performance.",
        **values,
    }
    return client.post(reverse("contracts:exercise_extension", args=[contract.pk]), data)


@pytest.fixture
def current_contract(officer):
    """A live three-year contract from last April with one 12-month option."""
    from django.utils import timezone

    start = date(timezone.localdate().year - 1, 4, 1)
    return make_live_contract(
        by=officer,
        start_on=start,
        initial_end_on=date(start.year + 3, 3, 31),
        extension_months=[12],
        annual_value="30000",
    )


def test_the_extension_page_asks_each_added_years_value_prefilled(client, officer, current_contract):
    from django.urls import reverse

    added = current_contract.initial_end_on.year  # the financial year starting the day after the end
    client.force_login(officer)
    page = client.get(reverse("contracts:exercise_extension", args=[current_contract.pk])).content.decode()
    assert f'name="value_{added}"' in page
    assert 'value="30000.00"' in page
    assert f"Value for {added}/{(added + 1) % 100:02d}" in page


def test_a_bad_value_is_shown_next_to_the_field_and_in_the_summary_keeping_what_was_typed(
    client, officer, current_contract
):
    from django.utils import timezone

    today = timezone.localdate()
    added = current_contract.initial_end_on.year
    client.force_login(officer)
    response = _post(
        client,
        current_contract,
        decided_on_0=str(today.day),
        decided_on_1=str(today.month),
        decided_on_2=str(today.year),
        reason="Kept reason",
        **{f"value_{added}": "thirty thousand"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and f'href="#id_value_{added}"' in page
    assert "Enter an amount in pounds and pence" in page
    assert 'value="thirty thousand"' in page and "Kept reason" in page
    assert not current_contract.extensions.exists()
    empty = _post(
        client,
        current_contract,
        decided_on_0=str(today.day),
        decided_on_1=str(today.month),
        decided_on_2=str(today.year),
        **{f"value_{added}": ""},
    ).content.decode()
    assert f"Enter the value for {added}/{(added + 1) % 100:02d}" in empty


def test_the_officer_exercises_with_a_new_value_and_the_contract_page_shows_the_change(
    client, officer, current_contract
):
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    added = current_contract.initial_end_on.year
    client.force_login(officer)
    response = _post(
        client,
        current_contract,
        decided_on_0=str(today.day),
        decided_on_1=str(today.month),
        decided_on_2=str(today.year),
        **{f"value_{added}": "£31,500"},
    )
    assert response.status_code == 302
    assert current_contract.year_values.get(financial_year=added).amount == Decimal("31500.00")
    page = client.get(reverse("contracts:officer_contract", args=[current_contract.pk])).content.decode()
    assert "Changes of value" in page and "£31,500" in page and "Extension option 1 exercised" in page


def test_a_provider_cannot_exercise_an_extension(client, current_contract):
    from django.urls import reverse

    from commissioning.models import User
    from tests.factories import make_user

    client.force_login(make_user(User.Role.PROVIDER))
    response = client.get(reverse("contracts:exercise_extension", args=[current_contract.pk]))
    assert response.status_code in (403, 404)
    assert not current_contract.extensions.exists()


def test_the_pages_value_changes_read_from_its_recent_events_are_the_trails(demo_contracts, monkeypatch):
    """The contract's page reads its newest events once and finds the changes of value in them when they are
    all of the contract's events; with more events than the page shows, it asks the trail."""
    ctx, _ = demo_contracts
    officer = ctx["users"]["officer@demo.test"]
    contract = Contract.objects.get(reference="WMOPCC-IDVA-BHM-2025")
    _exercise_first_option(contract, by=officer)
    asked = selectors.value_changes(contract)
    assert [row["year_label"] for row in asked] == ["2028/29", "2029/30"]

    recent = selectors.recent_events(contract)
    assert len(recent) < selectors.EVENTS_SHOWN
    assert selectors.value_changes(contract, recent=recent) == asked

    monkeypatch.setattr(selectors, "EVENTS_SHOWN", 2)
    cut = selectors.recent_events(contract)
    assert len(cut) == 2
    assert selectors.value_changes(contract, recent=cut) == asked
