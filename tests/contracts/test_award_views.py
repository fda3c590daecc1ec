"""Every award-stage page with an allowed and a refused user, provider isolation (404 on GET and POST),
read-only partners, forms shown again with their errors and what was typed, the public opportunities
page, and the competitions list's query count."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from commissioning.models import User
from contracts.award import services
from contracts.award.models import Competition, Tender
from frameworks import evaluation
from tests.factories import make_user
from tests.factories.awards import (
    PDF_BYTES,
    complete_tender,
    evaluate_all,
    make_award_setup,
    make_competition,
    make_published_mini,
    make_seed_002_eoi,
    open_competition,
    pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    setup = make_award_setup()
    officer = setup.officer
    draft = make_competition(by=officer, framework_lot=setup.lot, areas=setup.areas, title="Draft competition")
    eoi = make_seed_002_eoi(by=officer, publish=False)
    live = make_competition(
        by=officer,
        framework_lot=setup.lot,
        areas=setup.areas,
        title="Open competition",
        specification=SimpleUploadedFile("specification.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    live = services.publish_competition(competition=live, by=officer)
    draft_tender = complete_tender(live, setup.providers[0], submit=False)
    submitted = complete_tender(live, setup.providers[1], submit=False)
    services.save_tender(tender=submitted, by=setup.providers[1], uploads={"supporting": pdf("ours.pdf")})
    services.submit_tender(tender=submitted, by=setup.providers[1])
    question = services.ask_question(competition=live, question="Is there TUPE?", by=setup.providers[0])

    done = make_published_mini(setup, title="Awarded competition")
    won = complete_tender(done, setup.providers[0], price="40000")
    lost = complete_tender(done, setup.providers[1], price="50000", submit=False)
    services.save_tender(tender=lost, by=setup.providers[1], uploads={"supporting": pdf("theirs.pdf")})
    services.submit_tender(tender=lost, by=setup.providers[1])
    open_competition(done, setup.officer, setup.officer2)
    evaluate_all(done, setup.officer, setup.evaluators)
    award = services.decide_award(lot=done.lots.get(), tender=won, reasons="Best", by=officer)

    direct = services.request_direct_award(
        by=officer,
        reference="DA-VIEWS",
        title="Direct",
        supplier=setup.suppliers[0],
        framework_lot=setup.lot,
        areas=setup.areas,
        annual_value=Decimal("60000"),
        contract_start_on=timezone.localdate(),
        term_months=24,
        justification="framework_s45_4",
        explanation="Only appointee",
        social_value_summary="Jobs",
        commitments=[
            {"theme": "jobs", "measure": "Jobs", "unit": "people", "target": 1, "due_on": timezone.localdate()}
        ],
    )
    evaluation.assign_evaluators(target=direct, evaluators=setup.evaluators, by=officer)
    evaluator = setup.evaluators[0]
    return {
        "setup": setup,
        "draft": draft,
        "eoi": eoi,
        "live": Competition.objects.get(pk=live.pk),
        "draft_tender": draft_tender,
        "submitted": Tender.objects.get(pk=submitted.pk),
        "question": question,
        "done": Competition.objects.get(pk=done.pk),
        "won": won,
        "lost": lost,
        "award": award,
        "direct": direct,
        "assignment": won.assignments.get(evaluator=evaluator),
        "direct_assignment": direct.assignments.get(evaluator=evaluator),
        "partner": make_user(User.Role.PARTNER),
    }


OFFICER, EVALUATOR, PROVIDER, SIGNED_IN = "officer", "evaluator", "provider", "signed_in"


def pages(w) -> dict[str, tuple[str, str, str]]:
    """name -> (url, who may use it, the method to try)."""
    s = w["setup"]
    live, done, lost = w["live"], w["done"], w["lost"]
    return {
        "officer_competitions": (reverse("awards:officer_competitions"), OFFICER, "get"),
        "create_competition": (reverse("awards:create_competition"), OFFICER, "get"),
        "officer_competition": (reverse("awards:officer_competition", args=[done.pk]), OFFICER, "get"),
        "edit_competition": (reverse("awards:edit_competition", args=[w["draft"].pk]), OFFICER, "get"),
        "edit_criteria": (reverse("awards:edit_criteria", args=[w["draft"].pk]), OFFICER, "get"),
        "edit_lots": (reverse("awards:edit_lots", args=[w["eoi"].pk]), OFFICER, "get"),
        "publish_competition": (reverse("awards:publish_competition", args=[w["draft"].pk]), OFFICER, "get"),
        "cancel_competition": (reverse("awards:cancel_competition", args=[live.pk]), OFFICER, "get"),
        "move_closing_time": (reverse("awards:move_closing_time", args=[live.pk]), OFFICER, "get"),
        "confirm_closing_time": (reverse("awards:confirm_closing_time", args=[live.pk]), OFFICER, "get"),
        "answer_question": (reverse("awards:answer_question", args=[live.pk, w["question"].pk]), OFFICER, "get"),
        "open_responses": (reverse("awards:open_responses", args=[live.pk]), OFFICER, "get"),
        "assign_evaluators": (reverse("awards:assign_evaluators", args=[done.pk]), OFFICER, "get"),
        "award_lot": (reverse("awards:award_lot", args=[done.pk, done.lots.get().pk]), OFFICER, "get"),
        "no_award_lot": (reverse("awards:no_award_lot", args=[done.pk, done.lots.get().pk]), OFFICER, "get"),
        "create_contract": (reverse("awards:create_contract", args=[w["award"].pk]), OFFICER, "get"),
        "officer_tender": (reverse("awards:officer_tender", args=[lost.pk]), OFFICER, "get"),
        "officer_tender_file": (
            reverse("awards:officer_tender_file", args=[lost.pk, lost.documents.get().pk]),
            OFFICER,
            "get",
        ),
        "moderate_tender": (
            reverse("awards:moderate_tender", args=[lost.pk, done.criteria.filter(kind="quality").first().pk]),
            OFFICER,
            "get",
        ),
        "request_direct_award": (reverse("awards:request_direct_award"), OFFICER, "get"),
        "officer_direct_award": (reverse("awards:officer_direct_award", args=[w["direct"].pk]), OFFICER, "get"),
        "direct_award_evaluators": (reverse("awards:direct_award_evaluators", args=[w["direct"].pk]), OFFICER, "get"),
        "moderate_direct_award": (reverse("awards:moderate_direct_award", args=[w["direct"].pk]), OFFICER, "get"),
        "decide_direct_award": (reverse("awards:decide_direct_award", args=[w["direct"].pk]), OFFICER, "get"),
        "evaluator_assignments": (reverse("awards:evaluator_assignments"), EVALUATOR, "get"),
        "evaluate_tender": (reverse("awards:evaluate_tender", args=[w["assignment"].pk]), EVALUATOR, "get"),
        "evaluator_tender_file": (
            reverse(
                "awards:evaluator_tender_file",
                args=[w["lost"].assignments.get(evaluator=s.evaluators[0]).pk, lost.documents.get().pk],
            ),
            EVALUATOR,
            "get",
        ),
        "evaluate_direct_award": (
            reverse("awards:evaluate_direct_award", args=[w["direct_assignment"].pk]),
            EVALUATOR,
            "get",
        ),
        "provider_competitions": (reverse("awards:provider_competitions"), PROVIDER, "get"),
        "provider_competition": (reverse("awards:provider_competition", args=[live.pk]), PROVIDER, "get"),
        "ask_question": (reverse("awards:ask_question", args=[live.pk]), PROVIDER, "get"),
        "start_tender": (reverse("awards:start_tender", args=[live.pk, live.lots.get().pk]), PROVIDER, "post"),
        "provider_tender": (reverse("awards:provider_tender", args=[w["draft_tender"].pk]), PROVIDER, "get"),
        "edit_tender": (reverse("awards:edit_tender", args=[w["draft_tender"].pk]), PROVIDER, "get"),
        "autosave_tender": (reverse("awards:autosave_tender", args=[w["draft_tender"].pk]), PROVIDER, "post"),
        "check_tender": (reverse("awards:check_tender", args=[w["draft_tender"].pk]), PROVIDER, "get"),
        "tender_receipt": (reverse("awards:tender_receipt", args=[w["won"].pk]), PROVIDER, "get"),
        "withdraw_tender": (reverse("awards:withdraw_tender", args=[w["draft_tender"].pk]), PROVIDER, "get"),
        "provider_tender_file": (
            reverse("awards:provider_tender_file", args=[w["draft_tender"].pk, 999999]),
            PROVIDER,
            "get",
        ),
        "competition_specification": (reverse("awards:competition_specification", args=[live.pk]), SIGNED_IN, "get"),
    }


def test_every_award_route_is_tested(world):
    names = {p.name for p in get_resolver().namespace_dict["awards"][1].url_patterns}
    assert names == set(pages(world))


def _allowed_user(world, who):
    s = world["setup"]
    return {OFFICER: s.officer, EVALUATOR: s.evaluators[0], PROVIDER: s.providers[0], SIGNED_IN: s.officer}[who]


def test_the_allowed_user_reaches_every_page(client, world):
    for name, (url, who, method) in pages(world).items():
        client.force_login(_allowed_user(world, who))
        response = getattr(client, method)(url)
        expected = {"start_tender": 302, "provider_tender_file": 404}.get(name, 200)
        assert response.status_code == expected, (name, response.status_code)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            assert html.count("<h1") == 1, name
            assert 'class="govuk-breadcrumbs"' in html or "govuk-back-link" in html, name


def test_downloads_are_attachments(client, world):
    url, _, _ = pages(world)["officer_tender_file"]
    client.force_login(world["setup"].officer)
    response = client.get(url)
    assert (
        response["Content-Disposition"].startswith("attachment") and b"".join(response.streaming_content) == PDF_BYTES
    )


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.EVALUATOR, User.Role.PROVIDER, User.Role.PARTNER])
def test_other_roles_are_refused(client, world, role):
    user = {
        User.Role.OFFICER: world["setup"].officer,
        User.Role.EVALUATOR: world["setup"].evaluators[0],
        User.Role.PROVIDER: world["setup"].providers[0],
        User.Role.PARTNER: world["partner"],
    }[role]
    client.force_login(user)
    for name, (url, who, method) in pages(world).items():
        allowed_roles = {OFFICER: {"officer"}, EVALUATOR: {"evaluator", "officer"}, PROVIDER: {"provider"}}.get(who)
        if who == SIGNED_IN:
            status = client.get(url).status_code
            assert status == (200 if role in {User.Role.OFFICER, User.Role.PROVIDER} else 404), name
            continue
        if role in allowed_roles:
            continue
        response = getattr(client, method)(url)
        assert response.status_code == 403, (name, role, response.status_code)


def test_officers_acting_as_evaluators_see_only_their_own_assignments(client, world):
    client.force_login(world["setup"].officer)
    assert client.get(reverse("awards:evaluate_tender", args=[world["assignment"].pk])).status_code == 404
    assert client.get(reverse("awards:evaluator_assignments")).status_code == 200


def test_another_evaluator_is_refused_with_404(client, world):
    client.force_login(make_user(User.Role.EVALUATOR))
    assert client.get(reverse("awards:evaluate_tender", args=[world["assignment"].pk])).status_code == 404
    assert client.get(reverse("awards:evaluate_direct_award", args=[world["direct_assignment"].pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name, (url, _, method) in pages(world).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/sign-in/"), name


def test_officers_of_another_authority_get_404(client, world):
    client.force_login(make_user(User.Role.OFFICER))
    for name in [
        "officer_competition",
        "edit_competition",
        "officer_tender",
        "officer_direct_award",
        "create_contract",
        "no_award_lot",
    ]:
        url, _, _ = pages(world)[name]
        assert client.get(url).status_code == 404, name


def test_a_provider_never_reaches_another_suppliers_response(client, world):
    client.force_login(world["setup"].providers[0])
    other = world["submitted"]  # provider 1's
    document = other.documents.get()
    for name in [
        "provider_tender",
        "edit_tender",
        "check_tender",
        "tender_receipt",
        "withdraw_tender",
        "autosave_tender",
    ]:
        url = reverse(f"awards:{name}", args=[other.pk])
        assert client.get(url).status_code in {404, 405}, name
        assert client.post(url, {"annual_price": "1"}).status_code == 404, name
    file_url = reverse("awards:provider_tender_file", args=[other.pk, document.pk])
    assert client.get(file_url).status_code == 404
    other.refresh_from_db()
    assert other.status == Tender.Status.SUBMITTED


def test_an_uninvited_provider_cannot_see_a_mini_competition(client, world):
    client.force_login(world["setup"].partial_provider)
    live = world["live"]
    assert client.get(reverse("awards:provider_competition", args=[live.pk])).status_code == 404
    assert client.post(reverse("awards:start_tender", args=[live.pk, live.lots.get().pk])).status_code == 404
    assert client.get(reverse("awards:competition_specification", args=[live.pk])).status_code == 404
    assert live.title not in client.get(reverse("awards:provider_competitions")).content.decode()


def test_partners_are_read_only(client, world):
    client.force_login(world["partner"])
    for name in ["officer_competitions", "provider_competitions", "evaluator_assignments"]:
        assert client.post(reverse(f"awards:{name}")).status_code == 403


# --- Forms with errors -----------------------------------------------------------------------------------


def test_a_competition_form_with_errors_keeps_what_was_typed(client, world):
    s = world["setup"]
    client.force_login(s.officer)
    response = client.post(
        reverse("awards:create_competition"),
        {
            "kind": "mini_competition",
            "reference": "MC-ERR",
            "title": "Typed title stays",
            "estimated_value": "lots",
            "term_months": "24",
            "extension_months": "12,²",
            "clarification_time": "17:00",
            "closes_time": "5pm",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert "Enter extension options as months separated by commas, for example 12,12" in html
    assert "Select the framework lot whose appointed providers may bid" in html
    assert "Enter an amount in pounds and pence" in html
    assert 'value="Typed title stays"' in html
    assert not Competition.objects.filter(reference="MC-ERR").exists()


def test_creating_a_mini_competition_through_the_page(client, world):
    s = world["setup"]
    client.force_login(s.officer)
    day = timezone.localdate() + timedelta(days=21)
    questions = timezone.localdate() + timedelta(days=14)
    response = client.post(
        reverse("awards:create_competition"),
        {
            "kind": "mini_competition",
            "framework_lot": s.lot.pk,
            "reference": "MC-PAGE",
            "title": "Made on the page",
            "areas": [a.pk for a in s.areas],
            "estimated_value": "£150,000",
            "contract_start_on_0": "1",
            "contract_start_on_1": "4",
            "contract_start_on_2": str(day.year + 1),
            "term_months": "24",
            "clarification_date_0": str(questions.day),
            "clarification_date_1": str(questions.month),
            "clarification_date_2": str(questions.year),
            "clarification_time": "12:00",
            "closes_date_0": str(day.day),
            "closes_date_1": str(day.month),
            "closes_date_2": str(day.year),
            "closes_time": "5pm",
        },
    )
    competition = Competition.objects.get(reference="MC-PAGE")
    assert response.status_code == 302 and response.url == reverse("awards:officer_competition", args=[competition.pk])
    local = timezone.localtime(competition.closes_at)
    assert (local.date(), local.hour, local.minute) == (day, 17, 0)
    assert competition.estimated_value == Decimal("150000.00") and competition.owner == s.officer


def test_the_criteria_form_refuses_weights_not_adding_up_to_100(client, world):
    client.force_login(world["setup"].officer)
    draft = world["draft"]
    data = {}
    for i, (kind, title, weight) in enumerate(
        [("quality", "Delivery", 50), ("price", "Price", 30), ("social_value", "SV", 10)]
    ):
        data.update({f"kind_{i}": kind, f"title_{i}": title, f"weight_{i}": weight, f"max_score_{i}": 4})
    data["question_0"] = "How will you deliver it?"
    response = client.post(reverse("awards:edit_criteria", args=[draft.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and "The weights add up to 90%: they must add up to 100%" in html
    assert 'value="Delivery"' in html and "How will you deliver it?" in html


def test_a_response_with_a_price_over_the_lot_maximum_keeps_the_typing(client, world):
    draft_tender = world["draft_tender"]
    draft_tender.lot.max_annual_bid = Decimal("60000")
    draft_tender.lot.save()
    client.force_login(world["setup"].providers[0])
    criterion = world["live"].criteria.filter(kind="quality").first()
    response = client.post(
        reverse("awards:edit_tender", args=[draft_tender.pk]),
        {"annual_price": "70000", f"answer_{criterion.pk}": "My carefully typed answer", "is_consortium": "no"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in html
    assert "the maximum annual bid is £60,000 (you entered £70,000)" in html
    assert "My carefully typed answer" in html


def test_autosave_refuses_a_nul_character_with_a_message_and_keeps_what_was_saved(client, world):
    draft_tender = world["draft_tender"]
    criterion = world["live"].criteria.filter(kind="quality").first()
    client.force_login(world["setup"].providers[0])
    url = reverse("awards:autosave_tender", args=[draft_tender.pk])
    assert client.post(url, {f"answer_{criterion.pk}": "Our first draft"}).json()["saved"] is True
    for field in (f"answer_{criterion.pk}", "social_value_summary"):
        response = client.post(url, {field: "Pasted\x00text"})
        assert response.status_code == 409
        assert "cannot be saved" in response.json()["message"]
    draft_tender.refresh_from_db()
    assert draft_tender.answers.get(criterion=criterion).text == "Our first draft"
    assert "\x00" not in draft_tender.social_value_summary


def test_submitting_from_the_check_page_gives_a_receipt(client, world, django_capture_on_commit_callbacks):
    provider = world["setup"].providers[0]
    client.force_login(provider)
    tender = world["draft_tender"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("awards:check_tender", args=[tender.pk]))
    assert response.status_code == 302 and response.url == reverse("awards:tender_receipt", args=[tender.pk])
    html = client.get(response.url).content.decode()
    assert "Response submitted" in html and f"{Tender.objects.get(pk=tender.pk).reference}-v1" in html
    again = client.post(reverse("awards:check_tender", args=[tender.pk]))
    assert again.status_code == 302
    assert Tender.objects.get(pk=tender.pk).versions.count() == 1


def test_the_two_officer_opening_through_the_page(client, world):
    s, live = world["setup"], world["live"]
    Competition.objects.filter(pk=live.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1), clarification_deadline=timezone.now() - timedelta(hours=1)
    )
    client.force_login(s.officer)
    url = reverse("awards:open_responses", args=[live.pk])
    assert client.post(url).status_code == 302
    response = client.post(url)
    assert response.status_code == 422 and "a second, different officer must confirm" in response.content.decode()
    client.force_login(s.officer2)
    assert client.post(url).status_code == 302
    assert Competition.objects.get(pk=live.pk).status == Competition.Status.CLOSED


def test_a_non_owner_cannot_move_the_closing_time_on_the_page(client, world):
    s, live = world["setup"], world["live"]
    client.force_login(s.officer2)
    local = timezone.localtime(live.closes_at) + timedelta(days=3)
    response = client.post(
        reverse("awards:move_closing_time", args=[live.pk]),
        {"closes_date_0": local.day, "closes_date_1": local.month, "closes_date_2": local.year, "closes_time": "17:00"},
    )
    assert response.status_code == 200 and "Only the owner of this competition" in response.content.decode()
    assert Competition.objects.get(pk=live.pk).closes_at == live.closes_at


# --- Public page and query count ------------------------------------------------------------------------


def test_open_expressions_of_interest_are_on_the_public_page(client, world):
    html = client.get(reverse("public:opportunities")).content.decode()
    assert "There are no competitions open to any supplier at the moment" in html
    services.publish_competition(competition=world["eoi"], by=world["setup"].officer)
    html = client.get("/opportunities/").content.decode()
    assert "Domestic Abuse Perpetrator Interventions Fund" in html
    assert "Lot 3: Behaviour Change Intervention" in html and "from £300,000 up to £1,000,000 a year" in html
    assert "Open competition" not in html  # mini-competitions are by invitation


def _many(setup, n):
    for _ in range(n):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        lot = competition.lots.get()
        for supplier, user in zip(setup.suppliers, setup.providers, strict=True):
            Tender.objects.create(
                competition=competition, lot=lot, supplier=supplier, status="submitted", created_by=user
            )


def test_the_competitions_list_makes_the_same_queries_for_5_and_50(client):
    setup = make_award_setup()
    client.force_login(setup.officer)
    url = reverse("awards:officer_competitions")
    _many(setup, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _many(setup, 45)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert html.count('href="/officer/competitions/') >= 50
    print(f"competition list queries: {len(small)} for 5, {len(large)} for 50")
    assert len(small) == len(large) <= 12, (len(small), len(large))


def _direct_award(setup, reference: str, *, requested_by):
    """An unsaved direct award of £50,000 a year to the setup's first supplier."""
    from contracts.award.models import DirectAward

    return DirectAward(
        reference=reference,
        title="Children's ISVA service",
        supplier=setup.suppliers[0],
        buying_authority=setup.authority,
        annual_value=Decimal("50000"),
        contract_start_on=timezone.localdate(),
        term_months=12,
        justification="framework_s45_4",
        explanation="The only appointee for these areas.",
        requested_by=requested_by,
    )


