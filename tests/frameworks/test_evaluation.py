"""The one evaluation mechanism, for each kind it serves: applications, competition responses and direct
awards go through the same services, the same assignment rule, declarations, scoring and moderation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from commissioning.lifecycle import RuleError
from commissioning.models import AuditEvent, User
from contracts.award import services as award_services
from contracts.award.models import Competition, DirectAward, Tender
from frameworks import evaluation
from frameworks.evaluation import ScoresMissing
from frameworks.models import Application
from tests.factories import make_user
from tests.factories.evaluation import KINDS, Case, declared_and_scored, full_scores, moderate_all

pytestmark = pytest.mark.django_db


def test_each_kind_is_found_from_its_objects(case):
    kind = evaluation.kind_named(case.kind)
    assert evaluation.kind_for(case.target) is kind and evaluation.kind_for(case.subject) is kind
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    assert evaluation.kind_for(case.assignment(case.evaluators[0])) is kind
    assert {k.name for k in evaluation.registered()} >= set(KINDS)


def test_the_panel_needs_two_evaluators_free_of_a_conflict_of_interest(case):
    with pytest.raises(RuleError) as refused:
        evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators[:1], by=case.officer)
    assert refused.value.message_dict == {
        "evaluators": ["Assign at least two evaluators who have not declared a conflict of interest"]
    }
    created = evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    assert {a.evaluator for a in created} == set(case.evaluators)
    conflicted = case.assignment(case.evaluators[1])
    evaluation.declare_conflict(
        assignment=conflicted, has_conflict=True, details="I sit on its board", by=case.evaluators[1]
    )
    # The conflicted evaluator no longer counts: one more free evaluator makes two again.
    assert evaluation.assign_evaluators(target=case.target, evaluators=[case.spare], by=case.officer)
    kind = evaluation.kind_for(case.target)
    assert AuditEvent.objects.filter(action=kind.assigned_action, object_id=str(case.target.pk)).count() == 2


def test_evaluators_are_active_evaluators_or_officers_of_the_authority_that_runs_it(case):
    outsider = make_user(User.Role.EVALUATOR)  # of another authority
    inactive = make_user(User.Role.EVALUATOR, authority=case.officer.authority, is_active=False)
    provider = make_user(User.Role.PROVIDER)
    for refused in (outsider, inactive, provider):
        with pytest.raises(RuleError) as error:
            evaluation.assign_evaluators(target=case.target, evaluators=[*case.evaluators, refused], by=case.officer)
        assert "cannot evaluate this" in error.value.message_dict["evaluators"][0]
    offered = set(evaluation.assignable_evaluators(case.target))
    assert {*case.evaluators, case.spare, case.officer, case.second_officer} <= offered
    assert not offered & {outsider, inactive, provider}
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    assert not set(evaluation.assignable_evaluators(case.target)) & set(case.evaluators)


def test_only_officers_of_the_authority_that_runs_it_assign_and_moderate(case):
    stranger = make_user(User.Role.OFFICER)
    with pytest.raises(PermissionDenied):
        evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=stranger)
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    declared_and_scored(case)
    with pytest.raises(PermissionDenied):
        evaluation.moderate(
            subject=case.subject, criterion=case.criteria[0], score=3, passed=True, reason="x", by=stranger
        )
    with pytest.raises(PermissionDenied):
        evaluation.moderate(
            subject=case.subject, criterion=case.criteria[0], score=3, passed=True, reason="x", by=case.evaluators[0]
        )


def test_the_declaration_comes_first_and_a_conflict_stops_everything(case, django_capture_on_commit_callbacks):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    first, second = (case.assignment(e) for e in case.evaluators)
    with pytest.raises(RuleError, match="Declare that you have no conflict"):
        evaluation.save_scores(assignment=first, scores={}, submit=False, by=case.evaluators[0])
    with pytest.raises(PermissionDenied):
        evaluation.declare_conflict(assignment=first, has_conflict=False, details="", by=case.evaluators[1])
    with pytest.raises(RuleError) as error:
        evaluation.declare_conflict(assignment=first, has_conflict=True, details=" ", by=case.evaluators[0])
    assert error.value.message_dict == {"details": ["Describe the conflict of interest"]}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation.declare_conflict(
            assignment=first, has_conflict=True, details="Former trustee", by=case.evaluators[0]
        )
    assert mail.outbox and "Conflict of interest declared" in mail.outbox[0].subject
    with pytest.raises(RuleError, match="Declare that you have no conflict"):
        evaluation.save_scores(assignment=first, scores={}, submit=False, by=case.evaluators[0])
    with pytest.raises(RuleError, match="already made your declaration"):
        evaluation.declare_conflict(assignment=first, has_conflict=False, details="", by=case.evaluators[0])
    evaluation.declare_conflict(assignment=second, has_conflict=False, details="ignored", by=case.evaluators[1])
    second.refresh_from_db()
    assert second.has_conflict is False and second.conflict_details == ""
    assert AuditEvent.objects.filter(action="evaluation.conflict_declared").count() == 2


def test_scores_are_checked_kept_as_a_draft_and_final_once_submitted(case):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    first, second = (case.assignment(e) for e in case.evaluators)
    for assignment, evaluator in ((first, case.evaluators[0]), (second, case.evaluators[1])):
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=evaluator)
    scored = next(c for c in case.criteria if c.is_scored)
    with pytest.raises(RuleError, match=f"0 to {scored.max_score}"):
        evaluation.save_scores(
            assignment=first, scores={scored.pk: {"score": scored.max_score + 1}}, submit=False, by=case.evaluators[0]
        )
    with pytest.raises(PermissionDenied):
        evaluation.save_scores(assignment=first, scores={}, submit=False, by=case.evaluators[1])
    partial = full_scores(case.criteria)
    partial[scored.pk] = {"score": 2, "comment": ""}
    with pytest.raises(ScoresMissing) as missing:
        evaluation.save_scores(assignment=first, scores=partial, submit=True, by=case.evaluators[0])
    assert missing.value.messages == ["Give a score and a comment for every question (1 left)"]
    (left,) = missing.value.missing
    assert left.criterion == scored and left.number == case.criteria.index(scored) + 1
    assert (left.needs_score, left.needs_comment) == (False, True)
    first.refresh_from_db()
    assert first.submitted_at is None and first.scores.get(**{first_field(case): scored}).score == 2  # the draft
    evaluation.save_scores(assignment=second, scores=full_scores(case.criteria), submit=True, by=case.evaluators[1])
    assert evaluation.visible_scores(first) == []  # not before their own are in
    evaluation.save_scores(assignment=first, scores=full_scores(case.criteria), submit=True, by=case.evaluators[0])
    first.refresh_from_db()
    assert {s.assignment_id for s in evaluation.visible_scores(first)} == {second.pk}
    with pytest.raises(RuleError, match="can no longer be changed"):
        evaluation.save_scores(assignment=first, scores=full_scores(case.criteria, 1), submit=False, by=first.evaluator)
    assert AuditEvent.objects.filter(action="evaluation.scores_submitted").count() == 2


def first_field(case: Case) -> str:
    return evaluation.kind_for(case.subject).criterion_field


def test_moderation_waits_for_the_panel_keeps_every_score_and_completes_the_evaluation(case):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    criterion = case.criteria[0]
    agreed = {"score": 3 if criterion.is_scored else None, "passed": None if criterion.is_scored else True}
    with pytest.raises(RuleError, match="Moderate once at least two evaluators"):
        evaluation.moderate(subject=case.subject, criterion=criterion, reason="x", by=case.officer, **agreed)
    declared_and_scored(case, case.evaluators[:1])
    with pytest.raises(RuleError, match="Moderate once at least two evaluators"):
        evaluation.moderate(subject=case.subject, criterion=criterion, reason="x", by=case.officer, **agreed)
    declared_and_scored(case, case.evaluators[1:])
    with pytest.raises(RuleError) as error:
        evaluation.moderate(subject=case.subject, criterion=criterion, reason=" ", by=case.officer, **agreed)
    assert error.value.message_dict == {"reason": ["Give the reason for the agreed score"]}
    moderate_all(case)
    kind = evaluation.kind_for(case.subject)
    assert kind.score_model.objects.filter(**{f"assignment__{kind.subject_field}": case.subject}).count() == 2 * len(
        case.criteria
    )
    assert kind.moderated_model.objects.filter(**{kind.subject_field: case.subject}).count() == len(case.criteria)
    subject = case.refreshed()
    if case.kind == "application":
        assert subject.status == Application.Status.EVALUATED
    elif case.kind == "tender":
        assert subject.status == Tender.Status.SCORED
        assert Competition.objects.get(pk=case.target.pk).status == Competition.Status.EVALUATED
    else:
        award_services.approve_direct_award(direct_award=subject, by=case.second_officer)
        assert DirectAward.objects.get(pk=subject.pk).status == DirectAward.Status.APPROVED
    assert AuditEvent.objects.filter(action="evaluation.moderated", object_id=str(case.subject.pk)).count() == len(
        case.criteria
    )
