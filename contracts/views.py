"""Officer and provider pages of the contracts register. Thin: check access, validate, call one
service, redirect. Every view declares its access policy (commissioning.access)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning.access import permission_required
from commissioning.dates import financial_year_label, financial_year_of, long_date
from commissioning.forms import number_from_query
from commissioning.models import Authority
from commissioning.pagination import keyset_paginate, with_area_names
from commissioning.rules import acts_for_running_authority, reading_authority
from commissioning.search import Sorting, clean_query
from commissioning.views.service_forms import posted_form

from . import reports, selectors, services, whole_life
from .forms import AsOfFilterForm, ExtensionForm, RegisterFilterForm, ScopeForm, TerminationForm, VariationForm
from .models import Contract, extended_end
from .notices import selectors as notice_selectors
from .services import ContractRuleError


def _contract_form_page(
    request: HttpRequest, contract: Contract, form, act: Callable[[dict], str], template: str, **context
) -> HttpResponse:
    """A lifecycle form on a contract whose valid POST asks a service to act (`posted_form`) and goes back
    to the contract."""
    back = reverse("contracts:officer_contract", args=[contract.pk])
    posted = posted_form(request, form, act, back, refused=ContractRuleError)
    return posted or render(request, template, {"form": form, "contract": contract, **context})


def _authority(request: HttpRequest) -> Authority | None:
    """The authority whose figures are shown: an officer's own, whatever was asked (rules.py)."""
    pk = number_from_query(request.GET.get("authority"))
    return reading_authority(request.user, Authority.objects.filter(pk=pk).first() if pk else None)


# Officer pages ------------------------------------------------------------------------------------------


