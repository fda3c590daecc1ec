"""Selection-stage pages for providers, evaluators and officers. Views check access, validate the
form, call one service and redirect; reads come from selectors scoped to the user."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning import work_queues
from commissioning.access import permission_required
from commissioning.files import attachment_response
from commissioning.forms import add_service_errors
from commissioning.models import Area
from commissioning.pagination import keyset_paginate, paginate
from commissioning.rules import acting_for_filter
from commissioning.search import Sorting, clean_query
from commissioning.wording import time_of_day
from suppliers.models import Accreditation, SupplierDocument

from . import evaluation, open_frameworks, selectors, services
from . import work_queues as home_queues
from .evaluation.forms import AssignEvaluatorsForm
from .forms import (
    AppointmentStatusForm,
    ClarificationRequestForm,
    ClarificationResponseForm,
    ConsentForm,
    ConsortiumForm,
    ConsortiumMemberFormSet,
    DecisionForm,
    LotsForm,
    SectionForm,
    WithdrawForm,
    as_yes_no,
)
from .models import (
    Answer,
    Application,
    ApplicationLot,
    ApplicationWindow,
    Appointment,
    Clarification,
    EvaluationAssignment,
    Framework,
)
from .partner_selectors import shared_frameworks

APPLY = "frameworks.apply"
EVALUATE = "frameworks.evaluate"
RUN = "frameworks.run_selection"


# --- Provider ------------------------------------------------------------------------------------


@permission_required(APPLY)
def provider_home(request):
    supplier = request.user.supplier_membership.supplier
    applications = selectors.applications_for_provider(request.user)
    appointments = (
        Appointment.objects.filter(supplier=supplier).select_related("lot__framework").prefetch_related("areas")
    )
    return render(
        request,
        "frameworks/provider/home.html",
        {
            "supplier": supplier,
            "applications": applications,
            "appointments": appointments,
            "queues": work_queues.queues_for("provider", request.user),
        },
    )


@permission_required(APPLY)
def opportunities(request):
    applications = {a.window_id: a for a in selectors.applications_for_provider(request.user)}
    windows = [(window, applications.get(window.pk)) for window in selectors.open_windows()]
    return render(request, "frameworks/provider/opportunities.html", {"windows": windows})


@permission_required(APPLY)
@require_POST
def start_application(request, window_pk):
    window = get_object_or_404(ApplicationWindow, pk=window_pk)
    try:
        application = services.start_application(window=window, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("frameworks:opportunities")
    return redirect("frameworks:task_list", application.pk)


def _own_application(request, pk) -> Application:
    return get_object_or_404(selectors.applications_for_provider(request.user), pk=pk)


def _draft_or_redirect(application):
    if application.status != Application.Status.DRAFT:
        return redirect("frameworks:provider_application", application.pk)
    return None


@permission_required(APPLY)
def task_list(request, pk):
    application = _own_application(request, pk)
    if (response := _draft_or_redirect(application)) is not None:
        return response
    return render(
        request,
        "frameworks/provider/task_list.html",
        {
            "application": application,
            "setup": selectors.setup_statuses(application),
            "sections": selectors.sections_with_blockers(application, timezone.localdate()),
            "window_open": application.window.is_open(),
        },
    )


def _application_crumbs(application, label):
    return [
        ("Applications", reverse("frameworks:opportunities")),
        (application.window.framework.title, reverse("frameworks:task_list", args=[application.pk])),
        (label, None),
    ]


@permission_required(APPLY)
def edit_lots(request, pk):
    application = _own_application(request, pk)
    if (response := _draft_or_redirect(application)) is not None:
        return response
    lots = list(application.window.framework.lots.published().order_by("number"))
    areas = list(Area.objects.order_by("name"))
    initial = {c.lot_id: [a.pk for a in c.areas.all()] for c in application.lot_choices.prefetch_related("areas")}
    form = LotsForm(request.POST or None, lots=lots, areas=areas, initial_choices=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_lots(application=application, choices=form.choices(), by=request.user)
            return redirect("frameworks:task_list", application.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "frameworks/provider/lots.html",
        {
            "application": application,
            "form": form,
            "title": "Lots and areas",
            "crumbs": _application_crumbs(application, "Lots and areas"),
        },
    )


@permission_required(APPLY)
def edit_consortium(request, pk):
    application = _own_application(request, pk)
    if (response := _draft_or_redirect(application)) is not None:
        return response
    existing = [
        {"name": m.name, "registration_number": m.registration_number, "role": m.role}
        for m in application.consortium_members.all()
    ]
    blank_rows = [{}] * max(0, 3 - len(existing))
    form = ConsortiumForm(request.POST or None, initial={"is_consortium": as_yes_no(application.is_consortium)})
    formset = ConsortiumMemberFormSet(request.POST or None, initial=existing + blank_rows, prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        members = [f.cleaned_data for f in formset if f.cleaned_data.get("name")]
        try:
            services.save_consortium(
                application=application,
                is_consortium=form.cleaned_data["is_consortium"],
                members=members,
                by=request.user,
            )
            return redirect("frameworks:task_list", application.pk)
        except ValidationError as error:
            add_service_errors(form, error, field="is_consortium")
    return render(
        request,
        "frameworks/provider/consortium.html",
        {
            "application": application,
            "form": form,
            "formset": formset,
            "title": "Consortium",
            "crumbs": _application_crumbs(application, "Consortium"),
        },
    )


@permission_required(APPLY)
def edit_consent(request, pk):
    application = _own_application(request, pk)
    if (response := _draft_or_redirect(application)) is not None:
        return response
    form = ConsentForm(
        request.POST or None,
        initial={
            "share_with_partners": bool(application.consent_share_with_partners),
            "publish": as_yes_no(application.consent_publish),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_consent(
                application=application,
                by=request.user,
                share_with_partners=form.cleaned_data["share_with_partners"],
                publish=form.cleaned_data["publish"],
            )
            return redirect("frameworks:task_list", application.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "frameworks/provider/consent.html",
        {
            "application": application,
            "form": form,
            "title": "Sharing your details",
            "partners": application.window.framework.partner_authorities.order_by("name"),
            "wording": services.consent_wording(application.window.framework),
            "crumbs": _application_crumbs(application, "Sharing your details"),
        },
    )


def _section(application, slug):
    for section in selectors.question_sections(application):
        if section.slug == slug:
            return section
    raise Http404("No such section")


@permission_required(APPLY)
def edit_section(request, pk, slug):
    application = _own_application(request, pk)
    if (response := _draft_or_redirect(application)) is not None:
        return response
    section = _section(application, slug)
    answers = {a.question_id: a for a in application.answers.filter(question__in=section.questions)}
    form = SectionForm(request.POST or None, request.FILES or None, questions=section.questions, answers=answers)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_answers(application=application, texts=form.texts(), uploads=form.uploads(), by=request.user)
            messages.success(request, f"Your answers to ‘{section.title}’ have been saved.")
            return redirect("frameworks:task_list", application.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "frameworks/provider/section.html",
        {
            "application": application,
            "form": form,
            "section": section,
            "title": section.title,
            "answers": answers,
            "crumbs": _application_crumbs(application, section.title),
            "autosave_url": reverse("frameworks:autosave", args=[application.pk, slug]),
        },
    )


@permission_required(APPLY)
@require_POST
def autosave(request, pk, slug):
    """Saves typed text every few seconds so a timed-out session loses at most 30 seconds of typing."""
    application = _own_application(request, pk)
    section = _section(application, slug)
    texts = {q.pk: request.POST[f"q_{q.pk}"] for q in section.questions if f"q_{q.pk}" in request.POST}
    try:
        services.save_answers(application=application, texts=texts, by=request.user, autosave=True)
    except ValidationError as error:
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=409)
    return JsonResponse({"saved": True, "at": time_of_day(timezone.now(), seconds=True)})


@permission_required(APPLY)
def check_answers(request, pk):
    application = _own_application(request, pk)
    if (response := _draft_or_redirect(application)) is not None:
        return response
    errors = []
    if request.method == "POST":
        try:
            services.submit_application(application=application, by=request.user)
            return redirect("frameworks:application_receipt", application.pk)
        except ValidationError as error:
            errors = error.messages
    answers = {a.question_id: a for a in application.answers.all()}
    sections = selectors.question_sections(application, answers)
    return render(
        request,
        "frameworks/provider/check.html",
        {
            "application": application,
            "sections": sections,
            "answers": answers,
            "submit_errors": errors,
            "choices": application.lot_choices.select_related("lot").prefetch_related("areas"),
            "members": application.consortium_members.all(),
            "problems": services.submission_problems(application, timezone.localdate()),
            "window_open": application.window.is_open(),
            "documents": application.supplier.documents.all(),
            "accreditations": application.supplier.accreditations.all(),
        },
        status=422 if errors else 200,
    )


@permission_required(APPLY)
def application_receipt(request, pk):
    application = _own_application(request, pk)
    if not application.submitted_at:
        raise Http404("Not submitted")
    return render(request, "frameworks/provider/receipt.html", {"application": application})


@permission_required(APPLY)
def provider_application(request, pk):
    application = _own_application(request, pk)
    return render(
        request,
        "frameworks/provider/application.html",
        {
            "application": application,
            "choices": application.lot_choices.select_related("lot").prefetch_related("areas"),
            "clarifications": application.clarifications.all(),
        },
    )


@permission_required(APPLY)
def withdraw(request, pk):
    application = _own_application(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(application=application, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "Your application has been withdrawn.")
            return redirect("frameworks:provider_application", application.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": "Withdraw your application",
            "button": "Withdraw application",
            "warning_button": True,
            "intro": "Once withdrawn, this application cannot be evaluated. You can apply again in a later window.",
            "crumbs": _application_crumbs(application, "Withdraw"),
            "cancel_url": reverse("frameworks:provider_application", args=[application.pk]),
        },
    )


@permission_required(APPLY)
def clarification_respond(request, pk, clarification_pk):
    application = _own_application(request, pk)
    clarification = get_object_or_404(Clarification, pk=clarification_pk, application=application)
    form = ClarificationResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_clarification(
                clarification=clarification, response=form.cleaned_data["response"], by=request.user
            )
            messages.success(request, "Your response has been sent.")
            return redirect("frameworks:provider_application", application.pk)
        except ValidationError as error:
            add_service_errors(form, error, field="response")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": "Respond to a clarification request",
            "button": "Send response",
            "intro": clarification.question,
            "crumbs": _application_crumbs(application, "Clarification"),
        },
    )


@permission_required(APPLY)
def provider_answer_file(request, pk, answer_pk):
    application = _own_application(request, pk)
    answer = get_object_or_404(Answer, pk=answer_pk, application=application)
    return attachment_response(answer.upload, answer.upload_name)


# --- Evaluator -----------------------------------------------------------------------------------


@permission_required("commissioning.partner_home", read_only=True)
def partner_home(request):
    now = timezone.now()
    queues = work_queues.queues_for("partner", request.user, now)
    home_queues.record_visit(request.user, now)
    return render(
        request,
        "frameworks/partner_home.html",
        {"authority": request.user.authority, "frameworks": shared_frameworks(request.user), "queues": queues},
    )


@permission_required("frameworks.evaluator_home")
def evaluator_home(request):
    return render(
        request,
        "frameworks/evaluator/home.html",
        {
            "assignments": selectors.assignments_for_evaluator(request.user).order_by(
                F("submitted_at").asc(nulls_first=True), "assigned_at"
            ),
            "queues": work_queues.queues_for("evaluator", request.user),
        },
    )


def _own_assignment(request, pk) -> EvaluationAssignment:
    """The evaluator's own assignment, once they have declared no conflict (404 otherwise)."""
    assignment = get_object_or_404(selectors.assignments_for_evaluator(request.user), pk=pk)
    if assignment.has_conflict is not False:
        raise Http404("Declare first")
    return assignment


