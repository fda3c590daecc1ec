"""Every write of the grants route. Keyword-only, `by=` the acting user, checked, in a transaction,
audited; refusals are `GrantRuleError`s keyed by form field.

Officers of the round's authority run rounds, record applications received on paper, decide, make the
agreements and record payments. Provider users apply online to an open round (`submit_application`) and
may withdraw an application until it is decided (`withdraw_application`).

One application per supplier per round: a supplier may hold one application that is waiting for a
decision or was awarded (`GrantApplication.CURRENT`, also a database constraint); after withdrawing or
being declined it may apply to the round again while the round is open (for a rolling round, the next
quarter's decisions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.dates import Quarter, long_date
from commissioning.errors import RuleError
from commissioning.models import FundingStream, User
from suppliers.models import Supplier

from .. import services as contract_services
from ..award.services.common import emails_of_suppliers, notify, officer_emails
from ..events import GRANT_APPLICATION_SUBMITTED, GRANT_APPLICATION_WITHDRAWN, GRANT_PAYMENT_MADE
from ..models import Contract
from .lifecycles import GRANT_APPLICATION
from .models import GrantApplication, GrantPayment, GrantRound, GrantTerms
from .schedule import payment_schedule, values_by_year


class GrantRuleError(RuleError):
    """A grants rule refused the move."""


def _money(value: Any, *, field: str) -> Decimal:
    if value is None or value == "":
        raise GrantRuleError("Enter an amount in pounds", field=field)
    try:
        return contract_services._money(value, field=field)
    except RuleError as error:
        raise GrantRuleError(error.text, field=field) from error


def _check_officer(by: User | None, authority_id: int | None) -> None:
    """`None` is the system (the demo loader); otherwise an officer of the authority running the round."""
    if by is None:
        return
    if by.role != "officer" or not by.authority_id or by.authority_id != authority_id:
        raise GrantRuleError("Only an officer of the authority running the grant round can do this")


@transaction.atomic
def create_round(
    *,
    by: User | None,
    reference: str,
    title: str,
    budget: Any,
    opens_on: date,
    closes_on: date | None = None,
    cadence: str = GrantRound.Cadence.ONCE,
    purpose: str = "",
    stream: FundingStream | None = None,
    authority=None,
) -> GrantRound:
    authority = authority if by is None else by.authority
    _check_officer(by, authority.pk if authority else None)
    if not reference.strip():
        raise GrantRuleError("Enter a reference for the round", field="reference")
    if GrantRound.objects.filter(reference=reference.strip()).exists():
        raise GrantRuleError(f"A grant round with reference {reference.strip()} already exists", field="reference")
    if not title.strip():
        raise GrantRuleError("Enter the title of the round", field="title")
    if closes_on is not None and closes_on < opens_on:
        raise GrantRuleError("The round cannot close before it opens", field="closes_on")
    if cadence not in GrantRound.Cadence.values:
        raise GrantRuleError("Select how the round's grants are decided", field="cadence")
    if stream is not None and stream.authority_id != authority.pk:
        raise GrantRuleError("The funding stream must be in your authority's budget", field="stream")
    grant_round = GrantRound.objects.create(
        authority=authority,
        reference=reference.strip(),
        title=title.strip(),
        purpose=purpose.strip(),
        budget=_money(budget, field="budget"),
        cadence=cadence,
        opens_on=opens_on,
        closes_on=closes_on,
        stream=stream,
    )
    record("grants.round_created", by=by, obj=grant_round, data={"budget": grant_round.budget, "cadence": cadence})
    return grant_round


@transaction.atomic
def record_application(
    *,
    by: User | None,
    grant_round: GrantRound,
    supplier: Supplier | None,
    project: str,
    amount_requested: Any,
    submitted_on: date,
    summary: str = "",
) -> GrantApplication:
    """Record an application received for the round (from a provider or a council)."""
    _check_officer(by, grant_round.authority_id)
    if supplier is None:
        raise GrantRuleError("Select the applicant", field="supplier")
    if not project.strip():
        raise GrantRuleError("Enter what the grant is for", field="project")
    if submitted_on < grant_round.opens_on or (grant_round.closes_on and submitted_on > grant_round.closes_on):
        raise GrantRuleError("The application must be received while the round is open", field="submitted_on")
    amount = _money(amount_requested, field="amount_requested")
    if amount <= 0:
        raise GrantRuleError("Enter the amount requested", field="amount_requested")
    application = _new_application(grant_round, supplier, project, summary, amount, submitted_on, field="supplier")
    record("grants.application_recorded", by=by, obj=grant_round, data={"application": str(application)})
    return application


def _new_application(
    grant_round: GrantRound,
    supplier: Supplier,
    project: str,
    summary: str,
    amount: Decimal,
    submitted_on: date,
    *,
    field: str = "__all__",
) -> GrantApplication:
    """The application, recorded by an officer or submitted online, once the supplier is known to have no
    current one to the round (a refusal shows at `field`)."""
    _check_one_current(grant_round, supplier, field=field)
    return GrantApplication.objects.create(
        round=grant_round,
        supplier=supplier,
        project=project.strip(),
        summary=summary.strip(),
        amount_requested=amount,
        submitted_on=submitted_on,
    )


def _check_one_current(grant_round: GrantRound, supplier: Supplier, *, field: str = "__all__") -> None:
    current = grant_round.applications.filter(supplier=supplier, status__in=GrantApplication.CURRENT).first()
    if current is not None:
        state = "is waiting for a decision" if current.status == GrantApplication.Status.SUBMITTED else "was awarded"
        raise GrantRuleError(
            f"{supplier.legal_name} already has an application to this round that {state}", field=field
        )


def supplier_of(user: User | None) -> Supplier:
    """The supplier a provider user acts for; refused for anyone else (or a deactivated account)."""
    membership = getattr(user, "supplier_membership", None) if user is not None else None
    if not (user is not None and user.is_active and user.role == User.Role.PROVIDER and membership is not None):
        raise GrantRuleError("Only a signed-in user of a provider organisation can apply for a grant")
    return membership.supplier


def check_request(grant_round: GrantRound, amount_requested: Any) -> Decimal:
    """The amount a provider asks for: pounds and pence, more than nothing, not more than the round's budget."""
    amount = _money(amount_requested, field="amount_requested")
    if amount <= 0:
        raise GrantRuleError("The amount requested must be more than £0", field="amount_requested")
    if amount > grant_round.budget:
        raise GrantRuleError(
            f"The amount requested cannot be more than the round's budget of £{grant_round.budget:,.2f}",
            field="amount_requested",
        )
    return amount


