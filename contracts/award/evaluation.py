"""Competition responses and direct awards as kinds of the one evaluation mechanism (`frameworks.evaluation`):
officers of the buying authority assign evaluators and moderate; evaluators score each response's quality
and social value criteria (price is scored by the stated formula), or a direct award's Social Value
Proposal, with the answers, commitments and documents beside them."""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.urls import reverse

from commissioning.rules import acts_for_running_authority
from commissioning.templatetags.portal import long_date_filter
from frameworks.evaluation import EvaluationKind, Evidence, Heading, Item, Table, register

from . import selectors
from .lifecycles import COMPETITION, DIRECT_AWARD, TENDER
from .models import (
    Award,
    AwardCriterion,
    Competition,
    DirectAward,
    DirectAwardAssignment,
    DirectAwardModeratedScore,
    DirectAwardScore,
    Tender,
    TenderAssignment,
    TenderModeratedScore,
    TenderScore,
)
from .services.common import AwardRuleError, lock_competition, notify
from .services.evaluation import refresh_evaluation
from .services.tenders import lock_tender
from .views.common import officer_crumbs


def commitments_table(commitments) -> Table:
    return Table(
        caption="Social value commitments",
        headers=("Theme", "Measure", "Target", "Due"),
        rows=tuple(
            (c.get_theme_display(), c.measure, f"{floatformat(c.target, -2)} {c.unit}", long_date_filter(c.due_on))
            for c in commitments
        ),
    )


def criterion_item(criterion: AwardCriterion, *, answer: str, social_value: str, commitments: list) -> Item:
    return Item(
        criterion=criterion,
        title=criterion.title,
        question=criterion.question,
        about=f"{criterion.get_kind_display()}: weight {criterion.weight}%, scored 0 to {criterion.max_score}",
        guidance=criterion.guidance,
        answer_heading="The Social Value Proposal" if criterion.is_social_value else "The bidder's answer",
        answer=social_value if criterion.is_social_value else answer,
        table=commitments_table(commitments) if criterion.is_social_value else None,
    )


class AwardEvaluation(EvaluationKind):
    """What responses and direct awards share: the buying authority runs them, award criteria are scored."""

    criterion_field = "criterion"
    officers_only = "Only officers of the buying authority may do this."
    assignments_url = "awards:evaluator_assignments"
    assignments_label = "Award evaluations"

    def runs(self, user, target) -> bool:
        return acts_for_running_authority(user, target)

    def authority_id(self, target) -> int:
        return target.buying_authority_id

    def criterion_title(self, criterion: AwardCriterion) -> str:
        return criterion.title

    def assigned_message(self, target) -> tuple[str, str]:
        raise NotImplementedError

    def assigned(self, target, created: list, by) -> None:
        subject, message = self.assigned_message(target)
        notify(
            to={assignment.evaluator.email for assignment in created},
            subject=subject,
            message=message,
            url=reverse(self.assignments_url),
        )


class TenderEvaluation(AwardEvaluation):
    name = "tender"
    bidder_noun = "bidder"
    target_model = Competition
    subject_model = Tender
    assignment_model = TenderAssignment
    score_model = TenderScore
    moderated_model = TenderModeratedScore
    subject_field = "tender"
    assigned_action = "competition.evaluators_assigned"
    evaluate_url = "awards:evaluate_tender"

    def lock_target(self, target: Competition) -> Competition:
        return lock_competition(target)

    def lock_subject(self, subject: Tender) -> Tender:
        return lock_tender(subject)

    def target_of(self, subject: Tender) -> Competition:
        return subject.competition

    def check_assignable(self, target: Competition) -> None:
        COMPETITION.next_status("assign_evaluators", target.status)
        if not Tender.objects.filter(competition=target, status=Tender.Status.OPENED).exists():
            raise AwardRuleError("There are no opened responses to evaluate.")

    def assignment_subjects(self, target: Competition) -> list[Tender]:
        return list(Tender.objects.filter(competition=target, status=Tender.Status.OPENED))

    def assignments_of(self, target: Competition):
        return TenderAssignment.objects.filter(tender__competition=target)

    def check_scorable(self, subject: Tender) -> None:
        TENDER.next_status("score", subject.status)

    def check_moderatable(self, subject: Tender) -> None:
        TENDER.next_status("moderate", subject.status)
        if Award.objects.filter(lot=subject.lot_id).exists():
            raise AwardRuleError("This lot has been awarded: its scores can no longer be moderated.")

    def criteria(self, subject: Tender) -> list[AwardCriterion]:
        return selectors.scored_criteria(subject.competition)

    def assigned_message(self, target: Competition) -> tuple[str, str]:
        return (
            f"Responses to evaluate: {target.reference}",
            f"You have been asked to evaluate the responses to {target.title}. Declare any conflict of interest "
            "with each bidder before you see its response.",
        )

    def conflict_declared(self, assignment: TenderAssignment, by) -> None:
        competition = assignment.tender.competition
        notify(
            to=[competition.owner.email],
            subject=f"Conflict of interest declared on {competition.reference}",
            message=f"{by.full_name} has declared a conflict of interest with a bidder in {competition.title} and "
            "will not score that response. Assign another evaluator if needed.",
            url=reverse("awards:officer_competition", args=[competition.pk]),
        )

    def moderated(self, subject: Tender, by) -> None:
        refresh_evaluation(subject.competition, by=by)

    def assignments_for(self, user):
        return selectors.tender_assignments_for_evaluator(user)

    def subjects_for_officer(self, user):
        return selectors.opened_tenders_for_officer(user)

    def heading(self, assignment: TenderAssignment) -> Heading:
        tender = assignment.tender
        competition = tender.competition
        return Heading(
            bidder=tender.supplier.legal_name,
            caption=f"{competition.reference}, {tender.lot}",
            what=f"the response from {tender.supplier.legal_name} to {competition.reference}, {tender.lot}",
            members=list(tender.consortium_members.all()),
            facts=[("Competition", f"{competition.reference}: {competition.title}"), ("Lot", str(tender.lot))],
        )

    def items(self, subject: Tender, *, assignment=None) -> list[Item]:
        answers = {a.criterion_id: a.text for a in subject.answers.all()}
        commitments = list(subject.commitments.all())
        return [
            criterion_item(
                criterion,
                answer=answers.get(criterion.pk, ""),
                social_value=subject.social_value_summary,
                commitments=commitments,
            )
            for criterion in self.criteria(subject)
        ]

    def documents(self, subject: Tender, *, assignment=None) -> list[Evidence]:
        return [
            Evidence(
                label=document.get_kind_display(),
                url=reverse("awards:evaluator_tender_file", args=[assignment.pk, document.pk])
                if assignment is not None
                else reverse("awards:officer_tender_file", args=[subject.pk, document.pk]),
                link_text=document.name,
            )
            for document in subject.documents.filter(replaced_at__isnull=True)
        ]

    def officer_url(self, subject: Tender) -> str:
        return reverse("awards:officer_tender", args=[subject.pk])

    def officer_crumbs(self, subject: Tender) -> list[tuple[str, str | None]]:
        competition = subject.competition
        return officer_crumbs(
            (competition.reference, reverse("awards:officer_competition", args=[competition.pk])),
            (subject.supplier.legal_name, self.officer_url(subject)),
        )

    def moderation_caption(self, subject: Tender) -> str:
        return f"{subject.supplier.legal_name}, {subject.lot}"