@permission_required(EVALUATE)
def evaluator_answer_file(request, pk, answer_pk):
    assignment = _own_assignment(request, pk)
    answer = get_object_or_404(Answer, pk=answer_pk, application=assignment.application)
    return attachment_response(answer.upload, answer.upload_name)


@permission_required(EVALUATE)
def evaluator_accreditation_file(request, pk, accreditation_pk):
    """The evidence of the applicant's accreditation, beside the question that asks for it."""
    assignment = _own_assignment(request, pk)
    return _accreditation_evidence(assignment.application, accreditation_pk)


@permission_required(EVALUATE)
def evaluator_document_file(request, pk, document_pk):
    """A policy, insurance certificate or accounts the applicant holds on the portal."""
    assignment = _own_assignment(request, pk)
    return _supplier_document(assignment.application, document_pk)


def _accreditation_evidence(application: Application, accreditation_pk: int):
    accreditation = get_object_or_404(Accreditation, pk=accreditation_pk, supplier=application.supplier_id)
    return attachment_response(accreditation.evidence)


def _supplier_document(application: Application, document_pk: int):
    document = get_object_or_404(SupplierDocument, pk=document_pk, supplier=application.supplier_id)
    return attachment_response(document.file)


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
    return render(
        request,
        "frameworks/officer/applications.html",
        {"framework": framework, "applications": page.object_list, "page": page, "q": q, "headers": sorting.headers()},
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
        try:
            services.decide_lot(choice=choice, by=request.user, **form.cleaned_data)
            messages.success(request, f"Your decision on {choice.lot} has been recorded.")
            return redirect("frameworks:officer_application", application.pk)
        except ValidationError as error:
            add_service_errors(form, error, field="outcome")
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
        try:
            appointment = services.change_appointment_status(
                appointment=appointment, by=request.user, **form.cleaned_data
            )
            messages.success(request, f"{appointment} is now {appointment.get_status_display().lower()}.")
            return redirect("frameworks:approved_list", appointment.lot.framework_id)
        except ValidationError as error:
            add_service_errors(form, error, field="status")
    return render(
        request,
        "layouts/simple_form.html",
        {
            "form": form,
            "title": f"Change the status of {appointment.supplier}",
            "caption": str(appointment.lot),
            "button": "Save",
            "crumbs": [
                ("Frameworks", reverse("frameworks:officer_frameworks")),
                ("Approved list", reverse("frameworks:approved_list", args=[appointment.lot.framework_id])),
                ("Change status", None),
            ],
            "cancel_url": reverse("frameworks:approved_list", args=[appointment.lot.framework_id]),
        },
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
