"""Officer pages of the grants route: rounds, applications, decisions, agreements. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from commissioning.access import permission_required
from commissioning.forms import add_service_errors
from suppliers.models import Supplier

from ..services import ContractRuleError
from . import selectors, services
from .forms import AgreementForm, ApplicationForm, DecisionForm, RoundForm
from .models import GrantApplication
from .services import GrantRuleError

ERRORS = (GrantRuleError, ContractRuleError)


@permission_required("contracts.manage_grants")
def rounds(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant_round = services.create_round(by=request.user, **form.cleaned_data)
        except ERRORS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Grant round created: {grant_round.title}")
            return redirect("contracts:grant_round", pk=grant_round.pk)
    return render(request, "contracts/grants/rounds.html", {"rounds": selectors.rounds_for(request.user), "form": form})


@permission_required("contracts.manage_grants")
def grant_round(request: HttpRequest, pk: int) -> HttpResponse:
    the_round = selectors.round_for(request.user, pk)
    suppliers = list(Supplier.objects.order_by("legal_name").values_list("pk", "legal_name"))
    form = ApplicationForm(request.POST or None, suppliers=suppliers)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["supplier"] = Supplier.objects.filter(pk=data["supplier"]).first()
        try:
            services.record_application(by=request.user, grant_round=the_round, **data)
        except ERRORS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Application recorded")
            return redirect("contracts:grant_round", pk=the_round.pk)
    applications = the_round.applications.select_related("supplier", "contract").order_by("submitted_on", "pk")
    return render(
        request,
        "contracts/grants/round.html",
        {"round": the_round, "applications": applications, "form": form, "awarded": services.awarded_total(the_round)},
    )


@permission_required("contracts.manage_grants")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_application(
                by=request.user,
                application=application,
                award=data["decision"] == "award",
                amount_awarded=data.get("amount_awarded"),
                reason=data["reason"],
                decided_on=data["decided_on"],
            )
        except ERRORS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded")
            return redirect("contracts:grant_round", pk=application.round_id)
    return render(request, "contracts/grants/decide.html", {"form": form, "application": application})


@permission_required("contracts.manage_grants")
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if application.status != GrantApplication.Status.AWARDED or application.contract_id:
        messages.error(request, "Only an awarded grant without an agreement can have one made")
        return redirect("contracts:grant_round", pk=application.round_id)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.make_agreement(by=request.user, application=application, **form.cleaned_data)
        except ERRORS as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Grant agreement made: it is live on the register with its payment schedule")
            return redirect("contracts:officer_contract", pk=contract.pk)
    return render(request, "contracts/grants/agreement.html", {"form": form, "application": application})
