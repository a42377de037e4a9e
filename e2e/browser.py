"""Which Chromium the browser tests and the screenshots drive, and how it is started.

Debian's package, never a browser Playwright downloads (``playwright install`` cannot reach
its download host here); ``CHROMIUM`` points elsewhere.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these, Chromium keeps calling home (updates, sync, field trials), which a
    # closed network refuses, noisily, at every start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Containers give /dev/shm 64 MB; Chromium's renderers crash on long pages without this.
    "--disable-dev-shm-usage",
]


def chromium_executable(path: str | None = None) -> str | None:
    return shutil.which(path or CHROMIUM)


def browser_problem(path: str | None = None) -> str | None:
    """Why Chromium cannot be driven on this machine, or None."""
    path = path or CHROMIUM
    if chromium_executable(path) is None:
        return (
            f"Chromium not found at {path}; install Debian's chromium package "
            "(apt-get install chromium) or point CHROMIUM at a Chromium binary"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed; run make install"
    return None


def refuse(reason: str) -> None:
    """Skip the test with the reason, or fail it when this run promised to run the browser
    tests (``REQUIRE_BROWSER=1``, as CI sets): a missing browser never passes for green."""
    import pytest

    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def launch(playwright):
    """A headless Debian Chromium, started by ``playwright`` (a sync_playwright() handle)."""
    return playwright.chromium.launch(
        executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
    )
