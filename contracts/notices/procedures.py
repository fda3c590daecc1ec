"""Each record that starts or follows a procurement, seen as a procedure of the Procurement Act: its open
contracting ID, buying authority, value test and the notices it needs (`requirements_for`). The OCDS
releases (`contracts.opendata.releases`) read the same procedure so the notice and the rule agree."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from commissioning.dates import long_date
from commissioning.models import Authority
from contracts import whole_life
from contracts.award.models import Award, Competition, DirectAward, Justification, NoAward
from contracts.models import Contract, Variation
from frameworks.models import FrameworkAward

from .models import Notice, NoticeType
from .rules import (
    PRACTICABLE_DAYS,
    Requirement,
    ValueTest,
    days_after,
    is_procurement_under_the_act,
    latest_award_notice_day,
    local_day,
    requirement,
    value_test,
)

UK4, UK5, UK6, UK7, UK10, UK11, UK12 = (
    NoticeType.UK4,
    NoticeType.UK5,
    NoticeType.UK6,
    NoticeType.UK7,
    NoticeType.UK10,
    NoticeType.UK11,
    NoticeType.UK12,
)
TARGETS = (FrameworkAward, Competition, Award, NoAward, DirectAward, Contract, Variation)


def ocid_for(reference: str) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-{reference}"


def procedure_root(obj: models.Model) -> models.Model:
    """The record whose reference names the procedure: a competition for its awards and lots not awarded,
    the award or direct award a contract came from, the contract itself otherwise."""
    if isinstance(obj, Award | NoAward):
        return obj.competition
    if isinstance(obj, Variation):
        obj = obj.contract
    if isinstance(obj, Contract):
        source = obj.source if obj.source_object_id else None
        if isinstance(source, Award):
            return source.competition
        if isinstance(source, DirectAward):
            return source
    return obj


def ocid_of(obj: models.Model) -> str:
    return ocid_for(procedure_root(obj).reference)


def authority_of(obj: models.Model) -> Authority:
    root = procedure_root(obj)
    if isinstance(root, FrameworkAward):
        return root.framework.lead_authority
    return root.buying_authority


def framework_award_on(framework_id: int, day: date) -> FrameworkAward | None:
    """The award of a framework in force on `day` (the latest one started by then)."""
    return (
        FrameworkAward.objects.filter(framework_id=framework_id, starts_on__lte=day)
        .select_related("framework")
        .order_by("-sequence")
        .first()
    ) or FrameworkAward.objects.filter(framework_id=framework_id).order_by("sequence").first()


def default_light_touch(basis: str) -> tuple[bool, str]:
    return settings.NOTICES_DEFAULT_LIGHT_TOUCH, basis


# Value tests -------------------------------------------------------------------------------------------


def started_on(obj: models.Model) -> date | None:
    """The day the procurement started, which decides the Act (from 24 February 2025) and the threshold."""
    root = procedure_root(obj)
    if isinstance(root, FrameworkAward):
        return local_day(root.window.opens_at) if root.window_id else root.starts_on
    if isinstance(root, Competition):
        return local_day(root.published_at) or local_day(root.created_at)
    if isinstance(root, DirectAward):
        return local_day(root.requested_at)
    if isinstance(root, Contract):
        # Entered by hand or imported from an earlier register: its start shows which regime it was let under.
        return root.start_on
    return None


def is_light_touch(obj: models.Model) -> bool:
    root = procedure_root(obj)
    if isinstance(root, FrameworkAward):
        return root.framework.is_light_touch
    if isinstance(root, Competition):
        return root.is_light_touch
    if isinstance(root, DirectAward) and root.framework_lot_id:
        return root.framework_lot.framework.is_light_touch
    if isinstance(root, Contract) and root.lot_id:
        return root.lot.framework.is_light_touch
    return settings.NOTICES_DEFAULT_LIGHT_TOUCH


def whole_life_of(obj: models.Model) -> whole_life.WholeLife:
    if isinstance(obj, FrameworkAward):
        return whole_life.WholeLife(obj.framework.estimated_value, "the framework's estimated value of call-offs")
    if isinstance(obj, Competition):
        return whole_life.from_estimate(obj.estimated_value, obj.term_months, obj.extension_list)
    if isinstance(obj, Award):
        c = obj.competition
        return whole_life.from_annual(c.contract_start_on, c.term_months, c.extension_list, obj.annual_value)
    if isinstance(obj, NoAward):
        return whole_life_of(obj.competition)
    if isinstance(obj, DirectAward):
        return whole_life.from_annual(obj.contract_start_on, obj.term_months, obj.extension_list, obj.annual_value)
    if isinstance(obj, Variation):
        return whole_life.of_contract(obj.contract)
    return whole_life.of_contract(obj)


def test_value(obj: models.Model) -> ValueTest:
    names = {
        FrameworkAward: "the framework",
        Competition: "the competition",
        Award: "the award",
        NoAward: "the competition",
        DirectAward: "the direct award",
        Contract: "the contract",
        Variation: "the contract",
    }
    life = whole_life_of(obj)
    amount = life.amount if not (isinstance(obj, FrameworkAward) and obj.framework.estimated_value is None) else None
    return value_test(
        amount,
        light_touch=is_light_touch(obj),
        started_on=started_on(obj) or date.today(),
        what=f"{names[type(obj)]} ({life.basis})" if amount is not None else names[type(obj)],
    )


# Requirements ------------------------------------------------------------------------------------------


def _published_before(ocid: str, *types: str) -> bool:
    return Notice.objects.filter(ocid=ocid, notice_type__in=types, status=Notice.Status.PUBLISHED).exists()


def _contract_details(subject: str, test: ValueTest, entered_on: date | None) -> Requirement:
    if test.above_threshold:
        days = 120 if test.light_touch else 30
        section = "s.53(2), a light-touch contract" if test.light_touch else "s.53(1)"
        basis = f"A public contract's details are published once it is entered into ({section}). {test.basis}"
    else:
        days = PRACTICABLE_DAYS
        basis = (
            "A notifiable below-threshold contract's details are published as soon as reasonably practicable after "
            f"it is entered into (s.88; the portal allows {PRACTICABLE_DAYS} days). {test.basis}"
        )
    return requirement(
        UK7,
        subject,
        basis=basis,
        deadline=days_after(entered_on, days),
        deadline_basis=f"Within {days} days beginning with the day the contract is entered into"
        + (f" ({long_date(entered_on)})" if entered_on else " (when it goes live)"),
    )


def _framework_award(award: FrameworkAward) -> list[Requirement]:
    test = test_value(award)
    if not test.regulated:
        return []
    subject = f"{award.framework.title}, award {award.sequence}"
    opens = local_day(award.window.opens_at) if award.window_id else award.starts_on
    scheme = " An open framework's re-award has its own notices (s.49)." if award.framework.is_open_framework else ""
    needs = [
        requirement(
            UK4,
            subject,
            basis=(
                "The framework is awarded by a competitive tendering procedure, which starts with a tender notice "
                + ("(s.21)." if test.above_threshold else "(below threshold: s.87).")
                + scheme
                + f" {test.basis}"
            ),
            deadline=opens,
            deadline_basis=f"Before applications are invited, on {long_date(opens)}",
        )
    ]
    if test.above_threshold:
        awarded = local_day(award.awarded_at) or award.starts_on
        needs.append(
            requirement(
                UK6,
                subject,
                basis=f"Before a public contract (here a framework) is entered into (s.50). {test.basis}",
                deadline=latest_award_notice_day(award.starts_on, awarded),
                deadline_basis=f"Before the framework award starts on {long_date(award.starts_on)}",
            )
        )
    needs.append(_contract_details(subject, test, award.starts_on))
    return needs


def _competition(competition: Competition) -> list[Requirement]:
    needs: list[Requirement] = []
    test = test_value(competition)
    published = local_day(competition.published_at)
    if not competition.is_mini_competition and test.regulated:
        needs.append(
            requirement(
                UK4,
                competition.title,
                basis=(
                    "An expression of interest open to any provider is a competitive tendering procedure, which starts "
                    + (
                        "with a tender notice (s.21). "
                        if test.above_threshold
                        else "with a below-threshold tender notice (s.87). "
                    )
                    + test.basis
                ),
                deadline=published,
                deadline_basis="Before tenders are invited"
                + (f", on {long_date(published)}" if published else ", when the competition is published"),
            )
        )
    if competition.status == Competition.Status.CANCELLED:
        needs += _not_awarded(competition, competition.cancellation_reason, competition.cancelled_at)
    return needs


def _award(award: Award) -> list[Requirement]:
    competition = award.competition
    test = test_value(award)
    decided = local_day(award.decided_at)
    deadline = latest_award_notice_day(competition.contract_start_on, decided)
    subject = f"{competition.title}, {award.lot}"
    when = (
        f"Before the contract is entered into; published by {long_date(deadline)}, the standstill ends before the "
        f"planned start on {long_date(competition.contract_start_on)}"
    )
    if test.above_threshold:
        call_off = " A call-off from a framework needs one too." if competition.is_mini_competition else ""
        return [
            requirement(
                UK6,
                subject,
                basis=f"Before a public contract is entered into (s.50); the standstill begins on its publication day "
                f"(s.51).{call_off} {test.basis}",
                deadline=deadline,
                deadline_basis=when,
            )
        ]
    if award.standstill_skipped_reason:
        return []
    return [
        requirement(
            UK6,
            subject,
            basis="Published voluntarily: the portal runs a standstill before below-threshold contracts, and the "
            f"standstill begins on the contract award notice's publication day (s.51). {test.basis}",
            deadline=deadline,
            deadline_basis=when,
            voluntary=True,
        )
    ]


def _no_award(decision: NoAward) -> list[Requirement]:
    if not _published_before(ocid_of(decision), UK4, UK5, UK6):
        return []
    return [
        _termination(
            f"{decision.competition.title}, {decision.lot}",
            f"The lot will not be awarded after a tender notice was published (s.55). Reasons: {decision.reasons}",
            local_day(decision.decided_at),
        )
    ]


def _termination(subject: str, basis: str, decided: date | None) -> Requirement:
    """A procurement termination notice (UK12), due as soon as reasonably practicable after the decision."""
    return requirement(
        UK12,
        subject,
        basis=basis,
        deadline=days_after(decided, PRACTICABLE_DAYS),
        deadline_basis=f"As soon as reasonably practicable (s.55; the portal allows {PRACTICABLE_DAYS} days)",
    )


def _not_awarded(procurement: Competition | DirectAward, reason: str, decided_at: datetime | None) -> list[Requirement]:
    """A termination notice when the authority decides not to award after publishing a notice for the
    procurement (a competition's tender, transparency or award notice; a direct award's transparency or
    award notice); nothing when none was published."""
    if isinstance(procurement, DirectAward):
        published, notice = (UK5, UK6), "a transparency notice"
    else:
        published, notice = (UK4, UK5, UK6), "a notice for the procurement"
    if not _published_before(ocid_of(procurement), *published):
        return []
    basis = f"The authority decided not to award after publishing {notice} (s.55). Reason: {reason}"
    return [_termination(procurement.title, basis, local_day(decided_at))]


def transparency_exemption(direct_award: DirectAward, test: ValueTest) -> str:
    """Why a direct award needs no transparency notice ("" when it needs one)."""
    if direct_award.kind == Contract.Kind.GRANT:
        return "a grant agreement is not a procurement"
    if not test.above_threshold:
        return "below the threshold, direct awards need no transparency notice"
    if test.light_touch:
        return "a light-touch contract"
    if direct_award.framework_lot_id:
        return "a call-off from a framework (s.45)"
    if direct_award.justification == Justification.URGENCY:
        return "extreme and unavoidable urgency"
    return ""


def _direct_award(direct_award: DirectAward) -> list[Requirement]:
    if direct_award.kind == Contract.Kind.GRANT:
        return []
    test = test_value(direct_award)
    requested = local_day(direct_award.requested_at)
    deadline = latest_award_notice_day(direct_award.contract_start_on, requested)
    needs = []
    if not transparency_exemption(direct_award, test):
        needs.append(
            requirement(
                UK5,
                direct_award.title,
                basis=f"Before a direct award under s.41 or s.43 (s.44): {direct_award.get_justification_display()}. "
                f"{test.basis}",
                deadline=deadline,
                deadline_basis="Before the direct award is approved and its contract created",
            )
        )
    if test.above_threshold:
        needs.append(
            requirement(
                UK6,
                direct_award.title,
                basis=f"Before a public contract is entered into (s.50). {test.basis}",
                deadline=deadline,
                deadline_basis=f"Before the contract starts on {long_date(direct_award.contract_start_on)}",
            )
        )
    if direct_award.status == DirectAward.Status.REJECTED:
        needs += _not_awarded(direct_award, direct_award.decision_note, direct_award.decided_at)
    return needs


def _contract(contract: Contract) -> list[Requirement]:
    if contract.kind == Contract.Kind.GRANT:
        return []
    test = test_value(contract)
    if not test.regulated:
        return []
    subject = f"{contract.reference}, {contract.title}"
    needs = [_contract_details(subject, test, local_day(contract.activated_at))]
    if test.above_threshold and contract.activated_at is not None:
        ended = contract.effective_end_on + timedelta(days=1)
        how = "terminated" if contract.terminated_on else "expires"
        needs.append(
            requirement(
                UK11,
                subject,
                basis=f"A public contract's end, by termination or expiry, is published (s.80). {test.basis}",
                deadline=days_after(ended, 30),
                deadline_basis=f"Within 30 days beginning with the day the contract {how} ({long_date(ended)})",
            )
        )
    return needs


def change_exemption(variation: Variation, test: ValueTest) -> str:
    """Why a variation needs no contract change notice ("" when it needs one), s.75."""
    contract = variation.contract
    if not test.above_threshold:
        return "a below-threshold contract"
    if test.light_touch:
        return "a light-touch contract (s.75(6)(b))"
    if variation.kind == Variation.Kind.VALUE and variation.value_before is not None:
        change = abs((variation.value_after or 0) - variation.value_before)
        if test.excluding_vat and change * 10 <= test.excluding_vat:
            return "the value changes by 10% or less (s.75(2)(a))"
    if variation.kind == Variation.Kind.END_DATE and variation.end_before and variation.end_after:
        maximum = (contract.furthest_end_on - contract.start_on).days + 1
        if abs((variation.end_after - variation.end_before).days) * 10 <= maximum:
            return "the term changes by 10% or less of the maximum term (s.75(2)(b))"
    return ""


def _variation(variation: Variation) -> list[Requirement]:
    contract = variation.contract
    if contract.kind == Contract.Kind.GRANT:
        return []
    test = test_value(variation)
    if change_exemption(variation, test):
        return []
    return [
        requirement(
            UK10,
            f"{contract.reference}, {variation.get_kind_display().lower()}",
            basis=f"Before modifying a public contract (s.75). {test.basis}",
            deadline=variation.approved_on,
            deadline_basis=f"Before the modification, approved on {long_date(variation.approved_on)}",
        )
    ]


RULES = {
    FrameworkAward: _framework_award,
    Competition: _competition,
    Award: _award,
    NoAward: _no_award,
    DirectAward: _direct_award,
    Contract: _contract,
    Variation: _variation,
}


def requirements_for(obj: models.Model) -> list[Requirement]:
    """The notices the record needs now (nothing for a procurement started before the Act)."""
    if not is_procurement_under_the_act(started_on(obj)):
        return []
    return RULES[type(obj)](obj)


def records_needing_notices() -> list[models.Model]:
    """Every record the daily sync looks at: from procurements started under the Act."""
    from .rules import ACT_IN_FORCE

    return [
        *FrameworkAward.objects.select_related("framework", "window").filter(
            starts_on__gte=ACT_IN_FORCE - timedelta(days=366)
        ),
        *Competition.objects.filter(Q(published_at__isnull=False) | Q(status=Competition.Status.CANCELLED)),
        *Award.objects.select_related("competition", "lot"),
        *NoAward.objects.select_related("competition", "lot"),
        *DirectAward.objects.select_related("framework_lot__framework"),
        *Contract.objects.filter(kind=Contract.Kind.CONTRACT).prefetch_related(
            "extension_options__exercised", "year_values"
        ),
        *Variation.objects.select_related("contract"),
    ]
