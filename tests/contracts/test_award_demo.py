"""The award-stage demo: an open mini-competition with provider@demo.test invited, an awarded one with
its contract, seed 002's expression of interest with its lots and bounds, and an approved direct award;
loading twice changes nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from commissioning import demo as core_demo
from contracts import demo as contracts_demo
from contracts.award import demo as award_demo
from contracts.award.models import Competition, DirectAward, Tender
from contracts.models import Contract
from frameworks import demo as frameworks_demo
from suppliers import demo as suppliers_demo

pytestmark = pytest.mark.django_db


def test_the_award_demo_and_a_second_run():
    """One test: loading the demo chain takes several seconds."""
    ctx: dict = {}
    for module in (core_demo, suppliers_demo, frameworks_demo, contracts_demo):
        module.load(ctx)
    now = timezone.now()

    open_mini = Competition.objects.get(reference=award_demo.OPEN)
    assert open_mini.status == Competition.Status.PUBLISHED and open_mini.is_open(now)
    assert open_mini.framework_lot.framework.reference == "WMOPCC-DASAA-2025"
    invited = set(open_mini.invitations.values_list("supplier__legal_name", flat=True))
    assert "Brindley Domestic Abuse Support" in invited
    assert ctx["users"]["provider@demo.test"].supplier_membership.supplier.legal_name in invited

    awarded = Competition.objects.get(reference=award_demo.AWARDED)
    assert awarded.status == Competition.Status.CONTRACTED
    assert awarded.opening_requested_by != awarded.opened_by
    award = awarded.awards.get()
    assert award.tender.supplier.legal_name == "Brindley Domestic Abuse Support"
    assert award.contract.origin == Contract.Origin.AWARD and award.contract.social_value_proposal.is_accepted
    assert set(awarded.tenders.values_list("status", flat=True)) == {
        Tender.Status.SUCCESSFUL,
        Tender.Status.UNSUCCESSFUL,
    }
    assert awarded.questions.get().is_published

    eoi = Competition.objects.get(reference=award_demo.EOI)
    assert eoi.kind == Competition.Kind.EXPRESSION_OF_INTEREST and eoi.is_open(now)
    assert eoi.requires_budget_template
    lots = {lot.number: lot for lot in eoi.lots.all()}
    assert lots[1].title == "Early Responses – In Custody Intervention"
    assert lots[2].title == "Independent Evaluation of the Early Responses Programme - In Custody Intervention"
    assert lots[3].title == "Behaviour Change Intervention"
    assert (lots[3].min_annual_bid, lots[3].max_annual_bid) == (Decimal("300000.00"), Decimal("1000000.00"))
    limit = eoi.combined_limits.get()
    assert sorted(limit.lots.values_list("number", flat=True)) == [1, 2]
    assert (limit.min_total, limit.max_total) == (Decimal("300000.00"), Decimal("1000000.00"))
    assert timezone.localtime(eoi.closes_at).hour == 17

    direct = DirectAward.objects.get(reference=award_demo.DIRECT)
    assert direct.status == DirectAward.Status.APPROVED
    assert direct.decided_by != direct.requested_by
    assert direct.contract.origin == Contract.Origin.DIRECT_AWARD
    assert direct.contract.social_value_proposal.is_accepted

    counts = [model.objects.count() for model in (Competition, Tender, DirectAward, Contract)]
    contracts_demo.load(ctx)
    assert [model.objects.count() for model in (Competition, Tender, DirectAward, Contract)] == counts