@transaction.atomic
def submit_application(
    *,
    by: User,
    grant_round: GrantRound,
    project: str,
    amount_requested: Any,
    summary: str = "",
    today: date | None = None,
) -> GrantApplication:
    """A provider user applies online for their organisation. Refused unless the round is open today,
    the supplier has no current application to it, and the amount is more than nothing and within the
    round's budget. The round's row is locked so two colleagues cannot both apply at once; the provider's
    users get a receipt and the round's officers are told."""
    supplier = supplier_of(by)
    grant_round = GrantRound.objects.select_for_update().get(pk=grant_round.pk)
    today = today or timezone.localdate()
    if not grant_round.is_open_on(today):
        raise GrantRuleError("This grant round is not open for applications")
    if not project.strip():
        raise GrantRuleError("Enter the project title", field="project")
    if not summary.strip():
        raise GrantRuleError("Enter a summary of the project", field="summary")
    amount = check_request(grant_round, amount_requested)
    application = _new_application(grant_round, supplier, project, summary, amount, today)
    record(
        "grants.application_submitted",
        by=by,
        obj=grant_round,
        data={"application": application.reference, "supplier": supplier.legal_name, "amount_requested": amount},
    )
    events.send(GRANT_APPLICATION_SUBMITTED, application_id=application.pk, round_id=grant_round.pk, by_id=by.pk)
    details = [
        ("Reference", application.reference),
        ("Grant round", grant_round.title),
        ("Project", application.project),
        ("Amount requested", f"£{amount:,.2f}"),
    ]
    notify(
        to=emails_of_suppliers([supplier.pk]),
        subject=f"Grant application received: {grant_round.title}",
        message=f"{grant_round.authority.name} has received {supplier.legal_name}'s application for a grant.",
        details=details,
        url=reverse("contracts:provider_grant_application", args=[application.pk]),
        action="See your application",
    )
    notify(
        to=officer_emails(grant_round.authority_id),
        subject=f"New grant application: {grant_round.title}",
        message=f"{supplier.legal_name} applied for a grant from {grant_round.title}. It is waiting for a decision.",
        details=details,
        url=reverse("contracts:grant_round", args=[grant_round.pk]),
        action="Open the grant round",
    )
    return application


