"""Applications as a kind of evaluation (see `frameworks.evaluation`): evaluators score the selection
questions of the lots applied for, with the applicant's answers, uploads, accreditations and documents
beside them; officers of the framework's lead authority assign and moderate; an application is evaluated
once every question has its agreed score."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from commissioning.audit import record
from commissioning.dates import long_date
from commissioning.email import send_after_commit
from commissioning.models import User
from commissioning.rules import acts_for_running_authority
from suppliers.models import Accreditation, SupplierDocument

from . import selectors
from .evaluation import EvaluationKind, Evidence, Heading, Item, register
from .lifecycle import APPLICATION
from .models import Application, EvaluationAssignment, ModeratedScore, Score, SelectionQuestion


def expiry(expires_on, today) -> tuple[str, str]:
    """(detail, warning) for something that may expire: 'expires 3 March 2027', or expired."""
    if expires_on is None:
        return "no expiry date", ""
    if expires_on < today:
        return f"expired {long_date(expires_on)}", "Expired"
    return f"expires {long_date(expires_on)}", ""


class ApplicationEvaluation(EvaluationKind):
    name = "application"
    bidder_noun = "applicant"
    target_model = subject_model = Application
    assignment_model = EvaluationAssignment
    score_model = Score
    moderated_model = ModeratedScore
    subject_field = "application"
    criterion_field = "question"
    officers_only = "Only officers of the lead authority may do this."
    assigned_action = "application.evaluators_assigned"
    evaluate_url = "frameworks:evaluate"
    assignments_url = "evaluator_home"
    assignments_label = "Your assignments"

    def runs(self, user, target: Application) -> bool:
        return acts_for_running_authority(user, target.window.framework)

    def authority_id(self, target: Application) -> int:
        return target.window.framework.lead_authority_id

    def lock_target(self, target: Application) -> Application:
        return Application.objects.select_for_update().select_related("window__framework", "supplier").get(pk=target.pk)

    lock_subject = lock_target

    def check_assignable(self, target: Application) -> None:
        APPLICATION.next_status("assign_evaluators", target.status)

    def check_scorable(self, subject: Application) -> None:
        APPLICATION.next_status("score", subject.status)

    def check_moderatable(self, subject: Application) -> None:
        APPLICATION.next_status("moderate", subject.status)

    def criteria(self, subject: Application) -> list[SelectionQuestion]:
        return selectors.questions_for(subject)

    def criterion_title(self, criterion: SelectionQuestion) -> str:
        return Truncator(criterion.text).words(12)

    # --- Afterwards ---------------------------------------------------------------------------------

    def assigned(self, target: Application, created: list[EvaluationAssignment], by) -> None:
        for assignment in created:
            send_after_commit(
                to=[assignment.evaluator.email],
                subject="An application has been assigned to you",
                template="evaluation_assigned",
                context={"assignment": assignment, "url": reverse(self.evaluate_url, args=[assignment.pk])},
            )

    def conflict_declared(self, assignment: EvaluationAssignment, by) -> None:
        application = assignment.application
        officers = User.objects.filter(
            role=User.Role.OFFICER, is_active=True, authority=application.window.framework.lead_authority_id
        )
        send_after_commit(
            to=list(officers.values_list("email", flat=True)),
            subject=f"Conflict of interest declared on {application.supplier}",
            template="conflict_declared",
            context={"assignment": assignment, "url": self.officer_url(application)},
        )

    def moderated(self, subject: Application, by) -> None:
        """Evaluated once every question of every lot applied for has its agreed score."""
        if not all(result.complete for result in selectors.lot_results(subject)):
            return
        after = APPLICATION.next_status("complete_evaluation", subject.status)
        if after != subject.status:
            subject.status = after
            subject.save(update_fields=["status", "updated_at"])
            record("application.evaluated", by=by, obj=subject)

    # --- Pages --------------------------------------------------------------------------------------

    def assignments_for(self, user):
        return selectors.assignments_for_evaluator(user)

    def subjects_for_officer(self, user):
        return selectors.applications_for_officer(user)

    def heading(self, assignment: EvaluationAssignment) -> Heading:
        application = assignment.application
        framework = application.window.framework
        choices = application.lot_choices.select_related("lot").prefetch_related("areas")
        return Heading(
            bidder=application.supplier.legal_name,
            caption=framework.title,
            what=f"the application from {application.supplier.legal_name} to {framework.title}",
            members=list(application.consortium_members.all()),
            facts=[
                (
                    "Lots and areas",
                    "\n".join(f"{c.lot}: {', '.join(a.name for a in c.areas.all())}" for c in choices),
                )
            ],
        )

    def _file_url(self, name: str, subject: Application, assignment, pk: int) -> str:
        if assignment is not None:
            return reverse(f"frameworks:evaluator_{name}_file", args=[assignment.pk, pk])
        return reverse(f"frameworks:officer_{name}_file", args=[subject.pk, pk])

    def items(self, subject: Application, *, assignment=None) -> list[Item]:
        today = timezone.localdate()
        answers = {a.question_id: a for a in subject.answers.all()}
        accreditations = list(Accreditation.objects.filter(supplier=subject.supplier_id))
        items = []
        for question in self.criteria(subject):
            answer = answers.get(question.pk)
            title = self.criterion_title(question)
            scoring = f"scored 0 to {question.max_score}, weight {question.weight}" if question.is_scored else None
            item = Item(
                criterion=question,
                title=title,
                question=question.text if title != question.text else "",
                about=f"{question.lot or 'All lots'}, {question.section}: {scoring or 'pass or fail'}",
                guidance=question.evaluator_guidance,
                scale=question.scale_descriptors,
                answer_heading="The applicant's answer",
                answer=answer.text if answer else "",
            )
            if answer is not None and answer.upload:
                item.answer_files.append(
                    Evidence(
                        label="",
                        url=self._file_url("answer", subject, assignment, answer.pk),
                        link_text=f"Download {answer.upload_name}",
                    )
                )
            elif question.requires_upload:
                item.answer_files.append(Evidence(label="No file was uploaded", warning="Missing"))
            if question.required_accreditation:
                scheme = question.get_required_accreditation_display()
                item.evidence_heading = f"The applicant's {scheme} accreditation"
                item.no_evidence = f"The applicant holds no {scheme} accreditation, or an equivalent, on the portal."
                item.evidence = [
                    self._accreditation(accreditation, subject, assignment, today)
                    for accreditation in accreditations
                    if accreditation.satisfies == question.required_accreditation
                ]
            items.append(item)
        return items

    def _accreditation(self, accreditation: Accreditation, subject, assignment, today) -> Evidence:
        parts = [accreditation.display_name]
        if accreditation.equivalent_to and accreditation.scheme == "equivalent":
            parts.append(f"equivalent to {accreditation.get_equivalent_to_display()}")
        if accreditation.level:
            parts.append(f"level {accreditation.level}")
        if accreditation.reference:
            parts.append(f"reference {accreditation.reference}")
        detail, warning = expiry(accreditation.expires_on, today)
        url = self._file_url("accreditation", subject, assignment, accreditation.pk) if accreditation.evidence else ""
        return Evidence(
            label=", ".join(parts), detail=detail, warning=warning, url=url, link_text="Download the evidence"
        )

    def documents(self, subject: Application, *, assignment=None) -> list[Evidence]:
        today = timezone.localdate()
        evidence = []
        for document in SupplierDocument.objects.filter(supplier=subject.supplier_id):
            detail, warning = expiry(document.expires_on, today) if document.expires_on else ("", "")
            evidence.append(
                Evidence(
                    label=f"{document.get_kind_display()}: {document.title}",
                    detail=detail,
                    warning=warning,
                    url=self._file_url("document", subject, assignment, document.pk),
                    link_text="Download",
                )
            )
        return evidence

    def officer_url(self, subject: Application) -> str:
        return reverse("frameworks:officer_application", args=[subject.pk])

    def officer_crumbs(self, subject: Application) -> list[tuple[str, str | None]]:
        return [
            ("Frameworks", reverse("frameworks:officer_frameworks")),
            ("Applications", reverse("frameworks:officer_applications", args=[subject.window.framework_id])),
            (subject.supplier.legal_name, self.officer_url(subject)),
        ]

    def moderation_caption(self, subject: Application) -> str:
        return f"{subject.supplier.legal_name}, {subject.window.framework.title}"


def register_kind() -> None:
    register(ApplicationEvaluation())
