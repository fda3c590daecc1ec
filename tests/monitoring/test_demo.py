"""The monitoring demo data: templates for the four lots, returns for the demo contracts with realistic
figures, one overdue and one returned for amendment; idempotent."""

from datetime import date
from decimal import Decimal

import pytest

from commissioning import demo as core_demo
from contracts import demo as contracts_demo
from frameworks import demo as frameworks_demo
from monitoring import demo, selectors
from monitoring.models import ContractIndicator, KPITemplate, QuarterlyReturn, ReturnValue, Timeliness
from suppliers import demo as suppliers_demo

TODAY = date(2026, 11, 22)
Status = QuarterlyReturn.Status


@pytest.fixture
def loaded(db):
    ctx: dict = {}
    for module in (core_demo, suppliers_demo, frameworks_demo, contracts_demo):
        module.load(ctx)
    demo.load_monitoring(ctx, today=TODAY)
    return ctx


def test_the_demo_templates_returns_and_a_second_run(loaded):
    """One test: loading the demo chain takes several seconds."""
    # Templates for the four lots of the West Midlands framework, and a default.
    lots = {t.lot.number: t for t in KPITemplate.objects.filter(lot__framework__reference=demo.FRAMEWORK)}
    assert sorted(lots) == [1, 2, 3, 4]
    isva = {i.code: i for i in lots[3].indicators.all()}
    assert {"REF", "TRIALS", "CONTACT48", "CONTACT72", "SATISFIED", "SAFER"} <= set(isva)
    assert isva["CONTACT48"].fraction_entry and isva["REF"].breakdowns == ["referral_source", "area"]
    assert {i.question for i in lots[1].indicators.all()} == {"how_much", "how_well", "better_off"}
    assert {i.kind for i in lots[1].indicators.all()} == {"outcome", "output", "input"}
    assert KPITemplate.objects.get(is_default=True).lot is None

    # Returns: one overdue, one returned for amendment, one late; ISVA referrals around 224 a quarter.
    assert "WMOPCC-IDVA-BHM-2025" in loaded["contracts"]
    latest = selectors.default_quarter(TODAY)  # 2026/27 Q2, due 31 October 2026
    brindley = QuarterlyReturn.objects.get(
        contract__reference="WMOPCC-IDVA-BHM-2025", period__financial_year=2026, period__quarter=2
    )
    assert brindley.status == Status.RETURNED and brindley.reviews.get().comments
    arden = selectors.dashboard(
        selectors.DashboardFilters(quarter=latest), today=TODAY, user=loaded["users"]["officer@demo.test"]
    )
    by_reference = {slot.contract.reference: slot for slot in arden.slots}
    assert by_reference["WMOPCC-ISVA-COV-2025"].timeliness == Timeliness.OVERDUE
    assert by_reference["WMOPCC-IDVA-WLV-2025"].timeliness == Timeliness.LATE
    assert arden.counts["overdue"] == 1
    referrals = ReturnValue.objects.filter(
        indicator__code="REF", quarterly_return__contract__reference="WMOPCC-ISVA-COV-2025"
    ).values_list("value", flat=True)
    assert len(referrals) >= 4 and all(Decimal("200") <= value <= Decimal("245") for value in referrals)
    # Every West Midlands return earlier than the latest quarter is in and accepted.
    earlier = QuarterlyReturn.objects.filter(contract__reference__startswith="WMOPCC").exclude(
        period__financial_year=2026, period__quarter=2
    )
    # (the Birmingham IDVA call-off starts in 2025/26 Q3, after the framework's first appointments)
    assert earlier.count() >= 11 and set(earlier.values_list("status", flat=True)) == {Status.ACCEPTED}
    # The older services without a lot report against the default template, four quarters each.
    wy_isva = QuarterlyReturn.objects.filter(contract__reference="WYOPCC-ISVA-2015")
    assert wy_isva.count() == 4
    assert ContractIndicator.objects.get(contract__reference="WYOPCC-ISVA-2015", code="REF").target == Decimal("224")

    # Idempotent.
    counts = [model.objects.count() for model in (QuarterlyReturn, ReturnValue, ContractIndicator, KPITemplate)]
    demo.load_monitoring(loaded, today=TODAY)
    assert [model.objects.count() for model in (QuarterlyReturn, ReturnValue, ContractIndicator, KPITemplate)] == counts