@transaction.atomic
def withdraw_application(*, by: User, application: GrantApplication) -> GrantApplication:
    """A provider user withdraws their organisation's application before it is decided."""
    supplier = supplier_of(by)
    application = (
        GrantApplication.objects.select_for_update(of=("self",)).select_related("round").get(pk=application.pk)
    )
    if application.supplier_id != supplier.pk:
        raise GrantRuleError("You can only withdraw your own organisation's applications")
    application.status = GRANT_APPLICATION.next_status("withdraw", application.status)
    application.save(update_fields=["status"])
    record("grants.application_withdrawn", by=by, obj=application.round, data={"application": application.reference})
    events.send(GRANT_APPLICATION_WITHDRAWN, application_id=application.pk, round_id=application.round_id, by_id=by.pk)
    return application


def awarded_total(grant_round: GrantRound) -> Decimal:
    total = grant_round.applications.filter(status=GrantApplication.Status.AWARDED).aggregate(t=Sum("amount_awarded"))
    return total["t"] or Decimal(0)


@transaction.atomic
def decide_application(
    *,
    by: User | None,
    application: GrantApplication,
    award: bool,
    reason: str,
    amount_awarded: Any = None,
    decided_on: date | None = None,
) -> GrantApplication:
    """Award (with the amount) or decline an application, with the reasons; a round awarded quarterly
    records the quarter the decision fell in. Awards cannot exceed the round's budget."""
    application = (
        GrantApplication.objects.select_for_update(of=("self",))
        .select_related("round", "supplier")
        .get(pk=application.pk)
    )
    grant_round = application.round
    _check_officer(by, grant_round.authority_id)
    status = GRANT_APPLICATION.next_status("award" if award else "decline", application.status)
    decided_on = decided_on or timezone.localdate()
    if not reason.strip():
        raise GrantRuleError("Enter the reasons for the decision", field="reason")
    if decided_on < application.submitted_on:
        raise GrantRuleError("The decision cannot be before the application was received", field="decided_on")
    if award:
        amount = _money(amount_awarded, field="amount_awarded")
        if amount <= 0:
            raise GrantRuleError("Enter the amount awarded", field="amount_awarded")
        if amount > application.amount_requested:
            raise GrantRuleError("The amount awarded cannot be more than the amount requested", field="amount_awarded")
        left = grant_round.budget - awarded_total(grant_round)
        if amount > left:
            raise GrantRuleError(
                f"Only £{left:,.2f} of the round's £{grant_round.budget:,.2f} budget is left", field="amount_awarded"
            )
        application.amount_awarded = amount
    application.status = status
    application.decided_on = decided_on
    application.decided_by = by
    application.decision_reason = reason.strip()
    if grant_round.cadence == GrantRound.Cadence.QUARTERLY:
        application.decision_period = Quarter.containing(decided_on).label
    application.save()
    record(
        "grants.application_decided",
        by=by,
        obj=grant_round,
        data={
            "application": str(application),
            "decision": status,
            "reason": application.decision_reason,
            "amount_awarded": application.amount_awarded,
            "decided_on": decided_on,
            "period": application.decision_period,
        },
    )
    if application.supplier_id:
        outcome = "awarded a grant" if award else "not awarded a grant"
        notify(
            to=emails_of_suppliers([application.supplier_id]),
            subject=f"Grant decision: {grant_round.title}",
            message=f"{application.supplier.legal_name}'s application ({application.project}) was {outcome}.",
            details=[
                ("Reference", application.reference),
                ("Decision", application.get_status_display()),
                *([("Amount awarded", f"£{application.amount_awarded:,.2f}")] if award else []),
                ("Reasons", application.decision_reason),
            ],
            url=reverse("contracts:provider_grant_application", args=[application.pk]),
            action="See the decision",
        )
    return application


