"""Regenerate the README's screenshots in docs/screenshots/: ``make screenshots``.

A fresh demo database (``migrate`` + ``seed_demo``) in a temporary folder, so the developer's
database, mail folder and broker are never touched; Django's live-server thread inside this
process, so no server is left running; Debian's Chromium through Playwright, at 1280 px wide
(and one phone, 390 px). The demo is deterministic, so a re-run shows the same pages; only the
dates move with today.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
# Tall enough for the dashboard's headline figures and its first charts.
DASHBOARD = {"width": 1280, "height": 1440}
PHONE = {"width": 390, "height": 844}
PASSWORD = "engage-demo-2026"


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str
    viewport: dict
    caption: str
    function: str = ""  # pick this function in the page's filter before the picture


def _configure(folder: Path) -> None:
    """Point every setting that writes somewhere at ``folder``, before Django starts."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "engagement.settings",
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
            "EMAIL_URL": f"filemail://{folder / 'mail'}",
            "STATIC_ROOT": str(folder / "static"),
            # Jobs the demo enqueues run at once, on this database, not in a developer's
            # worker through the shared broker folder.
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
    )


def _shots() -> list[Shot]:
    """The pages to photograph; ids are looked up in the demo, which names everything."""
    from boards.models import Board, Decision
    from summits.models import ActionItem
    from touchpoints.models import Touchpoint

    board = Board.objects.get(name="Customer-engagement board")
    decision = Decision.objects.filter(board=board, conflict__isnull=False).order_by("pk").first()
    item = ActionItem.objects.filter(owner__username="nkowalski").order_by("pk").first()
    touchpoint = Touchpoint.objects.get(name="Online checkout")
    return [
        Shot("dashboard", "ceo", "/dashboard/", DASHBOARD, "The executive dashboard"),
        Shot(
            "dashboard-filtered",
            "ceo",
            "/dashboard/",
            DESKTOP,
            "The dashboard filtered by a function",
            function="Operations",
        ),
        Shot("my-work", "dokafor", "/my-work/", DESKTOP, "My work: what is due and waiting"),
        Shot("touchpoints", "dokafor", "/touchpoints/", DESKTOP, "The touchpoint inventory"),
        Shot(
            "touchpoint",
            "dokafor",
            f"/touchpoints/{touchpoint.pk}/",
            DESKTOP,
            "A touchpoint: health, KPIs and rights",
        ),
        Shot("charter", "dokafor", "/charter/", DESKTOP, "The charter's rights matrix"),
        Shot("board", "dokafor", f"/boards/{board.pk}/", DESKTOP, "A board and its health"),
        Shot(
            "decision",
            "dokafor",
            decision.get_absolute_url(),
            DESKTOP,
            "A decision that resolved a conflict",
        ),
        Shot(
            "action-item",
            "nkowalski",
            f"/summits/actions/{item.pk}/",
            DESKTOP,
            "A summit action item, for its owner",
        ),
        Shot("search", "dokafor", "/search/?q=checkout", DESKTOP, "Search across the record"),
        Shot(
            "board-pack",
            "dokafor",
            f"/dashboard/boards/{board.pk}/pack/",
            DESKTOP,
            "The printable board pack",
        ),
        Shot("mobile-dashboard", "ceo", "/dashboard/", PHONE, "The dashboard on a phone"),
    ]


def _sign_in(browser, base_url: str, user: str, viewport: dict):
    """A page signed in through the login form, as a person would."""
    context = browser.new_context(
        base_url=base_url, viewport=viewport, locale="en-GB", timezone_id="UTC"
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"Could not sign in as {user}: is the demo seeded?")
    return page


def _take(page, shot: Shot, folder: Path) -> Path:
    response = page.goto(shot.path)
    if response is None or response.status != 200:
        status = response.status if response else "no answer"
        raise SystemExit(f"{shot.path} answered {status} for {shot.user}; no screenshot taken")
    page.wait_for_load_state("networkidle")
    if shot.function:
        page.get_by_label("Function").select_option(label=shot.function)
        page.wait_for_url(lambda url: "function=" in url)
        page.wait_for_load_state("networkidle")
    path = folder / f"{shot.name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from e2e.browser import browser_problem, launch

    problem = browser_problem()
    if problem:
        print(f"Cannot take screenshots: {problem}", file=sys.stderr)
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="engagement-screenshots-") as tmp:
        _configure(Path(tmp))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        shots = _shots()

        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.db import connections
        from django.test.testcases import LiveServerThread
        from playwright.sync_api import sync_playwright

        # The demo is built and the ids are read: from here on the ORM runs only in the
        # server's threads, never beside Playwright's event loop in this one.
        connections.close_all()
        server = LiveServerThread("localhost", static_handler=StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base_url = f"http://localhost:{server.port}"
        OUT.mkdir(parents=True, exist_ok=True)
        taken = []
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                pages = {}
                try:
                    for shot in shots:
                        if shot.user not in pages:
                            pages[shot.user] = _sign_in(browser, base_url, shot.user, DESKTOP)
                        page = pages[shot.user]
                        page.set_viewport_size(shot.viewport)
                        taken.append((shot, _take(page, shot, OUT)))
                finally:
                    browser.close()
        finally:
            server.terminate()
            connections.close_all()
    for stale in sorted(set(OUT.glob("*.png")) - {path for _, path in taken}):
        stale.unlink()
        print(f"removed {stale.relative_to(ROOT)} (no longer taken)")
    for shot, path in taken:
        print(f"{path.relative_to(ROOT)}  {shot.caption} ({shot.user}, {shot.path})")
    print(f"{len(taken)} screenshots in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
