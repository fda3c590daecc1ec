"""Pages of the grants route. Officers: rounds, applications, decisions, agreements, payments. Providers:
the rounds open for applications, applying online (the form, then check your answers, then a
confirmation), their applications with each decision and its reasons, and withdrawing. Thin views."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning.access import permission_required
from commissioning.errors import RuleError
from commissioning.forms import service_refusals_on
from commissioning.lifecycle import IllegalMove
from commissioning.views.service_forms import posted_form
from suppliers.models import Supplier

from . import selectors, services
from .forms import AgreementForm, ApplicationForm, DecisionForm, PaymentForm, ProviderApplicationForm, RoundForm
from .models import GrantApplication

ERRORS = (RuleError, IllegalMove)  # a service's refusal, or a move its lifecycle does not allow


def _posted(request: HttpRequest):
    """The posted data, even when empty (an empty form is still bound and shows its errors)."""
    return request.POST if request.method == "POST" else None


@permission_required("contracts.manage_grants")
def rounds(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, refused=ERRORS):
            grant_round = services.create_round(by=request.user, **form.cleaned_data)
            messages.success(request, f"Grant round created: {grant_round.title}")
            return redirect("contracts:grant_round", pk=grant_round.pk)
    return render(request, "contracts/grants/rounds.html", {"rounds": selectors.rounds_for(request.user), "form": form})


@permission_required("contracts.manage_grants")
def grant_round(request: HttpRequest, pk: int) -> HttpResponse:
    the_round = selectors.round_for(request.user, pk)
    suppliers = list(Supplier.objects.order_by("legal_name").values_list("pk", "legal_name"))
    form = ApplicationForm(request.POST or None, suppliers=suppliers)

    def record(data: dict) -> str:
        data = {**data, "supplier": Supplier.objects.filter(pk=data["supplier"]).first()}
        services.record_application(by=request.user, grant_round=the_round, **data)
        return "Application recorded"

    posted = posted_form(request, form, record, reverse("contracts:grant_round", args=[the_round.pk]), refused=ERRORS)
    applications = the_round.applications.select_related("supplier", "contract").order_by("submitted_on", "pk")
    return posted or render(
        request,
        "contracts/grants/round.html",
        {"round": the_round, "applications": applications, "form": form, "awarded": services.awarded_total(the_round)},
    )


@permission_required("contracts.manage_grants")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    form = DecisionForm(request.POST or None)

    def decide(data: dict) -> str:
        services.decide_application(
            by=request.user,
            application=application,
            award=data["decision"] == "award",
            amount_awarded=data.get("amount_awarded"),
            reason=data["reason"],
            decided_on=data["decided_on"],
        )
        return "Decision recorded"

    back = reverse("contracts:grant_round", args=[application.round_id])
    posted = posted_form(request, form, decide, back, refused=ERRORS)
    return posted or render(request, "contracts/grants/decide.html", {"form": form, "application": application})


@permission_required("contracts.manage_grants")
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if application.status != GrantApplication.Status.AWARDED or application.contract_id:
        messages.error(request, "Only an awarded grant without an agreement can have one made")
        return redirect("contracts:grant_round", pk=application.round_id)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, refused=ERRORS):
            contract = services.make_agreement(by=request.user, application=application, **form.cleaned_data)
            messages.success(request, "Grant agreement made: it is live on the register with its payment schedule")
            return redirect("contracts:officer_contract", pk=contract.pk)
    return render(request, "contracts/grants/agreement.html", {"form": form, "application": application})


@permission_required("contracts.manage_grants")
def record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_for_officer(request.user, pk)
    if payment.paid_on is not None:
        messages.info(request, "This payment is already recorded as paid")
        return redirect("contracts:officer_contract", pk=payment.contract_id)
    form = PaymentForm(_posted(request), initial={"paid_on": timezone.localdate()})

    def paid(data: dict) -> str:
        services.record_payment(by=request.user, payment=payment, paid_on=data["paid_on"])
        return f"Payment of £{payment.amount:,.2f} recorded as paid"

    back = reverse("contracts:officer_contract", args=[payment.contract_id]) + "#grant-terms"
    posted = posted_form(request, form, paid, back, refused=ERRORS)
    return posted or render(request, "contracts/grants/payment.html", {"form": form, "payment": payment})


# Providers ----------------------------------------------------------------------------------------------


def _draft_key(round_pk: int) -> str:
    return f"grant-application-draft-{round_pk}"


@permission_required("contracts.apply_for_grants", read_only=True)
def provider_grants(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contracts/grants/provider/grants.html",
        {
            "rounds": selectors.open_rounds(timezone.localdate()),
            "applications": selectors.applications_for_provider(request.user),
            "supplier": request.user.supplier_membership.supplier,
        },
    )


@permission_required("contracts.apply_for_grants")
def provider_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form. A valid form is kept in the session and the provider checks their answers
    before submitting; "Change" brings them back here with what they typed."""
    grant_round = selectors.round_for_provider(request.user, pk)
    is_open = grant_round.is_open_on(timezone.localdate())
    current = selectors.current_application(request.user, grant_round)
    draft = request.session.get(_draft_key(grant_round.pk))
    form = ProviderApplicationForm(_posted(request), initial=draft, grant_round=grant_round)
    if request.method == "POST" and is_open and current is None and form.is_valid():
        data = form.cleaned_data
        request.session[_draft_key(grant_round.pk)] = {
            "project": data["project"],
            "summary": data["summary"],
            "amount_requested": str(data["amount_requested"]),
        }
        return redirect("contracts:provider_grant_check", pk=grant_round.pk)
    return render(
        request,
        "contracts/grants/provider/apply.html",
        {"form": form, "round": grant_round, "is_open": is_open, "current": current},
    )


@permission_required("contracts.apply_for_grants")
def provider_check(request: HttpRequest, pk: int) -> HttpResponse:
    grant_round = selectors.round_for_provider(request.user, pk)
    draft = request.session.get(_draft_key(grant_round.pk))
    if not draft:
        return redirect("contracts:provider_grant_apply", pk=grant_round.pk)
    form = Form(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, refused=ERRORS):
            application = services.submit_application(by=request.user, grant_round=grant_round, **draft)
            request.session.pop(_draft_key(grant_round.pk), None)
            return redirect("contracts:provider_grant_submitted", pk=application.pk)
    return render(
        request,
        "contracts/grants/provider/check.html",
        {"form": form, "round": grant_round, "draft": draft, "amount": Decimal(draft["amount_requested"])},
    )


@permission_required("contracts.apply_for_grants", read_only=True)
def provider_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_provider(request.user, pk)
    return render(request, "contracts/grants/provider/submitted.html", {"application": application})


@permission_required("contracts.apply_for_grants", read_only=True)
def provider_application(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_provider(request.user, pk)
    return render(request, "contracts/grants/provider/application.html", {"application": application})


@permission_required("contracts.apply_for_grants")
def provider_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_provider(request.user, pk)
    form = Form(_posted(request))

    def withdraw(data: dict) -> str:
        services.withdraw_application(by=request.user, application=application)
        return f"Application {application.reference} withdrawn"

    back = reverse("contracts:provider_grant_application", args=[application.pk])
    posted = posted_form(request, form, withdraw, back, refused=ERRORS)
    return posted or render(
        request, "contracts/grants/provider/withdraw.html", {"form": form, "application": application}
    )