@transaction.atomic
def make_agreement(
    *,
    by: User | None,
    application: GrantApplication,
    reference: str,
    start_on: date,
    end_on: date,
    conditions: str,
    frequency: str = GrantTerms.Frequency.QUARTERLY,
    timing: str = GrantTerms.Timing.ADVANCE,
) -> Contract:
    """The grant agreement of an awarded application: a live grant on the register (monitored through the
    quarterly returns; no social value rule), its conditions and its payment schedule."""
    application = (
        GrantApplication.objects.select_for_update(of=("self",))
        .select_related("round", "supplier")
        .get(pk=application.pk)
    )
    _check_officer(by, application.round.authority_id)
    GRANT_APPLICATION.next_status("make_agreement", application.status)
    if application.contract_id:
        raise GrantRuleError("This grant already has an agreement")
    if not conditions.strip():
        raise GrantRuleError("Enter the conditions of grant", field="conditions")
    if end_on <= start_on:
        raise GrantRuleError("The agreement must end after it starts", field="end_on")
    if frequency not in GrantTerms.Frequency.values:
        raise GrantRuleError("Select how often the grant is paid", field="frequency")
    if timing not in GrantTerms.Timing.values:
        raise GrantRuleError("Select whether it is paid in advance or in arrears", field="timing")
    total = application.amount_awarded
    contract = contract_services.create_contract(
        by=by,
        reference=reference,
        title=application.project,
        kind=Contract.Kind.GRANT,
        supplier=application.supplier,
        buying_authority=application.round.authority,
        start_on=start_on,
        initial_end_on=end_on,
        year_values=values_by_year(start_on, end_on, total),
        scope=application.summary,
    )
    GrantTerms.objects.create(contract=contract, conditions=conditions.strip(), frequency=frequency, timing=timing)
    for period in payment_schedule(start_on, end_on, total, frequency=frequency, timing=timing):
        GrantPayment.objects.create(
            contract=contract,
            period_start=period.start,
            period_end=period.end,
            due_on=period.due_on,
            amount=period.amount,
        )
    contract = contract_services.activate_contract(by=by, contract=contract)
    application.contract = contract
    application.save(update_fields=["contract"])
    record(
        "grants.agreement_made",
        by=by,
        obj=contract,
        data={
            "application": application.pk,
            "amount": total,
            "frequency": frequency,
            "timing": timing,
            "payments": contract.grant_payments.count(),
        },
    )
    return contract


@transaction.atomic
def record_payment(
    *, by: User | None, payment: GrantPayment, paid_on: date | None, today: date | None = None
) -> GrantPayment:
    """An officer of the grant's authority records that a scheduled payment was paid, and when: not in
    the future, and for a grant paid in arrears not before the period it pays for began."""
    payment = (
        GrantPayment.objects.select_for_update(of=("self",))
        .select_related("contract", "contract__grant_terms")
        .get(pk=payment.pk)
    )
    _check_officer(by, payment.contract.buying_authority_id)
    if payment.paid_on is not None:
        raise GrantRuleError(f"This payment was recorded as paid on {long_date(payment.paid_on)}")
    if paid_on is None:
        raise GrantRuleError("Enter the date it was paid", field="paid_on")
    if paid_on > (today or timezone.localdate()):
        raise GrantRuleError("The date it was paid cannot be in the future", field="paid_on")
    terms = getattr(payment.contract, "grant_terms", None)
    if terms is not None and terms.timing == GrantTerms.Timing.ARREARS and paid_on < payment.period_start:
        raise GrantRuleError(
            f"This grant is paid in arrears: the date it was paid cannot be before the period began "
            f"({long_date(payment.period_start)})",
            field="paid_on",
        )
    payment.paid_on = paid_on
    payment.save(update_fields=["paid_on"])
    record(
        "grants.payment_made",
        by=by,
        obj=payment.contract,
        data={
            "payment": payment.pk,
            "amount": payment.amount,
            "due_on": payment.due_on,
            "paid_on": paid_on,
            "period": f"{payment.period_start} to {payment.period_end}",
        },
    )
    events.send(GRANT_PAYMENT_MADE, contract_id=payment.contract_id, payment_id=payment.pk, by_id=by.pk if by else None)
    return payment
