"""The load test's reading of who used the CPUs (bench.cpu_share): each process's CPU between the two
readings, by kind, and the share of the machine's CPUs that was busy."""

import os

from bench import cpu_share


def test_processes_are_sorted_into_the_kinds_that_share_the_machine():
    assert cpu_share.kind_of("/venv/bin/python3 /venv/bin/gunicorn commissioning.wsgi:application") == (
        "server (gunicorn)"
    )
    assert cpu_share.kind_of("postgres: postgres portal_loadtest 127.0.0.1(5012) idle") == "database (postgres)"
    assert cpu_share.kind_of("/venv/bin/celery -A commissioning worker") == "worker (celery)"
    assert cpu_share.kind_of("/venv/bin/locust -f bench/locustfile.py") == "load generator (locust)"
    assert cpu_share.kind_of("redis-server 127.0.0.1:6379") == "other"


def test_the_share_counts_what_each_kind_used_since_the_first_reading():
    before = {"10": ("server (gunicorn)", 5.0), "11": ("database (postgres)", 1.0), "12": ("other", 9.0)}
    after = {
        "10": ("server (gunicorn)", 65.0),  # 60 s more
        "11": ("database (postgres)", 11.0),  # 10 s more
        "13": ("database (postgres)", 4.0),  # started since: all of it
        "14": ("load generator (locust)", 6.0),
    }
    result = cpu_share.share(before, after, seconds=50.0, cpus=2)
    assert result["cpu_seconds"] == {
        "server (gunicorn)": 60.0,
        "database (postgres)": 14.0,
        "load generator (locust)": 6.0,
    }
    assert result["busy_share"] == 0.8


def test_a_pid_reused_by_another_kind_of_process_counts_from_zero():
    result = cpu_share.share({"10": ("other", 30.0)}, {"10": ("server (gunicorn)", 2.0)}, seconds=10.0, cpus=1)
    assert result["cpu_seconds"] == {"server (gunicorn)": 2.0}


def test_this_process_is_read_from_proc():
    processes = cpu_share.cpu_by_process()
    kind, cpu = processes[str(os.getpid())]
    assert kind in {*cpu_share.KINDS.values(), "other"}
    assert cpu > 0


def test_the_machine_reading_counts_busy_ticks_within_all_ticks():
    busy, stolen, total = cpu_share.machine_ticks()
    assert 0 < busy < total
    assert 0 <= stolen < total
