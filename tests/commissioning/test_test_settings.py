"""The test settings give each pytest-xdist process a Redis database of its own."""

from commissioning.settings.test import broker_of_test_process


def test_each_test_process_has_a_redis_database_of_its_own():
    assert broker_of_test_process("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert broker_of_test_process("redis://127.0.0.1:6379/0", "gw2") == "redis://127.0.0.1:6379/3"
    # The worker subprocess inherits the process's name and comes to the same database.
    assert broker_of_test_process("redis://127.0.0.1:6379/1", "gw0") == "redis://127.0.0.1:6379/1"


def test_without_xdist_or_a_broker_nothing_changes():
    assert broker_of_test_process("redis://127.0.0.1:6379/0", "") == "redis://127.0.0.1:6379/0"
    assert broker_of_test_process("", "gw1") == ""
