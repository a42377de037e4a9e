"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Browsers are never downloaded (``playwright install`` cannot reach its download host here):
the tests launch the machine's Chromium, ``/usr/bin/chromium`` or ``$CHROMIUM``. Without it
every browser test is reported skipped with the reason, and without ``node_modules/axe-core``
(``npm ci``) the accessibility tests are; under ``REQUIRE_BROWSER=1`` (CI) each of those skips
is an error instead, so a missing browser can never pass for a green run.

Every test gets the demo organisation (``seed_demo``) in a transactional database, its own
browser context, and a check at the end that the pages it opened logged no console error and
no failed request. A failing test leaves a screenshot of each open page; the failure report
says where.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from e2e.axe import AXE_SCRIPT, ROOT
from e2e.browser import browser_problem, launch, refuse

DESKTOP = {"width": 1280, "height": 900}
# How long an action or an expect() waits: generous for a loaded CI machine, short enough
# to fail fast.
TIMEOUT_MS = 10_000
# A navigation or an htmx swap cancels the requests still in flight on the old page (the
# notification badge, say): Chromium reports those as aborted, which is not a failure.
ABORTED = "net::ERR_ABORTED"


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    problem = browser_problem()
    if problem:
        refuse(problem)
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    # Playwright's sync API runs an asyncio event loop in this thread (in a greenlet, so it
    # looks "running" to Django between calls too). Django refuses ORM calls from a thread
    # with a running loop, to protect async code they would block; nothing async shares
    # this loop, and the tests must use the database directly (the demo, session cookies,
    # the final checks). The live server answers from its own threads either way.
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Django keeps a thread's database connections in an asgiref Local that switches to a
    # separate, per-context store while an event loop runs in the thread: this thread would
    # open a second connection to the test database beside the one pytest-django's
    # transactions and the live server use (and two connections to the shared in-memory
    # SQLite database end in "FOREIGN KEY constraint failed"). Keep the same connections.
    existing = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    try:
        for alias, connection in existing.items():
            connections[alias] = connection
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


@pytest.fixture
def axe_script():
    """The axe-core engine from node_modules, to inject into the pages under test."""
    if not AXE_SCRIPT.is_file():
        refuse(f"axe-core is not installed at {AXE_SCRIPT.relative_to(ROOT)}: run npm ci")
    return AXE_SCRIPT


@pytest.fixture
def demo(live_server):
    """The demo organisation of ``manage.py seed_demo``, built afresh for this test.

    About 2.5 s a test, where factories would build a world for one flow in a fraction of
    that: the tests walk the pages people see in the README and the screenshots (sixty
    touchpoints, five boards, open conflicts, an overdue decision), and all six together
    still take about half a minute."""
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())


@dataclass
class PageProblems:
    """What went wrong in the browser while a test looked away."""

    console: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    allowed: list[re.Pattern] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console.append(f"console error on {message.location.get('url')}: {message.text}")

    def _on_request_failed(self, request) -> None:
        if request.failure == ABORTED:
            return
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.failed_requests.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )

    def unexpected(self) -> list[str]:
        return [
            problem
            for problem in self.console + self.failed_requests
            if not any(pattern.search(problem) for pattern in self.allowed)
        ]


class Browsing:
    """The browser contexts of one test: one per person signed in, closed at the end."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.base_url = live_server.url
        self.contexts = []
        self.problems = PageProblems()

    def new_page(self, *, viewport=None):
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=viewport or DESKTOP,
            locale="en-GB",
            timezone_id="UTC",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        self.problems.watch(page)
        return page

    def sign_in(self, username: str, *, viewport=None):
        """A page signed in as ``username`` (a session cookie, as the login form would set).

        The dashboard test signs in through the real form; the other tests skip it."""
        from django.conf import settings
        from django.test import Client

        from engagement.org.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        page = self.new_page(viewport=viewport)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.base_url,
                    "httpOnly": True,
                }
            ]
        )
        return page

    def allow(self, pattern: str) -> None:
        """Expect a browser message matching ``pattern`` (e.g. the 400 of a refused form)."""
        self.problems.allowed.append(re.compile(pattern))

    def pages(self):
        return [page for context in self.contexts for page in context.pages]

    def screenshots(self, name: str) -> list[str]:
        folder = Path(tempfile.gettempdir()) / "engagement-e2e-failures"
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for index, page in enumerate(self.pages(), start=1):
            path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{index}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
            except Exception as exc:  # a crashed page cannot be photographed; say so
                saved.append(f"{page.url}: no screenshot ({exc})")
            else:
                saved.append(f"{page.url}: {path}")
        return saved

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []


@pytest.fixture
def browsing(request, browser, live_server, demo):
    """Pages for this test, checked for console errors and failed requests at the end."""
    session = Browsing(browser, live_server)
    request.node.browsing = session
    yield session
    problems = session.problems.unexpected()
    try:
        if problems:
            shots = session.screenshots(f"{request.node.name}-teardown")
            pytest.fail(
                "The browser reported problems:\n  "
                + "\n  ".join(problems)
                + "\nScreenshots:\n  "
                + "\n  ".join(shots),
                pytrace=False,
            )
    finally:
        session.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing browser test, photograph every page it had open and say where."""
    outcome = yield
    report = outcome.get_result()
    session = getattr(item, "browsing", None)
    if report.when != "call" or not report.failed or session is None:
        return
    shots = session.screenshots(item.name)
    if shots:
        report.sections.append(("browser screenshots at the failure", "\n".join(shots)))