def test_each_row_of_the_lists_shows_its_areas_supplier_and_requester(client):
    setup = make_award_setup()
    client.force_login(setup.officer)
    westbury, northfield = setup.areas[2], setup.areas[0]
    covered = make_competition(by=setup.officer, framework_lot=setup.lot, areas=[westbury, northfield])
    make_competition(by=setup.officer, framework_lot=setup.lot)
    _direct_award(setup, "DA-ROW-1", requested_by=setup.officer2).save()
    html = client.get(reverse("awards:officer_competitions")).content.decode()
    lot_then_areas = (
        r'<td class="govuk-table__cell">Mini-competition[^<]*</td>\s*<td class="govuk-table__cell">([^<]*)</td>'
    )
    areas = re.findall(lot_then_areas, html)
    assert areas == ["–", "Northfield, Westbury"]  # newest first; areas in alphabetical order
    assert f'href="/officer/competitions/{covered.pk}/"' in html
    row = html.split("DA-ROW-1", 1)[1].split("</tr>", 1)[0]
    assert setup.suppliers[0].legal_name in row and "Sam Second" in row and "£50,000" in row


def test_the_competitions_and_the_direct_awards_are_each_shown_50_a_page(client):
    from contracts.award.models import DirectAward

    setup = make_award_setup()
    client.force_login(setup.officer)
    _many(setup, 55)
    DirectAward.objects.bulk_create(
        _direct_award(setup, f"DA-PAGE-{n:02d}", requested_by=setup.officer) for n in range(51)
    )
    url = reverse("awards:officer_competitions")

    def rows(html, prefix):
        return html.count(f'<a class="govuk-link" href="{prefix}')

    def link(html, label, rel):
        """The query of the Previous or Next link of the list labelled `label`."""
        nav = html.split(f'aria-label="{label}"', 1)[1].split("</nav>", 1)[0]
        found = re.search(rf'href="\?([^"]*)" rel="{rel}"', nav)
        return found and unescape(found.group(1))

    first = client.get(url).content.decode()
    assert rows(first, "/officer/competitions/") == 50 and rows(first, "/officer/direct-awards/") == 50
    assert link(first, "Pages of competitions", "prev") is None
    assert link(first, "Pages of direct awards", "prev") is None
    # Keyset pages: the links carry where the page ended, and keep the other list's place.
    later = client.get(url + "?" + link(first, "Pages of competitions", "next")).content.decode()
    assert rows(later, "/officer/competitions/") == 5 and rows(later, "/officer/direct-awards/") == 50
    later = client.get(url + "?" + link(later, "Pages of direct awards", "next")).content.decode()
    assert rows(later, "/officer/competitions/") == 5 and rows(later, "/officer/direct-awards/") == 1
    assert link(later, "Pages of competitions", "next") is None
    assert link(later, "Pages of direct awards", "next") is None
    back = client.get(url + "?" + link(later, "Pages of competitions", "prev")).content.decode()
    assert rows(back, "/officer/competitions/") == 50 and rows(back, "/officer/direct-awards/") == 1
    assert link(back, "Pages of competitions", "prev") is None
    # A cursor that is not one of ours shows the first page, not an error.
    assert rows(client.get(url + "?page=2&awards_page=x.y").content.decode(), "/officer/competitions/") == 50


