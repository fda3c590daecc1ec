"""The domain events registry (`commissioning.events`): delivered after commit, never on rollback, each
handler in its own transaction, payloads checked against the declaration."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from commissioning import events
from commissioning.models import Area

# Real commits: the test's own transaction would hold every on-commit callback back.
pytestmark = pytest.mark.django_db(transaction=True)

HAPPENED = events.define("tests.something_happened", "thing_id", "on")


@pytest.fixture
def heard():
    calls: list[dict] = []

    def handler(**payload):
        calls.append(payload)

    events.listen(HAPPENED, handler)
    yield calls
    events.stop_listening(HAPPENED, handler)


def test_an_event_is_delivered_only_once_the_transaction_commits(heard):
    with transaction.atomic():
        events.send(HAPPENED, thing_id=7, on=date(2026, 1, 5))
        assert heard == []  # not while the sender's transaction is open
    assert heard == [{"thing_id": 7, "on": date(2026, 1, 5)}]


def test_an_event_sent_in_a_transaction_that_rolls_back_is_never_delivered(heard):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.send(HAPPENED, thing_id=7, on=None)
        raise RuntimeError("the move was refused")
    assert heard == []


def test_an_event_sent_in_a_savepoint_that_rolls_back_is_not_delivered(heard):
    with transaction.atomic():
        events.send(HAPPENED, thing_id=1, on=None)
        try:
            with transaction.atomic():
                events.send(HAPPENED, thing_id=2, on=None)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
    assert heard == [{"thing_id": 1, "on": None}]


def test_outside_a_transaction_the_event_is_delivered_at_once(heard):
    events.send(HAPPENED, thing_id=3, on=None)
    assert heard == [{"thing_id": 3, "on": None}]


def test_a_failing_handler_is_rolled_back_alone_and_the_others_still_run(heard, caplog):
    def breaks(**payload):
        Area.objects.create(code="half-done", name="Half done")
        raise ValueError("the handler broke")

    heard_handler = events.handlers_of(HAPPENED)[0]
    events.stop_listening(HAPPENED, heard_handler)
    events.listen(HAPPENED, breaks)
    events.listen(HAPPENED, heard_handler)  # after the broken one
    try:
        with transaction.atomic():
            Area.objects.create(code="committed", name="Committed")
            events.send(HAPPENED, thing_id=4, on=None)
    finally:
        events.stop_listening(HAPPENED, breaks)
    assert heard == [{"thing_id": 4, "on": None}]
    assert Area.objects.filter(code="committed").exists()  # the sender's work stands
    assert not Area.objects.filter(code="half-done").exists()  # the failed handler's work does not
    assert "the handler broke" in caplog.text


def test_listening_twice_delivers_once(heard):
    events.listen(HAPPENED, events.handlers_of(HAPPENED)[0])
    events.send(HAPPENED, thing_id=5, on=None)
    assert len(heard) == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"thing_id": 1}, "takes"),
        ({"thing_id": 1, "on": None, "extra": 2}, "takes"),
        ({"thing_id": Area(code="x", name="x"), "on": None}, "plain value"),
    ],
)
def test_a_payload_unlike_the_declaration_is_refused_when_sent(heard, payload, message):
    with pytest.raises(TypeError, match=message):
        events.send(HAPPENED, **payload)
    assert heard == []


def test_an_event_cannot_be_declared_twice_with_other_fields():
    assert events.define("tests.something_happened", "thing_id", "on") is HAPPENED
    with pytest.raises(ValueError, match="already declared"):
        events.define("tests.something_happened", "thing_id")


def test_recorded_collects_what_was_delivered_and_then_stops_listening():
    with events.recorded(HAPPENED) as seen:
        events.send(HAPPENED, thing_id=6, on=None)
    events.send(HAPPENED, thing_id=7, on=None)
    assert seen == [("tests.something_happened", {"thing_id": 6, "on": None})]
    assert events.handlers_of(HAPPENED) == []


def test_every_app_registers_its_handlers_when_it_is_ready():
    from contracts.events import CONTRACT_WENT_LIVE, SOCIAL_VALUE_CHANGED
    from monitoring import handlers

    assert handlers.set_up_indicators_of in events.handlers_of(CONTRACT_WENT_LIVE)
    assert handlers.set_up_indicators_of in events.handlers_of(SOCIAL_VALUE_CHANGED)