@permission_required("contracts.view_register", read_only=True)
def officer_register(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    choices = selectors.filter_choices(request.user, selected_supplier=request.GET.get("supplier"))
    form = RegisterFilterForm(request.GET or None, choices=choices)
    q = clean_query(request.GET.get("q"))
    filters = selectors.RegisterFilters(**form.filters(), q=q) if request.GET else selectors.RegisterFilters()
    sorting = Sorting(request, selectors.REGISTER_COLUMNS)
    contracts = selectors.register(filters, today=today, sorting=sorting, user=request.user)
    page = keyset_paginate(
        request, contracts, selectors.register_ordering(sorting), groups=selectors.register_groups(sorting, today)
    )
    return render(
        request,
        "contracts/officer/register.html",
        {
            "form": form,
            "page": page,
            "contracts": with_area_names(page.object_list),
            "today": today,
            "year_label": financial_year_label(financial_year_of(today)),
            "filtered": any(filters.__dict__.values()),
            "q": q,
            "headers": sorting.headers(),
        },
    )


@permission_required("contracts.view_register", read_only=True)
def officer_contract(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk)
    can_manage = acts_for_running_authority(request.user, contract)
    today = timezone.localdate()
    events = selectors.recent_events(contract)
    return render(
        request,
        "contracts/officer/contract.html",
        {
            "contract": contract,
            "today": today,
            "next_option": contract.next_option(),
            "history": selectors.field_history(contract),
            "value_changes": selectors.value_changes(contract, recent=events),
            "contributions": contract.contributions.select_related("authority").order_by(
                "financial_year", "authority__name"
            ),
            "events": events,
            "can_manage": can_manage,
            "complete_action_url": "contracts:complete_action" if can_manage else "",
            "social_value_threshold": settings.SOCIAL_VALUE_THRESHOLD,
            "whole_life": whole_life.of_contract(contract),
            "notices": notice_selectors.notices_of(contract),
        },
    )


@permission_required("contracts.manage_lifecycle")
def record_variation(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk, acting=True)

    def record(data: dict) -> str:
        variation = services.record_variation(
            by=request.user,
            contract=contract,
            kind=data["kind"],
            reason=data["reason"],
            approver=data["approver"],
            approved_on=data["approved_on"],
            financial_year=data.get("financial_year"),
            new_value=data.get("new_value"),
            new_end=data.get("new_end"),
            new_scope=data.get("new_scope") or "",
        )
        return f"Variation recorded: {variation.get_kind_display().lower()}"

    form = VariationForm(request.POST or None, contract=contract)
    return _contract_form_page(request, contract, form, record, "contracts/officer/variation_form.html")


@permission_required("contracts.manage_lifecycle")
def exercise_extension(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk, acting=True)
    option = contract.next_option()
    form = ExtensionForm(
        request.POST or None,
        initial={"option": option.pk if option else None, "decided_on": timezone.localdate()},
        proposed=services.proposed_extension_values(contract, option) if option else {},
    )

    def exercise(data: dict) -> str:
        chosen = contract.extension_options.filter(pk=data["option"]).first()
        if chosen is None:
            raise ContractRuleError("That extension option does not belong to this contract")
        extension = services.exercise_extension(
            by=request.user,
            contract=contract,
            option=chosen,
            decided_on=data["decided_on"],
            reason=data["reason"],
            year_values=form.year_values(),
        )
        return (
            f"Option {extension.option.sequence} exercised: the contract now ends on {long_date(extension.end_after)}"
        )

    return _contract_form_page(
        request,
        contract,
        form,
        exercise,
        "contracts/officer/extension_form.html",
        option=option,
        new_end=extended_end(contract.current_end_on, option.months) if option else None,
    )


@permission_required("contracts.manage_lifecycle")
def terminate_contract(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk, acting=True)

    def terminate(data: dict) -> str:
        services.terminate_contract(
            by=request.user, contract=contract, terminated_on=data["terminated_on"], reason=data["reason"]
        )
        return "The termination has been recorded"

    form = TerminationForm(request.POST or None)
    return _contract_form_page(request, contract, form, terminate, "contracts/officer/terminate_form.html")


@permission_required("contracts.manage_lifecycle")
def go_live(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk, acting=True)
    error = None
    if request.method == "POST":
        try:
            if services.needs_second_officer(contract) and contract.live_proposed_at is None:
                services.propose_going_live(by=request.user, contract=contract)
                messages.success(request, "Going live proposed. A second officer must now confirm it.")
            else:
                services.activate_contract(by=request.user, contract=contract)
                messages.success(request, "The contract is live")
        except ContractRuleError as exc:
            error = exc.text
        else:
            return redirect("contracts:officer_contract", pk=contract.pk)
    total = contract.total_value_now
    life = whole_life.of_contract(contract)
    return render(
        request,
        "contracts/officer/go_live.html",
        {
            "contract": contract,
            "error": error,
            "total": total,
            "whole_life": life,
            "needs_social_value": services.social_value_required(contract.kind, life.amount),
            "two_person": services.needs_second_officer(contract),
        },
    )


@permission_required("contracts.manage_lifecycle")
def set_scope(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk, acting=True)
    initial = {"in_scope": "yes" if contract.in_recommissioning_scope else "no", "scope_note": contract.scope_note}

    def change_scope(data: dict) -> str:
        services.set_recommissioning_scope(
            by=request.user, contract=contract, in_scope=data["in_scope"], note=data["scope_note"]
        )
        return "Recommissioning scope updated"

    form = ScopeForm(request.POST or None, initial=initial)
    return _contract_form_page(request, contract, form, change_scope, "contracts/officer/scope_form.html")


@permission_required("contracts.manage_lifecycle")
@require_POST
def schedule_meetings(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_officer(request.user, pk, acting=True)
    try:
        created = services.schedule_meetings(by=request.user, contract=contract)
    except ContractRuleError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, f"{len(created)} quarterly meetings added to the schedule")
    return redirect(reverse("contracts:officer_contract", args=[contract.pk]) + "#meetings")


@permission_required("contracts.view_register", read_only=True)
def funding_envelope(request: HttpRequest) -> HttpResponse:
    """One authority's envelope for one financial year: the officer's own authority unless another (or
    "all") is chosen; the years offered are those with data for that choice."""
    choice = request.GET.get("authority")
    authority = reading_authority(request.user, None) if choice in (None, "all") else _authority(request)
    years = selectors.envelope_years(authority)
    current = financial_year_of(timezone.localdate())
    year = number_from_query(request.GET.get("year"), digits=4)
    if year is None or year not in years:
        year = current if current in years or not years else years[-1]
    result = selectors.envelope(year, authority=authority)
    return render(
        request,
        "contracts/officer/envelope.html",
        {
            "envelope": result,
            "years": [(y, financial_year_label(y)) for y in years],
            "has_data": bool(years),
            "authorities": selectors.envelope_authorities(request.user),
            "authority": authority,
        },
    )


@permission_required("contracts.view_register", read_only=True)
def pipeline(request: HttpRequest) -> HttpResponse:
    form = AsOfFilterForm(request.GET, today=timezone.localdate(), user=request.user)
    authority = reading_authority(request.user, form.selected_authority)
    return render(
        request,
        "contracts/officer/pipeline.html",
        {
            "form": form,
            "pipeline": selectors.pipeline(today=form.as_of_date, authority=authority),
            "authority": authority,
            "as_of": form.as_of_date,
        },
    )


@permission_required("contracts.view_register", read_only=True)
def panel_report(request: HttpRequest) -> HttpResponse:
    """The Police and Crime Panel report as a web page, with a button to produce the PDF."""
    form = AsOfFilterForm(request.GET, today=timezone.localdate(), user=request.user)
    authority = reading_authority(request.user, form.selected_authority)
    context = reports.panel_report_context(authority=authority, as_of=form.as_of_date)
    return render(request, "contracts/officer/panel_report.html", {**context, "form": form})


@permission_required("contracts.view_register")
@require_POST
def request_panel_report(request: HttpRequest) -> HttpResponse:
    """Queue the PDF of the Panel report (produced in the background)."""
    form = AsOfFilterForm(request.POST, today=timezone.localdate(), user=request.user)
    if form.errors:  # the page's own hidden fields, altered
        messages.error(request, "The report could not be produced: choose the day and the authority again")
        return redirect("contracts:panel_report")
    authority = reading_authority(request.user, form.selected_authority)
    document = reports.request_panel_report(by=request.user, authority=authority, as_of=form.as_of_date)
    messages.success(request, "The report is being produced. It will be ready to download in a few moments")
    return redirect(reports.document_url(document))


# Provider pages -----------------------------------------------------------------------------------------


@permission_required("contracts.view_own_contracts", read_only=True)
def provider_contracts(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    contracts = selectors.contracts_for_provider(request.user, today=today)
    return render(
        request,
        "contracts/provider/contracts.html",
        {"contracts": contracts, "today": today, "supplier": request.user.supplier_membership.supplier},
    )


@permission_required("contracts.view_own_contracts", read_only=True)
def provider_contract(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_for_provider(request.user, pk)
    return render(
        request,
        "contracts/provider/contract.html",
        {
            "contract": contract,
            "today": timezone.localdate(),
            "complete_action_url": "contracts:complete_action",
            "social_value_threshold": settings.SOCIAL_VALUE_THRESHOLD,
        },
    )


@permission_required("contracts.mark_actions_done")
@require_POST
def complete_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a meeting action done: the provider's one write, and the officer's too."""
    action = selectors.action_for_user(request.user, pk)
    try:
        services.complete_action(by=request.user, action=action)
    except ContractRuleError as error:
        messages.error(request, error.text)
    else:
        messages.success(request, f"Action marked as done: {action.description}")
    contract_pk = action.meeting.contract_id
    name = "contracts:provider_contract" if request.user.role == "provider" else "contracts:officer_contract"
    return redirect(reverse(name, args=[contract_pk]) + f"#meeting-{action.meeting_id}")