def test_an_expression_of_interests_lots_and_combined_limit_through_the_page(client, world):
    client.force_login(world["setup"].officer)
    eoi = world["eoi"]
    data = {
        "number_0": "1",
        "title_0": "Early Responses – In Custody Intervention",
        "max_0": "1,000,000",
        "number_1": "2",
        "title_1": "Independent Evaluation of the Early Responses Programme - In Custody Intervention",
        "max_1": "1000000",
        "number_2": "3",
        "title_2": "Behaviour Change Intervention",
        "min_2": "£300,000",
        "max_2": "£1,000,000",
        "limit_lots_0": "1, 2",
        "limit_min_0": "300000",
        "limit_max_0": "1000000",
    }
    for lots in ("1,²", "9" * 5000, "1,,x"):
        bad = client.post(reverse("awards:edit_lots", args=[eoi.pk]), {**data, "limit_lots_0": lots})
        assert bad.status_code == 200
        assert "Enter lot numbers separated by commas, for example 1,2" in bad.content.decode()
    bad = client.post(reverse("awards:edit_lots", args=[eoi.pk]), {**data, "min_2": "2000000"})
    assert bad.status_code == 200 and "Lot 3: the minimum bid is more than the maximum" in bad.content.decode()
    assert 'value="Behaviour Change Intervention"' in bad.content.decode()
    assert client.post(reverse("awards:edit_lots", args=[eoi.pk]), data).status_code == 302
    limit = eoi.combined_limits.get()
    assert sorted(limit.lots.values_list("number", flat=True)) == [1, 2]
    assert (limit.min_total, limit.max_total) == (Decimal("300000.00"), Decimal("1000000.00"))
    assert eoi.lots.get(number=3).min_annual_bid == Decimal("300000.00")


