"""Officer pages for the authority's funding streams and allocations. Thin: scope, validate, one service."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from commissioning.access import permission_required
from commissioning.dates import financial_year_of
from commissioning.forms import number_from_query
from commissioning.models import Authority, FundingStream
from commissioning.views.service_forms import posted_form

from ..selectors import contract_for_officer
from ..services import ContractRuleError
from . import selectors, services
from .forms import AllocationForm, ContributionForm, StreamForm
from .services import FundingRuleError


def _posted_to_streams(request: HttpRequest, form, act: Callable[[dict], str]) -> HttpResponse | None:
    """A funding form's valid POST (`posted_form`): the service acts and the officer goes back to the streams."""
    return posted_form(request, form, act, reverse("contracts:funding_streams"), refused=FundingRuleError)


def _stream_form_page(
    request: HttpRequest, form, act: Callable[[dict], str], *, stream: FundingStream | None
) -> HttpResponse:
    """The form adding a funding stream (`stream` None) or changing one, posted as `_posted_to_streams`."""
    posted = _posted_to_streams(request, form, act)
    return posted or render(request, "contracts/funding/stream_form.html", {"form": form, "stream": stream})


@permission_required("contracts.manage_funding", read_only=True)
def streams(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.streams_for(request.user))
    years = sorted({a.financial_year for s in rows for a in s.allocations.all()})
    return render(
        request,
        "contracts/funding/streams.html",
        {"streams": rows, "years": years, "authority": request.user.authority},
    )


@permission_required("contracts.manage_funding")
def add_stream(request: HttpRequest) -> HttpResponse:
    form = StreamForm(request.POST or None)

    def add(data: dict) -> str:
        stream = services.create_stream(by=request.user, **data)
        return f"Funding stream added: {stream.name}"

    return _stream_form_page(request, form, add, stream=None)


@permission_required("contracts.manage_funding")
def edit_stream(request: HttpRequest, pk: int) -> HttpResponse:
    stream = selectors.stream_for(request.user, pk)
    initial = {name: getattr(stream, name) for name in services.STREAM_FIELDS}
    form = StreamForm(request.POST or None, initial=initial)

    def save(data: dict) -> str:
        services.update_stream(by=request.user, stream=stream, **data)
        return f"Funding stream saved: {data['name']}"

    return _stream_form_page(request, form, save, stream=stream)


@permission_required("contracts.manage_funding")
def set_allocation(request: HttpRequest, pk: int) -> HttpResponse:
    stream = selectors.stream_for(request.user, pk)
    current = financial_year_of(timezone.localdate())
    existing = {a.financial_year: a.amount for a in stream.allocations.all()}
    year = number_from_query(request.GET.get("year"), digits=4)
    initial = {"financial_year": year, "amount": existing.get(year)} if year in existing else {}
    first = min([current - 10, *existing])
    form = AllocationForm(request.POST or None, initial=initial, years=(first, current + 5))

    def save(data: dict) -> str:
        services.set_allocation(by=request.user, stream=stream, **data)
        return f"Allocation saved for {stream.name}"

    posted = _posted_to_streams(request, form, save)
    return posted or render(
        request, "contracts/funding/allocation_form.html", {"form": form, "stream": stream, "existing": existing}
    )


@permission_required("contracts.manage_lifecycle")
def set_contribution(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead commissioner's officer records a contributing authority's share of a year."""
    contract = contract_for_officer(request.user, pk, acting=True)
    authorities = Authority.objects.exclude(pk=contract.buying_authority_id).order_by("name")
    form = ContributionForm(
        request.POST or None,
        authorities=list(authorities.values_list("pk", "name")),
        years=contract.potential_financial_years,
    )

    def save(data: dict) -> str:
        services.set_contribution(
            by=request.user,
            contract=contract,
            authority=authorities.filter(pk=data["authority"]).first(),
            financial_year=data["financial_year"],
            amount=data["amount"],
        )
        return "Contribution saved"

    back = reverse("contracts:officer_contract", args=[contract.pk]) + "#commissioners"
    posted = posted_form(request, form, save, back, refused=(FundingRuleError, ContractRuleError))
    return posted or render(request, "contracts/funding/contribution_form.html", {"form": form, "contract": contract})
