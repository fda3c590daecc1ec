"""The provider's pages: opportunities, the application (lots, consortium, sharing, sections, check
and submit), its status, withdrawal and clarifications."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning import work_queues
from commissioning.access import permission_required
from commissioning.files import attachment_response
from commissioning.forms import refusals_of_post, service_refusals_on
from commissioning.models import Area
from commissioning.views.form_pages import simple_form_page
from commissioning.views.service_forms import service_form_page
from commissioning.wording import time_of_day

from .. import selectors, services
from ..forms import (
    ClarificationResponseForm,
    ConsentForm,
    ConsortiumForm,
    ConsortiumMemberFormSet,
    LotsForm,
    SectionForm,
    WithdrawForm,
    as_yes_no,
)
from ..models import (
    Answer,
    Application,
    ApplicationWindow,
    Appointment,
    Clarification,
)
from .common import APPLY

# --- Provider ------------------------------------------------------------------------------------


@permission_required(APPLY)
def provider_home(request):
    supplier = request.user.supplier_membership.supplier
    # Only what the two tables show: not each application's consents and declarations.
    applications = (
        selectors.applications_for_provider(request.user)
        .select_related(None)
        .select_related("window__framework")
        .only("status", "window__title", "window__framework__title")
    )
    appointments = (
        Appointment.objects.filter(supplier=supplier)
        .select_related("lot__framework")
        .only("starts_on", "status", "lot__number", "lot__title", "lot__framework__reference")
        .prefetch_related("areas")
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


def _application_page(request, template: str, application, title: str, **context):
    """A page of the provider's draft application: its title, also the last breadcrumb after the task list."""
    return render(
        request,
        template,
        {"application": application, "title": title, "crumbs": _application_crumbs(application, title), **context},
    )


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
        with service_refusals_on(form):
            services.save_lots(application=application, choices=form.choices(), by=request.user)
            return redirect("frameworks:task_list", application.pk)
    return _application_page(request, "frameworks/provider/lots.html", application, "Lots and areas", form=form)


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
        with service_refusals_on(form, field="is_consortium"):
            services.save_consortium(
                application=application,
                is_consortium=form.cleaned_data["is_consortium"],
                members=members,
                by=request.user,
            )
            return redirect("frameworks:task_list", application.pk)
    return _application_page(
        request, "frameworks/provider/consortium.html", application, "Consortium", form=form, formset=formset
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
        with service_refusals_on(form):
            services.save_consent(
                application=application,
                by=request.user,
                share_with_partners=form.cleaned_data["share_with_partners"],
                publish=form.cleaned_data["publish"],
            )
            return redirect("frameworks:task_list", application.pk)
    return _application_page(
        request,
        "frameworks/provider/consent.html",
        application,
        "Sharing your details",
        form=form,
        partners=application.window.framework.partner_authorities.order_by("name"),
        wording=services.consent_wording(application.window.framework),
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
        with service_refusals_on(form):
            services.save_answers(application=application, texts=form.texts(), uploads=form.uploads(), by=request.user)
            messages.success(request, f"Your answers to ‘{section.title}’ have been saved.")
            return redirect("frameworks:task_list", application.pk)
    return _application_page(
        request,
        "frameworks/provider/section.html",
        application,
        section.title,
        form=form,
        section=section,
        answers=answers,
        autosave_url=reverse("frameworks:autosave", args=[application.pk, slug]),
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
    errors = refusals_of_post(request, lambda: services.submit_application(application=application, by=request.user))
    if request.method == "POST" and not errors:
        return redirect("frameworks:application_receipt", application.pk)
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

    def withdraw_it(data: dict) -> str:
        services.withdraw_application(application=application, by=request.user, reason=data["reason"])
        return "Your application has been withdrawn."

    return service_form_page(
        request,
        form,
        withdraw_it,
        back=reverse("frameworks:provider_application", args=[application.pk]),
        title="Withdraw your application",
        button="Withdraw application",
        warning=True,
        intro="Once withdrawn, this application cannot be evaluated. You can apply again in a later window.",
        crumbs=_application_crumbs(application, "Withdraw"),
    )


@permission_required(APPLY)
def clarification_respond(request, pk, clarification_pk):
    application = _own_application(request, pk)
    clarification = get_object_or_404(Clarification, pk=clarification_pk, application=application)
    form = ClarificationResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_refusals_on(form, field="response"):
            services.respond_to_clarification(
                clarification=clarification, response=form.cleaned_data["response"], by=request.user
            )
            messages.success(request, "Your response has been sent.")
            return redirect("frameworks:provider_application", application.pk)
    return simple_form_page(
        request,
        form,
        title="Respond to a clarification request",
        button="Send response",
        intro=clarification.question,
        crumbs=_application_crumbs(application, "Clarification"),
    )


@permission_required(APPLY)
def provider_answer_file(request, pk, answer_pk):
    application = _own_application(request, pk)
    answer = get_object_or_404(Answer, pk=answer_pk, application=application)
    return attachment_response(answer.upload, answer.upload_name)