def test_the_set_up_pages_send_back_a_competition_that_is_no_longer_a_draft(client, world):
    client.force_login(world["setup"].officer)
    live, mini = world["live"], world["draft"]
    assert mini.is_mini_competition  # its lots are the framework's: the lots page refuses it even as a draft
    for name, competition, refusal in (
        ("awards:edit_competition", live, "Only a draft competition can be edited."),
        ("awards:edit_criteria", live, "The award criteria of a published competition cannot be changed."),
        ("awards:edit_lots", live, "Only a draft expression of interest's lots can be changed."),
        ("awards:edit_lots", mini, "Only a draft expression of interest's lots can be changed."),
    ):
        response = client.get(reverse(name, args=[competition.pk]), follow=True)
        assert response.redirect_chain == [(reverse("awards:officer_competition", args=[competition.pk]), 302)]
        assert [str(message) for message in response.context["messages"]] == [refusal]


def test_the_award_records_in_the_admin(client, world):
    officer = world["setup"].officer
    client.force_login(officer)
    index = client.get("/admin/").content.decode()
    award_group = index.split(">Award</a>")[1].split("</table>")[0]
    for label in ("Competitions", "Tenders", "Awards", "Direct awards", "Clarification questions"):
        assert label in award_group, label
    pages_ = {
        "competition": world["done"].pk,
        "tender": world["won"].pk,
        "award": world["award"].pk,
        "directaward": world["direct"].pk,
        "clarificationquestion": world["question"].pk,
    }
    for model, pk in pages_.items():
        assert client.get(f"/admin/contracts/{model}/").status_code == 200, model
        assert client.get(f"/admin/contracts/{model}/{pk}/change/").status_code == 200, model
        assert client.get(f"/admin/contracts/{model}/add/").status_code == 403, model
    # Lifecycle moves are not made by editing the record.
    assert 'name="_save"' not in client.get(f"/admin/contracts/competition/{world['done'].pk}/change/").content.decode()
    client.force_login(world["setup"].providers[0])
    assert client.get("/admin/contracts/tender/").status_code == 302


