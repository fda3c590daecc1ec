"""Every page without an object in its URL, fetched as each role, carries the security headers."""

import pytest
from django.urls import get_resolver, reverse

from commissioning.models import User
from tests.factories import make_user
from tests.quality.test_access_walk import walk

pytestmark = pytest.mark.django_db


def plain_get_urls():
    for name, entry in walk(get_resolver().url_patterns):
        if entry.pattern.converters or not name:
            continue
        yield reverse(name)


@pytest.mark.parametrize("role", [None, "officer", "evaluator", "provider", "partner"])
def test_security_headers_on_every_page(client, role):
    if role:
        client.force_login(make_user(role))
    checked = 0
    for url in plain_get_urls():
        response = client.get(url)
        if response.status_code >= 300 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        checked += 1
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["Referrer-Policy"] == "same-origin", url
        if role:
            assert response["Cache-Control"] == "no-store", url
    assert checked >= 3


def test_production_cookies_are_secure_and_hsts_is_on():
    import subprocess
    import sys

    from tests.commissioning.test_settings import PRODUCTION_ENV, ROOT

    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"], result.stderr


def test_hsts_header_is_sent_over_https_in_production_shape(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/accessibility/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_server_errors_hide_the_traceback_for_signed_in_users_too(client, settings):
    settings.ROOT_URLCONF = "tests.commissioning.failing_urls"
    client.raise_request_exception = False
    client.force_login(make_user(User.Role.OFFICER))
    response = client.get("/boom/")
    assert response.status_code == 500 and "Traceback" not in response.content.decode()