class DirectAwardEvaluation(AwardEvaluation):
    name = "direct_award"
    bidder_noun = "supplier"
    target_model = subject_model = DirectAward
    assignment_model = DirectAwardAssignment
    score_model = DirectAwardScore
    moderated_model = DirectAwardModeratedScore
    subject_field = "direct_award"
    assigned_action = "direct_award.evaluators_assigned"
    evaluate_url = "awards:evaluate_direct_award"

    def check_assignable(self, target: DirectAward) -> None:
        DIRECT_AWARD.next_status("evaluate", target.status)
        if not target.criteria.exists():
            raise AwardRuleError("This direct award has no Social Value Proposal to score.")

    def check_scorable(self, subject: DirectAward) -> None:
        DIRECT_AWARD.next_status("evaluate", subject.status)

    check_moderatable = check_scorable

    def criteria(self, subject: DirectAward) -> list[AwardCriterion]:
        return list(subject.criteria.all())

    def assigned_message(self, target: DirectAward) -> tuple[str, str]:
        return (
            f"A Social Value Proposal to evaluate: {target.reference}",
            f"You have been asked to score the Social Value Proposal of the direct award {target.title}. "
            "Declare any conflict of interest with the supplier first.",
        )

    def conflict_declared(self, assignment: DirectAwardAssignment, by) -> None:
        direct_award = assignment.direct_award
        notify(
            to=[direct_award.requested_by.email],
            subject=f"Conflict of interest declared on {direct_award.reference}",
            message=f"{by.full_name} has declared a conflict of interest with {direct_award.supplier} and will not "
            "score its Social Value Proposal. Assign another evaluator if needed.",
            url=self.officer_url(direct_award),
        )

    def assignments_for(self, user):
        return selectors.direct_award_assignments_for_evaluator(user)

    def subjects_for_officer(self, user):
        return selectors.direct_awards_for_officer(user)

    def heading(self, assignment: DirectAwardAssignment) -> Heading:
        direct_award = assignment.direct_award
        return Heading(
            bidder=direct_award.supplier.legal_name,
            caption=f"Direct award {direct_award.reference}: {direct_award.title}",
            what=f"the Social Value Proposal of the direct award {direct_award.reference} to "
            f"{direct_award.supplier.legal_name}",
            facts=[
                ("Direct award", f"{direct_award.reference}: {direct_award.title}"),
                ("Justification", direct_award.get_justification_display()),
            ],
        )

    def items(self, subject: DirectAward, *, assignment=None) -> list[Item]:
        commitments = list(subject.commitments.all())
        return [
            criterion_item(criterion, answer="", social_value=subject.social_value_summary, commitments=commitments)
            for criterion in self.criteria(subject)
        ]

    def officer_url(self, subject: DirectAward) -> str:
        return reverse("awards:officer_direct_award", args=[subject.pk])

    def officer_crumbs(self, subject: DirectAward) -> list[tuple[str, str | None]]:
        return officer_crumbs((subject.reference, self.officer_url(subject)))

    def moderation_caption(self, subject: DirectAward) -> str:
        return f"Direct award {subject.reference} to {subject.supplier.legal_name}"


def register_kinds() -> None:
    register(TenderEvaluation())
    register(DirectAwardEvaluation())
