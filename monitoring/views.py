"""Pages of performance monitoring for providers (their returns) and officers (dashboard, review,
targets, aggregates and reports). Thin: check access, validate the form, call one service, redirect.
Every view declares its access policy; provider pages scope every object to the user's own supplier, so
another supplier's contract or return is a 404 for reading and for writing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from commissioning.access import permission_required
from commissioning.dates import Quarter, financial_year_label
from commissioning.documents import request_document
from commissioning.files import attachment_response
from commissioning.forms import add_service_errors, number_from_query, service_refusals_on
from commissioning.models import Area
from commissioning.pagination import paginate
from commissioning.rules import acts_for_running_authority, reads_for_authority
from commissioning.search import TOO_MANY_TO_LIST, Sorting, clean_query
from contracts.models import Contract
from frameworks.models import Lot

from . import reminders, selectors, services, xlsx
from .forms import (
    ChoiceFilterForm,
    ContractReportForm,
    DecisionForm,
    LotSummaryForm,
    ReturnForm,
    SpreadsheetForm,
    TargetsForm,
)
from .models import RAG_TAG_CLASSES, QuarterlyReturn, Rag
from .reports import CONTRACT_REPORT, LOT_SUMMARY

SUBMIT = "monitoring.submit_returns"
REVIEW = "monitoring.review_returns"
NO_LOT = "none"


def _quarter(year: int, number: int) -> Quarter:
    if not (1 <= number <= 4 and 2000 <= year <= 2100):
        raise Http404("No such quarter")
    return Quarter(year, number)


def _workbook_download(content: bytes, name: str) -> HttpResponse:
    """A workbook built for this request, served as an attachment the browser does not sniff."""
    response = HttpResponse(content, content_type=xlsx.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _legend():
    return [(rag.label, RAG_TAG_CLASSES[rag]) for rag in Rag]


# Provider pages ------------------------------------------------------------------------------------------


@permission_required(SUBMIT)
def provider_returns(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "monitoring/provider/returns.html",
        {"overview": selectors.provider_overview(request.user, today=today), "today": today},
    )


def _provider_slot(request: HttpRequest, contract_pk: int, year: int, number: int):
    """The provider's own contract and a quarter it owes a return for, or 404. Whether the return is due
    is read from the contract just loaded (the services check it again in the database before writing)."""
    contract = selectors.contract_for_provider(request.user, contract_pk)
    quarter = _quarter(year, number)
    today = timezone.localdate()
    if quarter.start > today or not contract.is_in_force_during(quarter.start, quarter.end):
        raise Http404("No return is due for this quarter")
    return contract, quarter, selectors.return_of(contract, quarter), today


def _provider_crumbs(contract: Contract, quarter: Quarter, label: str | None = None):
    crumbs = [("Your returns", reverse("monitoring:provider_returns"))]
    if label:
        crumbs.append(
            (
                f"{contract.reference} {quarter.label}",
                reverse("monitoring:edit_return", args=[contract.pk, quarter.financial_year, quarter.number]),
            )
        )
        crumbs.append((label, None))
    else:
        crumbs.append((f"{contract.reference} {quarter.label}", None))
    return crumbs


def _saved_entries(quarterly_return: QuarterlyReturn | None, indicators, areas) -> tuple[dict, dict]:
    """What a saved return holds, as the raw figures and the narrative that the return form and the
    return spreadsheet are filled with (both empty before the return is started)."""
    if quarterly_return is None:
        return {}, {}
    raw = services.raw_from_values(indicators, quarterly_return.values.order_by(), areas)
    return raw, {name: getattr(quarterly_return, name) for name in ReturnForm.NARRATIVE}


@permission_required(SUBMIT)
def edit_return(request: HttpRequest, contract_pk: int, year: int, quarter: int) -> HttpResponse:
    contract, period, quarterly_return, today = _provider_slot(request, contract_pk, year, quarter)
    if quarterly_return is not None and not quarterly_return.is_editable:
        return redirect("monitoring:provider_return", contract.pk, year, quarter)
    indicators = selectors.indicators_of(contract)
    areas = services.contract_areas(contract)
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    if request.method == "POST":
        form = ReturnForm(request.POST, request.FILES, indicators=indicators, areas=areas, submitting=submitting)
    else:
        raw, narrative = _saved_entries(quarterly_return, indicators, areas)
        form = ReturnForm(initial={**raw, **narrative}, indicators=indicators, areas=areas)
    if request.method == "POST" and form.is_valid():
        entered = {
            "contract": contract,
            "quarter": period,
            "raw": form.raw(),
            "narrative": form.narrative(),
            "document": form.cleaned_data.get("document"),
            "by": request.user,
            "indicators": indicators,
            "areas": areas,
        }
        try:
            if not submitting:
                services.save_return(**entered)
                messages.success(request, f"Your draft return for {period.label} has been saved.")
                return redirect("monitoring:edit_return", contract.pk, year, quarter)
            saved = services.save_and_submit_return(**entered)
            messages.success(
                request,
                f"Your return for {period.label} has been "
                f"{'resubmitted' if saved.status == QuarterlyReturn.Status.RESUBMITTED else 'submitted'}.",
            )
            return redirect("monitoring:provider_return", contract.pk, year, quarter)
        except services.FigureErrors as error:
            for problem in error.errors:
                form.add_figure_error(problem)
        except ValidationError as error:
            add_service_errors(form, error)
        quarterly_return = selectors.return_of(contract, period)
    slot = selectors.ReturnSlot(contract, period, quarterly_return, today)
    groups = selectors.group_by_question(
        [form.indicator_parts(i) for i in indicators], lambda p: p["indicator"].question
    )
    return render(
        request,
        "monitoring/provider/edit.html",
        {
            "contract": contract,
            "quarter": period,
            "slot": slot,
            "quarterly_return": quarterly_return,
            "form": form,
            "groups": groups,
            "narrative": form.narrative_entries(),
            "reviews": selectors.reviews_of(quarterly_return) if quarterly_return else [],
            "crumbs": _provider_crumbs(contract, period),
            "document_url": reverse("monitoring:provider_document", args=[contract.pk, year, quarter]),
        },
    )


@permission_required(SUBMIT)
def provider_return(request: HttpRequest, contract_pk: int, year: int, quarter: int) -> HttpResponse:
    contract, period, quarterly_return, today = _provider_slot(request, contract_pk, year, quarter)
    if quarterly_return is None:
        return redirect("monitoring:edit_return", contract.pk, year, quarter)
    rows = selectors.indicator_rows(
        contract=contract, quarter=period, quarterly_return=quarterly_return, with_charts=False
    )
    return render(
        request,
        "monitoring/provider/view.html",
        {
            "contract": contract,
            "quarter": period,
            "quarterly_return": quarterly_return,
            "slot": selectors.ReturnSlot(contract, period, quarterly_return, today),
            "groups": selectors.group_by_question(rows, lambda r: r.indicator.question),
            "reviews": selectors.reviews_of(quarterly_return),
            "legend": _legend(),
            "crumbs": _provider_crumbs(contract, period),
            "document_url": reverse("monitoring:provider_document", args=[contract.pk, year, quarter]),
        },
    )


@permission_required(SUBMIT, read_only=True)
def download_spreadsheet(request: HttpRequest, contract_pk: int, year: int, quarter: int) -> HttpResponse:
    contract, period, quarterly_return, _today = _provider_slot(request, contract_pk, year, quarter)
    indicators = selectors.indicators_of(contract)
    areas = services.contract_areas(contract)
    raw, narrative = _saved_entries(quarterly_return, indicators, areas)
    content = xlsx.build_return_workbook(
        contract=contract, quarter=period, indicators=indicators, areas=areas, raw=raw, narrative=narrative
    )
    return _workbook_download(
        content, f"return-{slugify(contract.reference)}-{period.financial_year}-q{period.number}.xlsx"
    )


@permission_required(SUBMIT)
def upload_spreadsheet(request: HttpRequest, contract_pk: int, year: int, quarter: int) -> HttpResponse:
    contract, period, quarterly_return, _today = _provider_slot(request, contract_pk, year, quarter)
    if quarterly_return is not None and not quarterly_return.is_editable:
        return redirect("monitoring:provider_return", contract.pk, year, quarter)
    form = SpreadsheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_spreadsheet(
                contract=contract, quarter=period, upload=form.cleaned_data["spreadsheet"], by=request.user
            )
            messages.success(
                request, "Your spreadsheet has been read and your draft saved. Check the figures, then submit."
            )
            return redirect("monitoring:edit_return", contract.pk, year, quarter)
        except xlsx.SpreadsheetErrors as error:
            for problem in error.problems:
                form.add_error("spreadsheet", problem)
        except ValidationError as error:
            add_service_errors(form, error, field="spreadsheet")
    return render(
        request,
        "monitoring/provider/upload.html",
        {
            "form": form,
            "contract": contract,
            "quarter": period,
            "title": f"Upload your {period.label} return spreadsheet",
            "crumbs": _provider_crumbs(contract, period, "Upload a spreadsheet"),
            "multipart": True,
            "button": "Upload and check",
            "cancel_url": reverse("monitoring:edit_return", args=[contract.pk, year, quarter]),
        },
    )


@permission_required(SUBMIT, read_only=True)
def provider_document(request: HttpRequest, contract_pk: int, year: int, quarter: int) -> HttpResponse:
    _contract, _period, quarterly_return, _today = _provider_slot(request, contract_pk, year, quarter)
    if quarterly_return is None:
        raise Http404("No return")
    return attachment_response(quarterly_return.document, quarterly_return.document_name)


# Officer pages -------------------------------------------------------------------------------------------


@permission_required(REVIEW, read_only=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    choices = selectors.dashboard_choices(today=today, user=request.user, selected_supplier=request.GET.get("supplier"))
    labels = {"framework": "Framework", "lot": "Lot", "supplier": "Provider", "quarter": "Quarter"}
    hints = {"supplier": TOO_MANY_TO_LIST} if choices.pop("supplier_cut") else None
    if request.GET:
        form = ChoiceFilterForm(request.GET, choices=choices, labels=labels, hints=hints)
        quarter = selectors.parse_quarter(form.value("quarter")) or selectors.default_quarter(today)
        if form.value("quarter") != selectors.quarter_key(quarter):
            # No quarter, or one not in the list, was asked for: the select shows the one the board is for.
            form.data = form.data.copy()
            form.data["quarter"] = selectors.quarter_key(quarter)
    else:  # one form, unbound, showing the quarter the board is for (not a bound one made only to read it)
        quarter = selectors.default_quarter(today)
        form = ChoiceFilterForm(
            initial={"quarter": selectors.quarter_key(quarter)}, choices=choices, labels=labels, hints=hints
        )
    filters = selectors.DashboardFilters(
        quarter=quarter,
        framework=number_from_query(form.value("framework")),
        lot=number_from_query(form.value("lot")),
        supplier=number_from_query(form.value("supplier")),
        q=clean_query(request.GET.get("q")),
    )
    sorting = Sorting(request, selectors.DASHBOARD_COLUMNS)
    board = selectors.dashboard(filters, today=today, sorting=sorting, user=request.user)
    page = paginate(request, board.slots)
    return render(
        request,
        "monitoring/officer/dashboard.html",
        {
            "form": form,
            "board": board,
            "page": page,
            "slots": page.object_list,
            "quarter": quarter,
            "today": today,
            "selected": selectors.quarter_key(quarter),
            "q": filters.q,
            "headers": sorting.headers(),
        },
    )


@permission_required(REVIEW)
@require_POST
def send_reminder(request: HttpRequest, contract_pk: int, year: int, quarter: int) -> HttpResponse:
    """The officer chases an overdue return from their home page (POST only)."""
    contract = get_object_or_404(Contract, pk=contract_pk)
    when = _quarter(year, quarter)
    try:
        sent = reminders.send_overdue_reminder(contract=contract, quarter=when, by=request.user)
    except PermissionDenied as exc:
        raise Http404("No such contract") from exc
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        who = f"{sent} {'person' if sent == 1 else 'people'} at {contract.supplier.legal_name}"
        messages.success(
            request,
            f"Reminder sent to {who} about the {when.label} return for {contract.reference}."
            if sent
            else f"A reminder about the {when.label} return for {contract.reference} was already sent today.",
        )
    return redirect(_safe_next(request) or reverse("officer_home"))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else ""


@permission_required(REVIEW)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    quarterly_return = selectors.return_for_officer(request.user, pk)
    can_manage = acts_for_running_authority(request.user, quarterly_return.contract)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            if form.cleaned_data["decision"] == "accept":
                services.accept_return(
                    quarterly_return=quarterly_return, by=request.user, comments=form.cleaned_data["comments"]
                )
                messages.success(request, f"The {quarterly_return.period.label} return has been accepted.")
            else:
                services.return_for_amendment(
                    quarterly_return=quarterly_return, by=request.user, comments=form.cleaned_data["comments"]
                )
                messages.success(
                    request, f"The {quarterly_return.period.label} return has been returned to the provider."
                )
            return redirect("monitoring:review", quarterly_return.pk)
    contract, quarter = quarterly_return.contract, quarterly_return.period.as_quarter
    rows = selectors.indicator_rows(contract=contract, quarter=quarter, quarterly_return=quarterly_return)
    return render(
        request,
        "monitoring/officer/review.html",
        {
            "quarterly_return": quarterly_return,
            "contract": contract,
            "quarter": quarter,
            "slot": selectors.ReturnSlot(contract, quarter, quarterly_return, timezone.localdate()),
            "groups": selectors.group_by_question(rows, lambda r: r.indicator.question),
            "rag_counts": selectors.rag_summary(rows),
            "reviews": selectors.reviews_of(quarterly_return),
            "form": form,
            "can_manage": can_manage,
            "legend": _legend(),
            "document_url": reverse("monitoring:officer_document", args=[quarterly_return.pk]),
        },
    )


@permission_required(REVIEW, read_only=True)
def officer_document(request: HttpRequest, pk: int) -> HttpResponse:
    quarterly_return = selectors.return_for_officer(request.user, pk)
    return attachment_response(quarterly_return.document, quarterly_return.document_name)


@permission_required(REVIEW)
def targets(request: HttpRequest, contract_pk: int) -> HttpResponse:
    contract = get_object_or_404(
        Contract.objects.readable_by(request.user).select_related("supplier", "lot__framework"),
        pk=contract_pk,
        activated_at__isnull=False,
    )
    if request.method == "POST" and not acts_for_running_authority(request.user, contract):
        raise PermissionDenied  # a framework's lead authority reads a partner's call-off; its buyer sets targets
    indicators = selectors.indicators_of(contract)
    form = TargetsForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form):
            services.set_targets(contract=contract, targets=form.targets, by=request.user)
            messages.success(request, f"The targets for {contract.reference} have been saved.")
            return redirect("monitoring:targets", contract.pk)
    template = services.template_for(contract)
    return render(
        request,
        "monitoring/officer/targets.html",
        {
            "contract": contract,
            "form": form,
            "template": template,
            "groups": selectors.group_by_question(form.rows(), lambda r: r[0].question),
        },
    )


def _aggregate_choices(request: HttpRequest, today):
    lots = selectors.lots_with_templates(request.user)
    lot_choices = [(str(lot.pk), f"{lot.framework.reference} lot {lot.number}: {lot.title}") for lot in lots]
    lot_choices.append((NO_LOT, "Contracts without a lot (default template)"))
    selected_lot = request.GET.get("lot") or (str(lots[0].pk) if lots else NO_LOT)
    lot = None
    if selected_lot != NO_LOT:
        lot = next((each for each in lots if each.pk == number_from_query(selected_lot)), None)
        if lot is None:
            raise Http404("No such lot")
    years = selectors.aggregate_years(lot, today, request.user)
    areas = list(Area.objects.order_by("name"))
    choices = {
        "lot": lot_choices,
        "year": [(str(y), financial_year_label(y)) for y in years],
        "area": [("", "All areas")] + [(area.code, area.name) for area in areas],
    }
    year = number_from_query(request.GET.get("year"))
    if year not in years:
        year = years[0]
    area = next((a for a in areas if a.code == request.GET.get("area")), None)
    return choices, lot, year, area, selected_lot


@permission_required(REVIEW, read_only=True)
def aggregates(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    choices, lot, year, area, selected_lot = _aggregate_choices(request, today)
    form = ChoiceFilterForm(
        initial={"lot": selected_lot, "year": str(year), "area": area.code if area else ""},
        choices=choices,
        labels={"lot": "Lot", "year": "Financial year", "area": "Area"},
    )
    result = selectors.aggregate(lot=lot, financial_year=year, area=area, user=request.user)
    query = request.GET.copy()
    query.update({"lot": selected_lot, "year": str(year)})
    return render(
        request,
        "monitoring/officer/aggregates.html",
        {
            "form": form,
            "result": result,
            "lot": lot,
            "area": area,
            "groups": selectors.group_by_question(result.rows, lambda r: r.indicator.question),
            "quarters": [(n, result.accepted.get(n, 0), result.due.get(n, 0)) for n in range(1, 5)],
            "export_query": query.urlencode(),
        },
    )


@permission_required(REVIEW, read_only=True)
def aggregates_export(request: HttpRequest) -> HttpResponse:
    """The half-year view as a spreadsheet for grant returns: all areas, then a sheet per area."""
    today = timezone.localdate()
    _choices, lot, year, area, _selected = _aggregate_choices(request, today)
    areas = [area] if area is not None else [None, *selectors.aggregate_areas(lot, request.user)]
    scope = f"{lot.framework.reference} lot {lot.number}: {lot.title}" if lot else "Contracts without a lot"
    sheets = [
        xlsx.half_year_sheet(
            each.name if each else "All areas",
            selectors.aggregate(lot=lot, financial_year=year, area=each, user=request.user),
        )
        for each in areas
    ]
    content = xlsx.build_half_year_workbook(
        title=f"{scope}, {financial_year_label(year)}: accepted returns by quarter and half-year", sheets=sheets
    )
    return _workbook_download(content, f"half-year-{slugify(scope)[:60]}-{year}{'-' + area.code if area else ''}.xlsx")


@permission_required(REVIEW)
def report_requests(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    contracts = list(
        Contract.objects.readable_by(request.user)
        .filter(activated_at__isnull=False)
        .select_related("supplier")
        .order_by("reference")
    )
    choices = selectors.dashboard_choices(today=today, user=request.user)
    quarters = choices["quarter"]
    years = sorted({int(key.split("-q")[0]) for key, _label in quarters}, reverse=True)
    periods = quarters + [(f"{y}-year", f"Financial year {financial_year_label(y)}") for y in years]
    contract_choices = [(str(c.pk), f"{c.reference}: {c.title} ({c.supplier.legal_name})") for c in contracts]
    lots = [
        (str(lot.pk), f"{lot.framework.reference} lot {lot.number}: {lot.title}")
        for lot in selectors.lots_with_templates(request.user)
        if reads_for_authority(request.user, lot.framework)
    ]
    kind = request.POST.get("kind")
    contract_form = ContractReportForm(
        request.POST if kind == CONTRACT_REPORT else None,
        contracts=contract_choices,
        periods=periods,
        prefix="contract",
        initial={"contract": request.GET.get("contract", "")},
    )
    lot_form = LotSummaryForm(request.POST if kind == LOT_SUMMARY else None, lots=lots, quarters=quarters, prefix="lot")
    if request.method == "POST":
        if kind == CONTRACT_REPORT and contract_form.is_valid():
            contract = next(c for c in contracts if str(c.pk) == contract_form.cleaned_data["contract"])
            value = contract_form.cleaned_data["period"]
            year_text, _sep, rest = value.partition("-")
            params = {"financial_year": int(year_text), "quarter": int(rest[1:]) if rest.startswith("q") else None}
            document = request_document(kind=CONTRACT_REPORT, target=contract, params=params, by=request.user)
            return redirect("document_detail", document.pk)
        if kind == LOT_SUMMARY and lot_form.is_valid():
            lot = Lot.objects.select_related("framework").get(pk=int(lot_form.cleaned_data["lot"]))
            quarter = selectors.parse_quarter(lot_form.cleaned_data["quarter"])
            params = {"financial_year": quarter.financial_year, "quarter": quarter.number}
            document = request_document(kind=LOT_SUMMARY, target=lot, params=params, by=request.user)
            return redirect("document_detail", document.pk)
    return render(
        request,
        "monitoring/officer/reports.html",
        {
            "contract_form": contract_form,
            "lot_form": lot_form,
            "form": contract_form if contract_form.errors else lot_form,
            "contract_report": CONTRACT_REPORT,
            "lot_summary": LOT_SUMMARY,
        },
    )