def test_publishing_from_the_admin_goes_through_the_service(client, world):
    client.force_login(world["setup"].officer)
    draft = world["draft"]
    response = client.post(
        "/admin/contracts/competition/", {"action": "publish", "_selected_action": [draft.pk, world["live"].pk]}
    )
    assert response.status_code == 302
    assert Competition.objects.get(pk=draft.pk).status == Competition.Status.PUBLISHED
    assert draft.invitations.count() == 2
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("A competition that is published cannot be published. It is already published." in m for m in messages)


def test_an_officer_records_a_lot_as_not_awarded_and_the_bidders_see_why(client):
    setup = make_award_setup()
    competition = make_published_mini(setup)
    tenders = [complete_tender(competition, p) for p in setup.providers]
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    lot = competition.lots.get()
    url = reverse("awards:no_award_lot", args=[competition.pk, lot.pk])
    page = reverse("awards:officer_competition", args=[competition.pk])
    client.force_login(setup.officer)
    assert f'href="{url}"' in client.get(page).content.decode()

    response = client.post(url, {"reasons": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in html and "govuk-error-summary" in html
    assert html.count("Give the reasons for not awarding the lot") == 2  # summary and field

    response = client.post(url, {"reasons": "Neither response met the quality threshold."})
    assert response.status_code == 302 and response.url == page
    html = client.get(page).content.decode()
    assert "Not awarded: recorded by Olivia Owner" in html and f'href="{url}"' not in html
    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CANCELLED

    client.force_login(setup.providers[0])
    html = client.get(reverse("awards:provider_tender", args=[tenders[0].pk])).content.decode()
    assert "will not be awarded, so your response was not successful" in html
    assert "Neither response met the quality threshold." in html
    # A supplier that started a response but never submitted it is not told the outcome or the reasons.
    unsent = Tender.objects.create(
        competition=competition, lot=lot, supplier=setup.partial_supplier, created_by=setup.partial_provider
    )
    client.force_login(setup.partial_provider)
    html = client.get(reverse("awards:provider_tender", args=[unsent.pk])).content.decode()
    assert "Neither response met the quality threshold." not in html and ">Outcome</h2>" not in html


def test_another_authoritys_officer_cannot_record_a_lot_as_not_awarded(client):
    setup = make_award_setup()
    competition = make_published_mini(setup)
    complete_tender(competition, setup.providers[0])
    open_competition(competition, setup.officer, setup.officer2)
    evaluate_all(competition, setup.officer, setup.evaluators)
    client.force_login(make_user(User.Role.OFFICER))
    url = reverse("awards:no_award_lot", args=[competition.pk, competition.lots.get().pk])
    assert client.post(url, {"reasons": "Not ours to decide"}).status_code == 404
    client.force_login(setup.providers[0])
    assert client.post(url, {"reasons": "Not ours to decide"}).status_code == 403
    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.EVALUATED
