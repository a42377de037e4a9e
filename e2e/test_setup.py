"""The browser tests never pass silently: without Chromium or axe-core they say why they are
skipped, and a run that requires them (CI's REQUIRE_BROWSER=1) fails instead."""

from __future__ import annotations

import pytest

from e2e import browser


def test_a_missing_chromium_is_named_with_the_way_to_install_it(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nowhere/chromium")

    assert browser.browser_problem() == (
        "Chromium not found at /nowhere/chromium; install Debian's chromium package "
        "(apt-get install chromium) or point CHROMIUM at a Chromium binary"
    )


def test_an_executable_chromium_is_no_problem(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setattr(browser, "CHROMIUM", str(fake))

    assert browser.browser_problem() is None


def test_without_the_requirement_a_missing_tool_is_a_skip_with_the_reason(monkeypatch):
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)

    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        browser.refuse("Chromium not found at /nowhere/chromium")


def test_under_require_browser_a_missing_tool_fails_the_run(monkeypatch):
    monkeypatch.setenv("REQUIRE_BROWSER", "1")

    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but run npm ci"):
        browser.refuse("run npm ci")
