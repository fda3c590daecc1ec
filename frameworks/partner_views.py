"""The shared approved list: partner commissioners' pages and exports, and the officer's export of the
whole list with each appointment's history.

Partners are read-only: their unsafe requests are refused by `ReadOnlyPartnerMiddleware` and by
`permission_required(..., read_only=True)`. A framework that is not shared with the partner's
authority answers 404 on every URL, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from commissioning.access import permission_required
from commissioning.exports import export_response
from commissioning.forms import SelectFiltersMixin
from commissioning.models import Area
from commissioning.pagination import filters_query, paginate
from commissioning.search import Header, clean_query
from suppliers.models import AccreditationScheme

from . import partner_selectors as selectors
from .models import Appointment, Framework
from .partner_rules import can_manage_approved_list, can_view_shared_framework
from .resources_partner import OfficerApprovedListResource, PartnerApprovedListResource

SORT_CHOICES = [
    ("supplier", "Supplier name"),
    ("supplier-desc", "Supplier name, Z to A"),
    ("lot", "Lot"),
    ("lot-desc", "Lot, highest first"),
    ("newest", "Newest appointment"),
    ("oldest", "Oldest appointment"),
]


class ApprovedListFilterForm(SelectFiltersMixin, forms.Form):
    """The GET form above the list. Invalid values are reported and ignored; valid ones still apply."""

    q = forms.CharField(label="Search by supplier or lot", required=False, max_length=100)

    lot = forms.ModelChoiceField(
        queryset=None,
        to_field_name="number",
        required=False,
        empty_label="All lots",
        error_messages={"invalid_choice": "Select a lot from the list"},
    )
    area = forms.ModelChoiceField(
        queryset=Area.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label="All areas",
        label="Area covered",
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    scheme = forms.ChoiceField(
        label="Accreditation",
        help_text="A current accreditation, or an accepted equivalent",
        choices=[("", "Any or none")]
        + [c for c in AccreditationScheme.choices if c[0] != AccreditationScheme.EQUIVALENT],
        required=False,
        error_messages={"invalid_choice": "Select an accreditation from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Select how to sort the list"},
    )
    vcse = forms.BooleanField(
        label="Only voluntary, community and social enterprises (VCSE)",
        required=False,
    )

    def __init__(self, data, *, framework: Framework):
        super().__init__(data)
        self.fields["lot"].queryset = selectors.lots_of(framework)
        self.fields["lot"].label_from_instance = lambda lot: f"Lot {lot.number}: {lot.title}"

    def filters(self) -> selectors.ApprovedListFilters:
        self.is_valid()
        data = self.cleaned_data
        return selectors.ApprovedListFilters(
            lot=data.get("lot"),
            area=data.get("area"),
            scheme=data.get("scheme") or "",
            vcse_only=bool(data.get("vcse")),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
            status=data.get("status") or "",
            q=clean_query(self.data.get("q")),
        )


class OfficerApprovedListFilterForm(ApprovedListFilterForm):
    status = forms.ChoiceField(
        choices=[("", "Any status")] + list(Appointment.Status.choices),
        required=False,
        error_messages={"invalid_choice": "Select a status from the list"},
    )


def sort_headers(request: HttpRequest, filters: selectors.ApprovedListFilters) -> dict[str, Header]:
    """Sortable column headers for the approved list, on the same `sort` values as the select box."""
    pairs = {"supplier": ("supplier", "supplier-desc"), "lot": ("lot", "lot-desc"), "appointed": ("oldest", "newest")}
    labels = {"supplier": "Supplier", "lot": "Lot", "appointed": "Appointed"}
    params = request.GET.copy()
    params.pop("page", None)
    headers = {}
    for key, (up, down) in pairs.items():
        current = filters.sort in (up, down)
        following = down if filters.sort == up else up
        params["sort"] = following
        headers[key] = Header(
            label=labels[key],
            url="?" + params.urlencode(),
            aria_sort=("ascending" if filters.sort == up else "descending") if current else "none",
            next_order="ascending" if following == up else "descending",
        )
    return headers


# Partner commissioners -----------------------------------------------------------------------------


def _framework_or_404(request: HttpRequest, reference: str, frameworks, may_see: Callable[..., bool]) -> Framework:
    """The framework `reference` among `frameworks`, if the user `may_see` its approved list; a framework
    they may not see is not found, as one that does not exist."""
    framework = get_object_or_404(frameworks, reference=reference)
    if not may_see(request.user, framework):
        raise Http404
    return framework


def _shared_framework(request: HttpRequest, reference: str) -> Framework:
    shared = selectors.frameworks_shared_with(request.user)
    return _framework_or_404(request, reference, shared, can_view_shared_framework)


@permission_required("frameworks.view_shared_frameworks", read_only=True)
def shared_frameworks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "frameworks/partner/framework_list.html",
        {"frameworks": selectors.shared_frameworks(request.user), "authority": request.user.authority},
    )


def _approved_list_page(request: HttpRequest, template: str, framework: Framework, form, filters, appointments, size):
    """A framework's approved list as a partner or its officers see it: one page of the filtered,
    sortable appointments, with the filter form and the sort links keeping the query."""
    page = paginate(request, selectors.as_page_rows(appointments, size))
    return render(
        request,
        template,
        {
            "framework": framework,
            "form": form,
            "filters": filters,
            "appointments": selectors.page_rows(page.object_list),
            "page": page,
            "query": filters_query(request),
            "headers": sort_headers(request, filters),
        },
    )


@permission_required("frameworks.view_shared_frameworks", read_only=True)
def shared_list(request: HttpRequest, reference: str) -> HttpResponse:
    framework = _shared_framework(request, reference)
    form = ApprovedListFilterForm(request.GET, framework=framework)
    filters = form.filters()
    appointments = selectors.shared_approved_list(framework, request.user.authority_id, filters)
    size = selectors.shared_list_size(framework, filters)
    template = "frameworks/partner/approved_list.html"
    return _approved_list_page(request, template, framework, form, filters, appointments, size)


@permission_required("frameworks.view_shared_frameworks", read_only=True)
def shared_list_export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    framework = _shared_framework(request, reference)
    filters = ApprovedListFilterForm(request.GET, framework=framework).filters()
    appointments = selectors.shared_approved_list(framework, request.user.authority_id, filters)
    filename = f"approved-suppliers-{slugify(framework.reference)}"
    return export_response(PartnerApprovedListResource(), appointments, fmt, filename)


# Officers ------------------------------------------------------------------------------------------


def _officer_framework(request: HttpRequest, reference: str) -> Framework:
    return _framework_or_404(request, reference, selectors.officer_frameworks(request.user), can_manage_approved_list)


@permission_required("frameworks.export_approved_list", read_only=True)
def officer_list(request: HttpRequest, reference: str) -> HttpResponse:
    framework = _officer_framework(request, reference)
    form = OfficerApprovedListFilterForm(request.GET, framework=framework)
    filters = form.filters()
    appointments = selectors.officer_approved_list_pages(framework, filters)
    size = selectors.officer_list_group_sizes(framework, filters)
    template = "frameworks/partner/officer_list.html"
    return _approved_list_page(request, template, framework, form, filters, appointments, size)


@permission_required("frameworks.export_approved_list", read_only=True)
def officer_list_export(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    framework = _officer_framework(request, reference)
    filters = OfficerApprovedListFilterForm(request.GET, framework=framework).filters()
    appointments = selectors.officer_approved_list(framework, filters)
    filename = f"approved-list-{slugify(framework.reference)}"
    return export_response(OfficerApprovedListResource(), appointments, fmt, filename)


@permission_required("frameworks.view_appointment_history", read_only=True)
def appointment_history(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment.objects.select_related("supplier", "lot__framework"), pk=pk)
    if not can_manage_approved_list(request.user, appointment.lot.framework):
        raise Http404
    return render(
        request,
        "frameworks/partner/appointment_history.html",
        {
            "appointment": appointment,
            "framework": appointment.lot.framework,
            "entries": selectors.appointment_history(appointment),
        },
    )
