"""Issue 20, "Money and commissioners as they really are": providers apply for grants online (an open
round, one current application per supplier per round, the amount within the round's budget, withdrawing
before a decision), see each decision with its reasons; officers decide from their work queue and record
payments as paid (not in the future; for a grant paid in arrears not before its period began), with the
payments whose due date passed unpaid in their work queue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.lifecycle import IllegalMove
from commissioning.models import AuditEvent, Authority, Notification, User
from contracts.grants import services
from contracts.grants import work_queues as grant_queues
from contracts.grants.models import GrantApplication, GrantPayment, GrantRound
from contracts.grants.services import GrantRuleError
from suppliers.models import Supplier
from tests.factories import make_authority, make_supplier, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def world():
    authority = make_authority(name="West Midlands OPCC", kind=Authority.Kind.OPCC)
    officer = make_user(User.Role.OFFICER, authority=authority)
    supplier = make_supplier(legal_name="Arden Sexual Violence Advocacy CIC", kind=Supplier.Kind.CIC)
    provider = make_user(User.Role.PROVIDER, supplier=supplier)
    colleague = make_user(User.Role.PROVIDER, supplier=supplier)
    grant_round = services.create_round(
        by=officer,
        reference="WM-SG-TEST",
        title="Victims' small grants",
        budget="60000",
        cadence=GrantRound.Cadence.QUARTERLY,
        opens_on=TODAY - timedelta(days=30),
    )
    return type(
        "World",
        (),
        {
            "authority": authority,
            "officer": officer,
            "supplier": supplier,
            "provider": provider,
            "colleague": colleague,
            "round": grant_round,
        },
    )


def apply(world, by=None, **values):
    spec = {"project": "Outreach pilot", "summary": "Drop-in sessions in two GP surgeries.", "amount_requested": "8000"}
    spec.update(values)
    return services.submit_application(by=by or world.provider, grant_round=world.round, **spec)


def closed_round(world, **values):
    spec = {
        "reference": "WM-CLOSED",
        "title": "Closed round",
        "budget": "1000",
        "opens_on": TODAY - timedelta(days=60),
        "closes_on": TODAY - timedelta(days=1),
    }
    spec.update(values)
    return services.create_round(by=world.officer, **spec)


# Services: applying ------------------------------------------------------------------------------------


def test_a_provider_applies_to_an_open_round_and_everyone_is_told(world):
    application = apply(world)
    assert application.supplier == world.supplier and application.status == GrantApplication.Status.SUBMITTED
    assert application.submitted_on == TODAY and application.amount_requested == Decimal("8000.00")
    assert application.reference == f"GA-{application.pk:06d}"
    event = AuditEvent.objects.get(action="grants.application_submitted")
    assert event.actor == world.provider and application.reference in str(event.data)
    sent = set(Notification.objects.values_list("email", flat=True))
    assert {world.provider.email, world.colleague.email, world.officer.email} <= sent
    receipt = Notification.objects.get(email=world.provider.email)
    assert "Grant application received" in receipt.subject and application.reference in receipt.body_text


def test_a_rolling_round_is_open_and_a_closed_or_future_round_is_not(world):
    assert world.round.is_open_on(TODAY) and world.round in GrantRound.objects.open_on(TODAY)
    closed = closed_round(world)
    future = closed_round(world, reference="WM-FUTURE", opens_on=TODAY + timedelta(days=1), closes_on=None)
    last_day = closed_round(world, reference="WM-LAST", closes_on=TODAY)
    assert set(GrantRound.objects.open_on(TODAY)) == {world.round, last_day}
    for grant_round in (closed, future):
        with pytest.raises(GrantRuleError, match="not open"):
            services.submit_application(
                by=world.provider, grant_round=grant_round, project="x", summary="y", amount_requested="10"
            )
    assert not GrantApplication.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "must be more than £0"),
        ("-5", "cannot be negative"),
        ("60000.01", "cannot be more than the round's budget of £60,000.00"),
        ("lots", "Enter an amount in pounds"),
        ("", "Enter an amount in pounds"),
    ],
)
def test_the_amount_must_be_positive_and_within_the_budget(world, amount, message):
    with pytest.raises(GrantRuleError) as refused:
        apply(world, amount_requested=amount)
    assert message in refused.value.message_dict["amount_requested"][0]


def test_the_whole_budget_may_be_asked_for(world):
    assert apply(world, amount_requested="60000").amount_requested == Decimal("60000.00")


def test_a_project_title_and_summary_are_needed(world):
    with pytest.raises(GrantRuleError) as no_title:
        apply(world, project="  ")
    assert "project" in no_title.value.message_dict
    with pytest.raises(GrantRuleError) as no_summary:
        apply(world, summary="")
    assert "summary" in no_summary.value.message_dict


def test_only_a_provider_user_of_an_organisation_applies(world):
    for user in (world.officer, make_user(User.Role.EVALUATOR), make_user(User.Role.PARTNER)):
        with pytest.raises(GrantRuleError, match="provider organisation"):
            apply(world, by=user)
    world.provider.is_active = False
    world.provider.save()
    with pytest.raises(GrantRuleError, match="provider organisation"):
        apply(world)


def test_one_current_application_per_supplier_per_round(world):
    first = apply(world)
    with pytest.raises(GrantRuleError, match="already has an application to this round that is waiting"):
        apply(world, by=world.colleague)
    # Withdrawn: it may apply again.
    services.withdraw_application(by=world.provider, application=first)
    second = apply(world, by=world.colleague)
    # Declined: again.
    services.decide_application(by=world.officer, application=second, award=False, reason="Out of scope.")
    third = apply(world)
    services.decide_application(
        by=world.officer, application=third, award=True, amount_awarded="8000", reason="Fills a gap."
    )
    with pytest.raises(GrantRuleError, match="was awarded"):
        apply(world)
    # Another supplier is not affected, and another round is not either.
    apply(world, by=make_user(User.Role.PROVIDER))


def test_the_database_holds_one_current_application_per_supplier_per_round(world):
    apply(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantApplication.objects.create(
            round=world.round, supplier=world.supplier, project="x", amount_requested=1, submitted_on=TODAY
        )


def test_an_officer_recording_a_second_current_application_is_refused_too(world):
    apply(world)
    with pytest.raises(GrantRuleError) as refused:
        services.record_application(
            by=world.officer,
            grant_round=world.round,
            supplier=world.supplier,
            project="Paper copy",
            amount_requested="100",
            submitted_on=TODAY,
        )
    assert "supplier" in refused.value.message_dict


# Services: withdrawing and deciding -----------------------------------------------------------------------


def test_a_provider_withdraws_before_a_decision_only(world):
    application = apply(world)
    services.withdraw_application(by=world.colleague, application=application)
    application.refresh_from_db()
    assert application.status == GrantApplication.Status.WITHDRAWN
    assert AuditEvent.objects.filter(action="grants.application_withdrawn", actor=world.colleague).exists()
    with pytest.raises(IllegalMove):
        services.withdraw_application(by=world.provider, application=application)
    decided = apply(world)
    services.decide_application(
        by=world.officer, application=decided, award=True, amount_awarded="8000", reason="Strong plan."
    )
    with pytest.raises(IllegalMove):
        services.withdraw_application(by=world.provider, application=decided)
    with pytest.raises(IllegalMove):
        services.decide_application(by=world.officer, application=application, award=False, reason="x")


def test_only_the_applicants_own_users_withdraw(world):
    application = apply(world)
    with pytest.raises(GrantRuleError, match="your own organisation"):
        services.withdraw_application(by=make_user(User.Role.PROVIDER), application=application)
    with pytest.raises(GrantRuleError):
        services.withdraw_application(by=world.officer, application=application)
    application.refresh_from_db()
    assert application.status == GrantApplication.Status.SUBMITTED


def test_the_provider_is_told_the_decision_and_its_reasons(world):
    application = apply(world)
    Notification.objects.all().delete()
    services.decide_application(
        by=world.officer, application=application, award=True, amount_awarded="7500", reason="Strong local links."
    )
    told = Notification.objects.get(email=world.provider.email)
    assert "Grant decision" in told.subject
    assert "Strong local links." in told.body_text and "£7,500.00" in told.body_text


# Services: payments ---------------------------------------------------------------------------------------


def _agreement(world, *, timing="arrears", start_on=None, frequency="quarterly"):
    application = apply(world)
    services.decide_application(
        by=world.officer,
        application=application,
        award=True,
        amount_awarded="8000",
        reason="Good.",
        decided_on=TODAY,
    )
    start_on = start_on or date(TODAY.year - 1, 4, 1)
    return services.make_agreement(
        by=world.officer,
        application=application,
        reference="WM-SG-AGREEMENT",
        start_on=start_on,
        end_on=date(start_on.year + 2, 3, 31),
        conditions="Quarterly returns.",
        frequency=frequency,
        timing=timing,
    )


def test_an_officer_records_a_payment_as_paid_audited(world):
    contract = _agreement(world, timing="advance")
    payment = contract.grant_payments.first()
    services.record_payment(by=world.officer, payment=payment, paid_on=payment.due_on)
    payment.refresh_from_db()
    assert payment.paid_on == payment.due_on
    event = AuditEvent.objects.get(action="grants.payment_made")
    assert event.actor == world.officer and event.object_id == str(contract.pk)
    with pytest.raises(GrantRuleError, match="recorded as paid on"):
        services.record_payment(by=world.officer, payment=payment, paid_on=payment.due_on)


def test_a_payment_date_cannot_be_in_the_future_or_missing(world):
    payment = _agreement(world, timing="advance").grant_payments.first()
    with pytest.raises(GrantRuleError) as future:
        services.record_payment(by=world.officer, payment=payment, paid_on=TODAY + timedelta(days=1))
    assert "cannot be in the future" in future.value.message_dict["paid_on"][0]
    with pytest.raises(GrantRuleError) as missing:
        services.record_payment(by=world.officer, payment=payment, paid_on=None)
    assert "paid_on" in missing.value.message_dict
    services.record_payment(by=world.officer, payment=payment, paid_on=TODAY)


def test_a_grant_paid_in_arrears_is_not_paid_before_its_period_began(world):
    payment = _agreement(world, timing="arrears").grant_payments.first()
    with pytest.raises(GrantRuleError) as early:
        services.record_payment(by=world.officer, payment=payment, paid_on=payment.period_start - timedelta(days=1))
    assert "paid in arrears" in early.value.message_dict["paid_on"][0]
    services.record_payment(by=world.officer, payment=payment, paid_on=payment.period_start)


def test_a_grant_paid_in_advance_may_be_paid_before_its_period(world):
    payment = _agreement(world, timing="advance").grant_payments.first()
    services.record_payment(by=world.officer, payment=payment, paid_on=payment.period_start - timedelta(days=3))


def test_only_an_officer_of_the_grants_authority_records_a_payment(world):
    payment = _agreement(world, timing="advance").grant_payments.first()
    for user in (make_user(User.Role.OFFICER), world.provider):
        with pytest.raises(GrantRuleError):
            services.record_payment(by=user, payment=payment, paid_on=TODAY)
    payment.refresh_from_db()
    assert payment.paid_on is None


# Work queues ----------------------------------------------------------------------------------------------


def _queries(builder, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        builder(user, timezone.now())
    return len(captured.captured_queries)


def test_officers_of_the_rounds_authority_have_the_applications_to_decide(world):
    application = apply(world)
    queue = grant_queues.applications_to_decide(world.officer, timezone.now())
    assert queue.count == 1 and queue.heading == "Grant applications to decide"
    assert queue.items[0].url == reverse("contracts:decide_grant", args=[application.pk])
    assert grant_queues.applications_to_decide(make_user(User.Role.OFFICER), timezone.now()).count == 0
    for _ in range(4):  # five: as many as the home page shows, so the queue is counted as well as read
        apply(world, by=make_user(User.Role.PROVIDER))
    few = _queries(grant_queues.applications_to_decide, world.officer)
    for _ in range(8):
        apply(world, by=make_user(User.Role.PROVIDER))
    assert _queries(grant_queues.applications_to_decide, world.officer) == few
    assert grant_queues.applications_to_decide(world.officer, timezone.now()).count == 13


def test_overdue_payments_are_in_the_officers_queue_until_paid(world):
    contract = _agreement(world, timing="advance")
    overdue = list(GrantPayment.objects.filter(contract=contract, due_on__lt=TODAY))
    assert overdue
    queue = grant_queues.payments_overdue(world.officer, timezone.now())
    assert queue.count == len(overdue) and queue.urgency == 0 and queue.items[0].tag == "Overdue"
    assert queue.items[0].url == reverse("contracts:record_grant_payment", args=[overdue[0].pk])
    assert grant_queues.payments_overdue(make_user(User.Role.OFFICER), timezone.now()).count == 0
    few = _queries(grant_queues.payments_overdue, world.officer)
    services.record_payment(by=world.officer, payment=overdue[0], paid_on=overdue[0].due_on)
    assert grant_queues.payments_overdue(world.officer, timezone.now()).count == len(overdue) - 1
    assert _queries(grant_queues.payments_overdue, world.officer) == few


def test_providers_see_the_open_rounds_on_their_home_page(client, world):
    closed_round(world)
    queue = grant_queues.open_rounds(world.provider, timezone.now())
    assert queue.count == 1 and queue.items[0].title == world.round.title
    client.force_login(world.provider)
    html = client.get(reverse("provider_home")).content.decode()
    assert 'id="queue-grant-rounds-open"' in html and "Grant rounds open for applications" in html
    assert reverse("contracts:provider_grant_apply", args=[world.round.pk]) in html
    for n in range(11):  # the first four make five: as many as the home page shows, counted as well as read
        services.create_round(by=world.officer, reference=f"R{n}", title=f"Round {n}", budget="1", opens_on=TODAY)
        if n == 3:
            few = _queries(grant_queues.open_rounds, world.provider)
    assert _queries(grant_queues.open_rounds, world.provider) == few
    assert grant_queues.open_rounds(world.provider, timezone.now()).count == 12


def test_the_officers_home_page_lists_grant_work(client, world):
    apply(world, by=make_user(User.Role.PROVIDER))
    _agreement(world, timing="advance")
    client.force_login(world.officer)
    html = client.get(reverse("officer_home")).content.decode()
    assert 'id="queue-grant-applications-to-decide"' in html and 'id="queue-grant-payments-overdue"' in html


# Views: the provider's pages ------------------------------------------------------------------------------


def test_the_provider_applies_online_with_an_error_first_and_nothing_lost(client, world):
    client.force_login(world.provider)
    listing = client.get(reverse("contracts:provider_grants")).content.decode()
    apply_url = reverse("contracts:provider_grant_apply", args=[world.round.pk])
    assert apply_url in listing and "Grant rounds open for applications" in listing
    assert client.get(apply_url).status_code == 200
    bad = client.post(
        apply_url, {"project": "Outreach pilot", "summary": "Drop-in sessions.", "amount_requested": "75,000"}
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "govuk-error-summary" in page
    assert "cannot be more than the round&#x27;s budget of £60,000.00" in page
    assert 'value="75,000"' in page and "Drop-in sessions." in page and 'value="Outreach pilot"' in page
    assert not GrantApplication.objects.exists()
    negative = client.post(apply_url, {"project": "x", "summary": "y", "amount_requested": "-1"}).content.decode()
    assert "Enter an amount in pounds and pence" in negative
    empty = client.post(apply_url, {}).content.decode()
    assert "Enter the project title" in empty and "Enter a summary of the project" in empty
    assert "Enter the amount requested" in empty

    good = client.post(
        apply_url, {"project": "Outreach pilot", "summary": "Drop-in sessions.", "amount_requested": "£7,500"}
    )
    check_url = reverse("contracts:provider_grant_check", args=[world.round.pk])
    assert good.status_code == 302 and good.url == check_url
    check = client.get(check_url).content.decode()
    assert "Check your application" in check and "£7,500<" in check and "Outreach pilot" in check
    # Change brings back what was typed.
    assert 'value="Outreach pilot"' in client.get(apply_url).content.decode()
    assert not GrantApplication.objects.exists()
    sent = client.post(check_url)
    application = GrantApplication.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("contracts:provider_grant_submitted", args=[application.pk])
    confirmation = client.get(sent.url).content.decode()
    assert "Application sent" in confirmation and application.reference in confirmation
    # The draft is gone: the check page sends them back to the form.
    assert client.get(check_url).url == apply_url
    mine = client.get(reverse("contracts:provider_grants")).content.decode()
    assert "Waiting for a decision" in mine and application.reference in mine


def test_a_closed_round_takes_no_application_even_by_post(client, world):
    closed = closed_round(world)
    client.force_login(world.provider)
    url = reverse("contracts:provider_grant_apply", args=[closed.pk])
    page = client.get(url).content.decode()
    assert "not open for applications" in page and 'name="project"' not in page
    posted = client.post(url, {"project": "x", "summary": "y", "amount_requested": "10"})
    assert posted.status_code == 200 and "not open for applications" in posted.content.decode()
    # A draft made while open, sent after it closed, is refused by the service.
    session = client.session
    session[f"grant-application-draft-{closed.pk}"] = {"project": "x", "summary": "y", "amount_requested": "10"}
    session.save()
    refused = client.post(reverse("contracts:provider_grant_check", args=[closed.pk]))
    assert refused.status_code == 200 and "This grant round is not open for applications" in refused.content.decode()
    assert not GrantApplication.objects.exists()


def test_the_provider_sees_the_decision_and_its_reasons(client, world):
    application = apply(world)
    services.decide_application(
        by=world.officer, application=application, award=False, reason="The fund is spent this quarter."
    )
    client.force_login(world.colleague)
    page = client.get(reverse("contracts:provider_grant_application", args=[application.pk])).content.decode()
    assert "Declined" in page and "The fund is spent this quarter." in page
    assert reverse("contracts:provider_grant_withdraw", args=[application.pk]) not in page


def test_the_provider_withdraws_from_their_application_page(client, world):
    application = apply(world)
    client.force_login(world.provider)
    page_url = reverse("contracts:provider_grant_application", args=[application.pk])
    withdraw_url = reverse("contracts:provider_grant_withdraw", args=[application.pk])
    assert withdraw_url in client.get(page_url).content.decode()
    assert client.get(withdraw_url).status_code == 200
    done = client.post(withdraw_url)
    assert done.status_code == 302 and done.url == page_url
    application.refresh_from_db()
    assert application.status == GrantApplication.Status.WITHDRAWN
    again = client.post(withdraw_url).content.decode()
    assert "govuk-error-summary" in again and "cannot be withdrawn" in again


def test_the_provider_pages_refuse_everyone_else(client, world):
    application = apply(world)
    urls = [
        reverse("contracts:provider_grant_application", args=[application.pk]),
        reverse("contracts:provider_grant_submitted", args=[application.pk]),
        reverse("contracts:provider_grant_withdraw", args=[application.pk]),
    ]
    # Another provider: not theirs.
    client.force_login(make_user(User.Role.PROVIDER))
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(urls[2]).status_code == 404
    # Officers and partners are not providers.
    for user in (world.officer, make_user(User.Role.PARTNER)):
        client.force_login(user)
        for url in [
            *urls,
            reverse("contracts:provider_grants"),
            reverse("contracts:provider_grant_apply", args=[world.round.pk]),
        ]:
            assert client.get(url).status_code == 403
    client.logout()
    assert client.get(reverse("contracts:provider_grants")).status_code == 302
    application.refresh_from_db()
    assert application.status == GrantApplication.Status.SUBMITTED


# Views: the officer records a payment -----------------------------------------------------------------


def test_the_officer_records_a_payment_from_the_grants_page(client, world):
    contract = _agreement(world, timing="arrears")
    payment = contract.grant_payments.filter(due_on__lt=TODAY).first()
    client.force_login(world.officer)
    contract_page = client.get(reverse("contracts:officer_contract", args=[contract.pk])).content.decode()
    url = reverse("contracts:record_grant_payment", args=[payment.pk])
    assert url in contract_page and 'govuk-tag--red">Overdue' in contract_page
    assert client.get(url).status_code == 200
    tomorrow = TODAY + timedelta(days=1)
    future = client.post(url, {"paid_on_0": tomorrow.day, "paid_on_1": tomorrow.month, "paid_on_2": tomorrow.year})
    page = future.content.decode()
    assert "govuk-error-summary" in page and "cannot be in the future" in page and f'value="{tomorrow.year}"' in page
    done = client.post(url, {"paid_on_0": TODAY.day, "paid_on_1": TODAY.month, "paid_on_2": TODAY.year})
    assert done.status_code == 302
    payment.refresh_from_db()
    assert payment.paid_on == TODAY
    contract_page = client.get(reverse("contracts:officer_contract", args=[contract.pk])).content.decode()
    assert 'govuk-tag--green">Paid' in contract_page
    # Already paid: back to the contract, nothing changes.
    assert client.post(url, {"paid_on_0": 1, "paid_on_1": 1, "paid_on_2": 2020}).status_code == 302
    payment.refresh_from_db()
    assert payment.paid_on == TODAY


def test_the_payment_page_refuses_other_authorities_and_providers(client, world):
    payment = _agreement(world, timing="advance").grant_payments.first()
    url = reverse("contracts:record_grant_payment", args=[payment.pk])
    client.force_login(make_user(User.Role.OFFICER))
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"paid_on_0": TODAY.day, "paid_on_1": TODAY.month, "paid_on_2": TODAY.year}).status_code == 404
    )
    client.force_login(world.provider)
    assert client.get(url).status_code == 403
    client.force_login(make_user(User.Role.PARTNER))
    assert client.post(url, {}).status_code == 403
    payment.refresh_from_db()
    assert payment.paid_on is None


def test_the_form_says_when_the_organisation_already_has_a_current_application(client, world):
    application = apply(world)
    client.force_login(world.colleague)
    url = reverse("contracts:provider_grant_apply", args=[world.round.pk])
    page = client.get(url).content.decode()
    assert "already has an application to this round" in page and 'name="project"' not in page
    assert reverse("contracts:provider_grant_application", args=[application.pk]) in page
    posted = client.post(url, {"project": "Again", "summary": "y", "amount_requested": "10"})
    assert posted.status_code == 200 and GrantApplication.objects.count() == 1
    services.withdraw_application(by=world.provider, application=application)
    assert 'name="project"' in client.get(url).content.decode()
