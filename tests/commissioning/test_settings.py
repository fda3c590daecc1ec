import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from commissioning.settings.env import celery_settings, env_bool

ROOT = Path(__file__).resolve().parents[2]


def test_celery_runs_eagerly_without_a_broker():
    config = celery_settings("")
    assert config["CELERY_TASK_ALWAYS_EAGER"] is True
    assert config["CELERY_BROKER_URL"] == "memory://"


def test_celery_uses_redis_when_a_broker_is_configured():
    config = celery_settings("redis://127.0.0.1:6379/0")
    assert config["CELERY_TASK_ALWAYS_EAGER"] is False
    assert config["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert config["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize("broker", ["", "redis://127.0.0.1:6379/0"])
def test_celery_delivery_guarantees_hold_in_both_modes(broker):
    config = celery_settings(broker)
    assert config["CELERY_TASK_ACKS_LATE"] is True
    assert config["CELERY_TASK_REJECT_ON_WORKER_LOST"] is True
    assert config["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 1
    assert config["CELERY_TASK_IGNORE_RESULT"] is True


def test_boolean_variables_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG")


def _manage(args, extra_env):
    dropped = {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "commissioning.settings.production",
    "SECRET_KEY": "k3v9-Qz!p2Lr8#Xw5tYb7Nm4@Hc6Jd1Fg0Se2Ua9Ri3Oo7Pl5Kj8Mh4",
    "ALLOWED_HOSTS": "commissioning.example.org",
    "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
    "TENDER_SEALING_KEY": "k2026:" + "A" * 43 + "=",
}


def test_production_settings_pass_the_deployment_checks():
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_a_tender_sealing_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "TENDER_SEALING_KEY"}
    result = _manage(["check"], env)
    assert result.returncode != 0
    assert "TENDER_SEALING_KEY must be set" in result.stderr


def test_production_never_skips_two_factor():
    code = "from django.conf import settings; print(settings.SKIP_TWO_FACTOR, settings.SECURE_HSTS_SECONDS)"
    result = _manage(["shell", "--no-imports", "-c", code], PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "31536000"]
    refused = _manage(["check"], {**PRODUCTION_ENV, "SKIP_TWO_FACTOR": "true"})
    assert refused.returncode != 0
    assert "SKIP_TWO_FACTOR is for development only" in refused.stderr


def _database_options(extra_env) -> str:
    show = "from django.conf import settings; print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))"
    env = {"DJANGO_SETTINGS_MODULE": "commissioning.settings.dev", **extra_env}
    result = _manage(["shell", "--verbosity", "0", "-c", show], env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_postgresql_queries_are_prepared_unless_turned_off():
    postgres = {"DATABASE_URL": "postgres://portal@db.example.org:5432/portal"}
    default = _database_options(postgres)
    assert "('prepare_threshold', 5)" in default and "('server_side_binding', True)" in default
    assert "('prepare_threshold', 2)" in _database_options({**postgres, "DATABASE_PREPARE_THRESHOLD": "2"})
    off = _database_options({**postgres, "DATABASE_PREPARE_THRESHOLD": "0"})
    assert "prepare_threshold" not in off and "server_side_binding" not in off and "jit=off" in off
    assert _database_options({}) == "[]\n"  # SQLite: no such options
