import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import make_user

pytestmark = pytest.mark.django_db

HOMES = {"officer": "/officer/", "evaluator": "/evaluator/", "provider": "/provider/", "partner": "/partner/"}


@pytest.mark.parametrize("owner", HOMES)
@pytest.mark.parametrize("visitor", HOMES)
def test_each_home_page_admits_only_its_role(client, owner, visitor):
    client.force_login(make_user(visitor))
    response = client.get(HOMES[owner])
    if owner == visitor:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "You do not have access to this page" in response.content.decode()


@pytest.mark.parametrize("path", HOMES.values())
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/sign-in/?next={path}"


def test_the_root_sends_signed_in_users_to_their_home(client, provider):
    client.force_login(provider)
    assert client.get("/").url == "/provider/"


def test_the_root_shows_the_start_page_to_the_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Commission victim services with us" in response.content.decode()


def test_provider_home_shows_their_own_organisation(client, provider):
    client.force_login(provider)
    response = client.get("/provider/")
    assert provider.supplier_membership.supplier.legal_name in response.content.decode()


def test_evaluators_cannot_use_the_admin(client, evaluator):
    client.force_login(evaluator)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_officers_work_in_the_admin(client, officer):
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/commissioning/area/").status_code == 200


def test_officers_cannot_make_themselves_superusers(client, officer):
    client.force_login(officer)
    page = client.get(f"/admin/commissioning/user/{officer.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page


def test_partners_are_refused_every_unsafe_request(client, partner):
    client.force_login(partner)
    for path in ["/partner/", "/provider/", "/officer/", "/"]:
        assert client.post(path).status_code == 403
    assert client.post("/sign-out/").status_code == 302


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin has its own permission checks, tested separately
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_every_view_declares_an_access_policy():
    missing = [
        route
        for route, entry in _walk(get_resolver().url_patterns)
        if not getattr(entry.callback, "access_policy", None)
    ]
    assert missing == []


def test_security_headers_on_a_signed_in_page(client, provider):
    client.force_login(provider)
    response = client.get("/provider/")
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_public_pages_may_be_cached_but_carry_the_csp(client):
    response = client.get("/accessibility/")
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Content-Security-Policy" in response


def test_session_and_csrf_cookies_are_http_only(client, provider):
    response = client.post("/sign-in/", {"username": provider.email, "password": "a-long-test-password-42"})
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_not_found_page_is_our_own(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.commissioning.failing_urls")
def test_server_errors_show_our_page_and_no_traceback(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "Traceback" not in html and "ZeroDivisionError" not in html


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/", "/sign-in/", "/password-reset/"])
def test_public_pages_have_one_h1_a_title_and_breadcrumbs(client, path):
    html = client.get(path).content.decode()
    assert html.count("<h1") == 1
    assert "<title>" in html
    assert 'class="govuk-breadcrumbs"' in html or 'class="govuk-back-link"' in html


def test_the_admin_index_is_grouped_by_the_commissioning_cycle(client, officer):
    client.force_login(officer)
    html = client.get("/admin/").content.decode()
    stages = ("Set-up", "Suppliers", "Selection", "Records and background work")
    positions = [html.find(f">{stage}</a>") for stage in stages]
    assert -1 not in positions and positions == sorted(positions)
    assert "Audit events" in html


def test_the_health_check_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"
