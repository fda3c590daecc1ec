"""The officer's pages: frameworks, applications, decisions, the approved list and appointments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning.access import permission_required
from commissioning.files import attachment_response
from commissioning.forms import add_service_errors, service_refusals_on
from commissioning.pagination import keyset_paginate, paginate
from commissioning.rules import acting_for_filter
from commissioning.search import Sorting, clean_query
from commissioning.views.form_pages import simple_form_page

from .. import evaluation, open_frameworks, selectors, services
from ..evaluation.forms import AssignEvaluatorsForm
from ..forms import (
    AppointmentStatusForm,
    ClarificationRequestForm,
    DecisionForm,
)
from ..models import (
    Answer,
    Application,
    ApplicationLot,
    Appointment,
    Framework,
)
from .common import RUN, _accreditation_evidence, _supplier_document

# --- Officer -------------------------------------------------------------------------------------


def _officer_framework(request, pk) -> Framework:
    return get_object_or_404(Framework.objects.filter(acting_for_filter(request.user, "lead_authority")), pk=pk)


def _officer_application(request, pk) -> Application:
    return get_object_or_404(selectors.applications_for_officer(request.user), pk=pk)


@permission_required(RUN)
def officer_frameworks(request):
    frameworks = list(
        Framework.objects.filter(acting_for_filter(request.user, "lead_authority"))
        .select_related("lead_authority")
        .prefetch_related("lots", "windows", "awards")
    )
    for framework in frameworks:
        framework.scheme_awards = list(framework.awards.all())
        framework.reaward = open_frameworks.next_reaward(framework, framework.scheme_awards)
    return render(request, "frameworks/officer/frameworks.html", {"frameworks": frameworks, "now": timezone.now()})


@permission_required(RUN)
def officer_applications(request, pk):
    framework = _officer_framework(request, pk)
    q = clean_query(request.GET.get("q"))
    sorting = Sorting(request, selectors.APPLICATION_COLUMNS)
    applications = selectors.application_list_for_officer(request.user, framework, q=q, sorting=sorting)
    page = keyset_paginate(request, applications, selectors.application_ordering(sorting))
    rows = selectors.with_lot_numbers(page.object_list)
    return render(
        request,
        "frameworks/officer/applications.html",
        {"framework": framework, "applications": rows, "page": page, "q": q, "headers": sorting.headers()},
    )


@permission_required(RUN)
def officer_application(request, pk):
    application = _officer_application(request, pk)
    assign_form = AssignEvaluatorsForm(
        request.POST if "assign" in request.POST else None,
        eligible=evaluation.assignable_evaluators(application),
        bidder_noun="applicant",
        prefix="assign",
    )
    clarify_form = ClarificationRequestForm(request.POST if "clarify" in request.POST else None, prefix="clarify")
    if request.method == "POST":
        try:
            if "assign" in request.POST and assign_form.is_valid():
                evaluation.assign_evaluators(
                    target=application, by=request.user, evaluators=list(assign_form.cleaned_data["evaluators"])
                )
                messages.success(request, "The evaluators have been assigned and told by email.")
                return redirect("frameworks:officer_application", application.pk)
            if "clarify" in request.POST and clarify_form.is_valid():
                services.request_clarification(
                    application=application, by=request.user, question=clarify_form.cleaned_data["question"]
                )
                messages.success(request, "Your clarification request has been sent to the applicant.")
                return redirect("frameworks:officer_application", application.pk)
        except ValidationError as error:
            add_service_errors(assign_form if "assign" in request.POST else clarify_form, error)
    answers = {a.question_id: a for a in application.answers.all()}
    return render(
        request,
        "frameworks/officer/application.html",
        {
            "application": application,
            "assign_form": assign_form,
            "clarify_form": clarify_form,
            "assignments": application.assignments.select_related("evaluator"),
            "sections": selectors.question_sections(application, answers),
            "answers": answers,
            "choices": application.lot_choices.select_related("lot").prefetch_related("areas"),
            "members": application.consortium_members.all(),
            "clarifications": application.clarifications.all(),
            "results": selectors.lot_results(application),
            "form": assign_form if assign_form.errors else clarify_form,
        },
    )


@permission_required(RUN)
def decide(request, pk, choice_pk):
    application = _officer_application(request, pk)
    choice = get_object_or_404(ApplicationLot, pk=choice_pk, application=application)
    result = next((r for r in selectors.lot_results(application) if r.lot.pk == choice.lot_id), None)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, field="outcome"):
            services.decide_lot(choice=choice, by=request.user, **form.cleaned_data)
            messages.success(request, f"Your decision on {choice.lot} has been recorded.")
            return redirect("frameworks:officer_application", application.pk)
    return render(
        request,
        "frameworks/officer/decide.html",
        {
            "application": application,
            "choice": choice,
            "result": result,
            "form": form,
        },
    )


@permission_required(RUN)
def approved_list(request, pk):
    framework = _officer_framework(request, pk)
    return render(
        request,
        "frameworks/officer/approved_list.html",
        {
            "framework": framework,
            "appointments": (page := paginate(request, selectors.approved_list(framework))).object_list,
            "page": page,
        },
    )


@permission_required(RUN)
def appointment_status(request, pk):
    appointment = get_object_or_404(
        Appointment.objects.filter(acting_for_filter(request.user, "lot__framework__lead_authority")).select_related(
            "supplier", "lot__framework"
        ),
        pk=pk,
    )
    form = AppointmentStatusForm(request.POST or None, initial={"status": appointment.status})
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, field="status"):
            appointment = services.change_appointment_status(
                appointment=appointment, by=request.user, **form.cleaned_data
            )
            messages.success(request, f"{appointment} is now {appointment.get_status_display().lower()}.")
            return redirect("frameworks:approved_list", appointment.lot.framework_id)
    return simple_form_page(
        request,
        form,
        title=f"Change the status of {appointment.supplier}",
        caption=str(appointment.lot),
        button="Save",
        crumbs=[
            ("Frameworks", reverse("frameworks:officer_frameworks")),
            ("Approved list", reverse("frameworks:approved_list", args=[appointment.lot.framework_id])),
            ("Change status", None),
        ],
        cancel_url=reverse("frameworks:approved_list", args=[appointment.lot.framework_id]),
    )


@permission_required(RUN)
def officer_answer_file(request, pk, answer_pk):
    application = _officer_application(request, pk)
    answer = get_object_or_404(Answer, pk=answer_pk, application=application)
    return attachment_response(answer.upload, answer.upload_name)


@permission_required(RUN)
def officer_accreditation_file(request, pk, accreditation_pk):
    return _accreditation_evidence(_officer_application(request, pk), accreditation_pk)


@permission_required(RUN)
def officer_document_file(request, pk, document_pk):
    return _supplier_document(_officer_application(request, pk), document_pk)
