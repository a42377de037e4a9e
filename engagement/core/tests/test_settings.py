"""The settings refuse a bad environment with one line saying what to set.

Each case starts a real process with a crafted environment, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engagement.config import (
    SettingsError,
    broker_url,
    database_config,
    email_config,
    secret_key,
)

ROOT = Path(__file__).resolve().parents[3]
GOOD_KEY = "k" * 20 + "-production-secret-for-tests-only-0123456789"
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "engage.example.com",
    "DATABASE_URL": "sqlite:////tmp/engagement-settings-test.sqlite3",
    "CELERY_BROKER_URL": "filesystem://",
}


def run(args: list[str], **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "PYTEST_VERSION"}
    env.update(PRODUCTION)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Configuration error:")]
    assert len(errors) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return errors[0]


def test_production_settings_load():
    result = run(["manage.py", "check"])
    assert result.returncode == 0, result.stderr


def test_missing_secret_key_outside_debug_stops_with_one_line():
    result = run(["manage.py", "check"], SECRET_KEY=None)
    assert result.returncode == 2
    assert "SECRET_KEY is not set" in one_line(result.stderr)


def test_short_secret_key_outside_debug_is_refused():
    result = run(["manage.py", "check"], SECRET_KEY="too-short")
    assert result.returncode == 2
    assert "SECRET_KEY is too short" in one_line(result.stderr)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres//missing-colon", "unsupported scheme"),
        ("mysql://u:p@db/x", "unsupported scheme 'mysql'"),
        ("postgres://user@:5432/", "must name a host and a database"),
        ("postgres://user@db:notaport/x", "malformed"),
        ("sqlite://", "names no SQLite file"),
    ],
)
def test_malformed_database_url_stops_with_one_line(url, says):
    result = run(["manage.py", "check"], DATABASE_URL=url)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "DATABASE_URL" in line and says in line


def test_missing_allowed_hosts_outside_debug_is_refused():
    result = run(["manage.py", "check"], ALLOWED_HOSTS=None)
    assert result.returncode == 2
    assert "ALLOWED_HOSTS" in one_line(result.stderr)


def test_nonsense_debug_value_is_refused():
    result = run(["manage.py", "check"], DEBUG="maybe")
    assert result.returncode == 2
    assert "DEBUG must be true or false" in one_line(result.stderr)


def test_malformed_email_url_is_refused():
    result = run(["manage.py", "check"], EMAIL_URL="smtp://user@host:notaport")
    assert result.returncode == 2
    assert "EMAIL_URL is malformed" in one_line(result.stderr)


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("filemail:///srv/mail", "/srv/mail"),  # absolute, as written
        ("filemail://var/mail", "/project/var/mail"),  # relative to the project
    ],
)
def test_file_mail_goes_to_the_folder_written(url, folder):
    config = email_config(url, Path("/project"))
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert config["EMAIL_FILE_PATH"] == folder


def test_file_mail_without_a_folder_is_refused():
    with pytest.raises(SettingsError, match="needs a folder"):
        email_config("filemail://", Path("/project"))


def test_unsupported_cache_is_refused():
    result = run(["manage.py", "check"], CACHE_URL="memcache://127.0.0.1:11211")
    assert result.returncode == 2
    assert "CACHE_URL has an unsupported scheme" in one_line(result.stderr)


def test_unknown_time_zone_is_refused():
    result = run(["manage.py", "check"], TIME_ZONE="Mars/Olympus_Mons")
    assert result.returncode == 2
    assert "TIME_ZONE 'Mars/Olympus_Mons' is not a known time zone" in one_line(result.stderr)


def test_unsupported_broker_is_refused():
    result = run(["manage.py", "check"], CELERY_BROKER_URL="sqs://queue")
    assert result.returncode == 2
    assert "CELERY_BROKER_URL" in one_line(result.stderr)


def test_unreachable_broker_stops_the_worker_with_one_line():
    result = run(
        ["-m", "celery", "-A", "engagement", "worker", "--pool=solo"],
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "cannot reach the Celery broker at redis://127.0.0.1:1/0" in line
    assert "CELERY_BROKER_URL" in line


def test_unreachable_broker_stops_the_scheduler_with_one_line():
    result = run(
        ["-m", "celery", "-A", "engagement", "beat"], CELERY_BROKER_URL="redis://127.0.0.1:1/0"
    )
    assert result.returncode == 2
    assert "cannot reach the Celery broker" in one_line(result.stderr)


def test_unreachable_broker_fails_the_deploy_check():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode != 0
    assert "engagement.E001" in result.stderr
    assert "cannot reach the Celery broker" in result.stderr


def test_filesystem_broker_is_flagged_by_the_deploy_check():
    result = run(["manage.py", "check", "--deploy"])
    assert "engagement.W001" in result.stderr


# The same rules, as plain functions (fast, and they document the accepted shapes).


@pytest.mark.parametrize(
    "url",
    [
        "postgres://user:pass@db.example.com:5432/engagement",
        "postgresql://user@127.0.0.1/engagement",
        "sqlite:////srv/engagement/db.sqlite3",
    ],
)
def test_accepted_database_urls(url):
    assert database_config(url)["NAME"]


def test_secret_key_rules():
    assert secret_key("", debug=True).startswith("django-insecure-")
    with pytest.raises(SettingsError):
        secret_key("", debug=False)
    assert secret_key(GOOD_KEY, debug=False) == GOOD_KEY


def test_broker_rules():
    assert broker_url("redis://localhost:6379/0")
    with pytest.raises(SettingsError):
        broker_url("amqp://guest@localhost//")


@pytest.mark.parametrize(("value", "says"), [("0", "between 1 and 3660"), ("ninety", "whole")])
def test_bad_meeting_horizon_is_refused(value, says):
    result = run(["manage.py", "check"], BOARD_MEETING_HORIZON_DAYS=value)
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "BOARD_MEETING_HORIZON_DAYS" in line and says in line
