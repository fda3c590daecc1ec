"""The one declare-and-score page and the one moderation page, for every kind of evaluation: who may use
them, the evidence beside each question, and an error that names each question left."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import User
from frameworks import evaluation, services
from frameworks.models import SelectionQuestion
from suppliers import services as supplier_services
from suppliers.models import Accreditation
from tests.factories import make_user
from tests.factories.evaluation import KINDS, application_case, award_case, declared_and_scored, full_scores
from tests.factories.frameworks import make_question
from tests.frameworks.conftest import PDF_BYTES, complete_application

pytestmark = pytest.mark.django_db

EVALUATE_URL = {"application": "frameworks:evaluate", "tender": "awards:evaluate_tender"}
EVALUATE_URL["direct_award"] = "awards:evaluate_direct_award"


def evaluate_url(case, evaluator=None) -> str:
    return reverse(EVALUATE_URL[case.kind], args=[case.assignment(evaluator or case.evaluators[0]).pk])


def moderate_url(case) -> str:
    criterion = case.criteria[0]
    if case.kind == "application":
        return reverse("frameworks:moderate", args=[case.subject.pk, criterion.pk])
    if case.kind == "tender":
        return reverse("awards:moderate_tender", args=[case.subject.pk, criterion.pk])
    return reverse("awards:moderate_direct_award", args=[case.subject.pk])


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def downloads(client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_every_kind_is_declared_and_scored_on_the_same_page(client, case):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    client.force_login(case.evaluators[0])
    url = evaluate_url(case)
    page = client.get(url)
    assert [t.name for t in page.templates][0] == "evaluation/declare.html"
    assert "Declare any conflict of interest" in page.content.decode()
    assert client.post(url, {"has_conflict": "no"}).status_code == 302
    page = client.get(url)
    assert [t.name for t in page.templates][0] == "evaluation/score.html"
    html = page.content.decode()
    for number, criterion in enumerate(case.criteria, start=1):
        assert f'id="question-{number}"' in html
        name = f"score_{criterion.pk}" if criterion.is_scored else f"passed_{criterion.pk}"
        assert f'id="id_{name}_1" name="{name}" type="radio"' in html  # radios, whatever the kind
    response = client.post(url, {"submit": "1", **scores_as_post(case.criteria)})
    assert response.status_code == 302
    assert case.assignment(case.evaluators[0]).submitted_at is not None


def scores_as_post(criteria) -> dict[str, str]:
    data = {}
    for criterion, given in zip(criteria, full_scores(criteria).values(), strict=True):
        if criterion.is_scored:
            data[f"score_{criterion.pk}"] = str(given["score"])
        else:
            data[f"passed_{criterion.pk}"] = "pass"
        data[f"comment_{criterion.pk}"] = given["comment"]
    return data


def test_other_evaluators_providers_and_partners_are_refused(client, case):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    url = evaluate_url(case)
    for evaluator in (case.evaluators[1], case.spare, make_user(User.Role.EVALUATOR)):
        client.force_login(evaluator)
        assert client.get(url).status_code == 404
        assert client.post(url, {"has_conflict": "no"}).status_code == 404
    for role in (User.Role.PROVIDER, User.Role.PARTNER):
        client.force_login(make_user(role))
        assert client.get(url).status_code == 403
    client.force_login(case.supplier_user)
    assert client.get(url).status_code == 403
    assert case.assignment(case.evaluators[0]).has_conflict is None


def test_submitting_with_questions_left_names_each_one_and_links_to_it(client, case):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    assignment = case.assignment(case.evaluators[0])
    evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=case.evaluators[0])
    client.force_login(case.evaluators[0])
    data = scores_as_post(case.criteria)
    first = case.criteria[0]
    first_score = f"score_{first.pk}" if first.is_scored else f"passed_{first.pk}"
    del data[first_score], data[f"comment_{first.pk}"]
    response = client.post(evaluate_url(case), {"submit": "1", **data})
    html = response.content.decode()
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    links = re.findall(r'<a href="(#[^"]+)">([^<]+)</a>', summary)
    title = evaluation.kind_for(case.subject).criterion_title(first)
    assert links == [
        (f"#id_{first_score}_1", "Give a score and a comment for every question (1 left)"),
        (f"#id_{first_score}_1", f"Give a score for question 1, ‘{title}’"),
        (f"#id_comment_{first.pk}", f"Comment on your score for question 1, ‘{title}’"),
    ]
    # The fields are marked in error where the links lead, and what was typed for the rest is kept.
    assert f'id="id_{first_score}_1"' in html and f'id="id_comment_{first.pk}-error"' in html
    assert html.count("govuk-form-group--error") == 2
    assert assignment.scores.filter(comment="Clear evidence.").count() == len(case.criteria) - 1


def test_the_officer_moderates_every_kind_on_the_same_page(client, case):
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    declared_and_scored(case)
    url = moderate_url(case)
    for refused, status in ((make_user(User.Role.OFFICER), 404), (case.evaluators[0], 403)):
        client.force_login(refused)
        assert client.get(url).status_code == status
    client.force_login(case.officer)
    page = client.get(url)
    assert [t.name for t in page.templates][0] == "evaluation/moderate.html"
    html = page.content.decode()
    assert all(e.full_name in html for e in case.evaluators)
    agreed = {"score": "3"} if case.criteria[0].is_scored else {"passed": "pass"}
    assert "Give the reason for the agreed score" in client.post(url, {**agreed, "reason": ""}).content.decode()
    assert client.post(url, {**agreed, "reason": "Both gave 3."}).status_code == 302
    kind = evaluation.kind_for(case.subject)
    assert kind.moderated_model.objects.get(**{kind.subject_field: case.subject}).reason == "Both gave 3."


@pytest.fixture
def evidenced(selection):
    """An application whose applicant holds a current SafeLives accreditation with its certificate, an expired
    equivalent, and a safeguarding policy on the portal."""
    supplier, provider = selection.supplier, selection.provider
    Accreditation.objects.filter(supplier=supplier).delete()
    current = supplier_services.add_accreditation(
        supplier=supplier,
        by=provider,
        evidence=pdf("safelives-certificate.pdf"),
        scheme="safelives",
        level="Leading Lights",
        reference="SL-2231",
        expires_on=date(2030, 1, 31),
    )
    expired = supplier_services.add_accreditation(
        supplier=supplier,
        by=provider,
        scheme="equivalent",
        equivalent_to="safelives",
        equivalent_name="Regional quality mark",
        expires_on=date(2020, 3, 1),
    )
    policy = supplier_services.add_document(
        supplier=supplier, by=provider, file=pdf("policy.pdf"), kind="safeguarding", title="Safeguarding policy"
    )
    case = application_case(selection)
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    return case, current, expired, policy


def test_the_evaluator_sees_the_accreditations_and_documents_beside_the_questions(client, selection, evidenced):
    case, current, expired, policy = evidenced
    assignment = case.assignment(case.evaluators[0])
    evidence = reverse("frameworks:evaluator_accreditation_file", args=[assignment.pk, current.pk])
    document = reverse("frameworks:evaluator_document_file", args=[assignment.pk, policy.pk])
    client.force_login(case.evaluators[0])
    page = client.get(evaluate_url(case)).content.decode()
    assert "SL-2231" not in page and not downloads(client, evidence) and not downloads(client, document)
    client.post(evaluate_url(case), {"has_conflict": "no"})
    page = unescape(client.get(evaluate_url(case)).content.decode())
    number = 1 + [q.pk for q in case.criteria].index(selection.quality.pk)
    question = page[page.index(f'<section class="govuk-!-margin-bottom-8" id="question-{number}"') :]
    question = question[: question.index("</section>")]
    assert "The applicant's SafeLives Leading Lights accreditation" in question
    assert "SafeLives Leading Lights, level Leading Lights, reference SL-2231, expires 31 January 2030" in question
    assert "Regional quality mark, equivalent to SafeLives Leading Lights, expired 1 March 2020" in question
    assert "Expired" in question and f'href="{evidence}"' in question
    assert f'href="{document}"' in page and "Safeguarding policy" in page
    assert downloads(client, evidence) and downloads(client, document)
    answer = case.subject.answers.get(question=selection.policy)
    assert downloads(client, reverse("frameworks:evaluator_answer_file", args=[assignment.pk, answer.pk]))
    # Another evaluator of the same application, who has not declared, cannot follow the links.
    client.force_login(case.evaluators[1])
    assert not downloads(client, evidence) and not downloads(client, document)


def test_an_applicant_without_the_accreditation_is_shown_as_holding_none(client, selection):
    Accreditation.objects.filter(supplier=selection.supplier).delete()
    case = application_case_without_submitting(selection)
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    evaluation.declare_conflict(
        assignment=case.assignment(case.evaluators[0]), has_conflict=False, details="", by=case.evaluators[0]
    )
    client.force_login(case.evaluators[0])
    page = client.get(evaluate_url(case)).content.decode()
    assert "The applicant holds no SafeLives Leading Lights accreditation, or an equivalent, on the portal." in page


def application_case_without_submitting(selection):
    """Submitting needs the accreditation; the case of an applicant that has since lost it."""
    accreditation = Accreditation.objects.create(supplier=selection.supplier, scheme="safelives")
    case = application_case(selection)
    accreditation.delete()
    return case


def test_the_officer_follows_the_same_evidence_from_the_moderation_page(client, selection, evidenced):
    case, current, _, policy = evidenced
    declared_and_scored(case)
    client.force_login(case.officer)
    url = reverse("frameworks:moderate", args=[case.subject.pk, selection.quality.pk])
    page = client.get(url).content.decode()
    evidence = reverse("frameworks:officer_accreditation_file", args=[case.subject.pk, current.pk])
    assert f'href="{evidence}"' in page and downloads(client, evidence)
    assert downloads(client, reverse("frameworks:officer_document_file", args=[case.subject.pk, policy.pk]))
    client.force_login(make_user(User.Role.OFFICER))
    assert client.get(evidence).status_code == 404


def test_a_response_shows_its_documents(client):
    tender = award_case("tender", requires_budget_template=True)
    evaluation.assign_evaluators(target=tender.target, evaluators=tender.evaluators, by=tender.officer)
    client.force_login(tender.evaluators[0])
    client.post(evaluate_url(tender), {"has_conflict": "no"})
    page = client.get(evaluate_url(tender)).content.decode()
    document = tender.subject.documents.get()
    link = reverse("awards:evaluator_tender_file", args=[tender.assignment(tender.evaluators[0]).pk, document.pk])
    assert f'href="{link}"' in page and downloads(client, link)
    assert "Our answer to Service delivery" in page


def test_a_direct_award_shows_its_social_value_proposal_and_commitments(client):
    direct = award_case("direct_award")
    evaluation.assign_evaluators(target=direct.target, evaluators=direct.evaluators, by=direct.officer)
    client.force_login(direct.evaluators[0])
    client.post(evaluate_url(direct), {"has_conflict": "no"})
    page = client.get(evaluate_url(direct)).content.decode()
    assert "The Social Value Proposal" in page and "Local volunteers." in page and "Volunteers" in page


@pytest.mark.parametrize("kind", KINDS)
def test_a_declared_conflict_shows_nothing_more(client, selection, kind):
    case = application_case(selection) if kind == "application" else award_case(kind)
    evaluation.assign_evaluators(target=case.target, evaluators=case.evaluators, by=case.officer)
    client.force_login(case.evaluators[0])
    assert "Describe the conflict" in client.post(evaluate_url(case), {"has_conflict": "yes"}).content.decode()
    client.post(evaluate_url(case), {"has_conflict": "yes", "details": "My sister runs it"})
    page = client.get(evaluate_url(case))
    assert [t.name for t in page.templates][0] == "evaluation/conflicted.html"
    assert "My sister runs it" in page.content.decode()
    assert client.post(evaluate_url(case), {"submit": "1"}).status_code == 200
    assert not case.assignment(case.evaluators[0]).scores.exists()


def test_the_scoring_page_reads_the_same_number_of_queries_however_many_questions(client, selection):
    def queries_for(extra_questions: int) -> int:
        for n in range(extra_questions):
            make_question(selection.framework, section="More", weight=1, text=f"Extra question {n}?")
        provider = make_user(User.Role.PROVIDER)
        supplier_services.add_accreditation(
            supplier=provider.supplier_membership.supplier, by=provider, scheme="safelives"
        )
        application = complete_application(selection, supplier_user=provider)
        services.submit_application(application=application, by=provider)
        evaluation.assign_evaluators(target=application, evaluators=selection.evaluators, by=selection.officer)
        assignment = application.assignments.get(evaluator=selection.evaluators[0])
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        client.force_login(assignment.evaluator)
        url = reverse("frameworks:evaluate", args=[assignment.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries_for(0)
    assert queries_for(6) == few
    assert SelectionQuestion.objects.filter(framework=selection.framework).count() == 10
