"""Validation of the environment the settings are read from.

Every problem with the configuration is raised as one ``SettingsError`` whose message is a
single line saying which variable to set and how. ``manage.py``, ``wsgi.py`` and the Celery
app catch it and print that line instead of a traceback, so an operator sees what to fix.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
SUPPORTED_BROKER_SCHEMES = ("redis", "rediss", "filesystem", "memory")


class SettingsError(ImproperlyConfigured):
    """A configuration problem an operator fixes by setting an environment variable."""


def database_config(url: str) -> dict:
    """Parse ``DATABASE_URL`` into a Django ``DATABASES`` entry, refusing what we don't run on."""
    example = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:///path/to/file.sqlite3"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise SettingsError(f"DATABASE_URL is malformed ({exc}); set it like {example}") from None
    if parts.scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise SettingsError(
            f"DATABASE_URL has an unsupported scheme {parts.scheme!r}; set it like {example}"
        )
    try:
        config = environ.Env.db_url_config(url)
    except (ValueError, ImproperlyConfigured) as exc:
        raise SettingsError(f"DATABASE_URL is malformed ({exc}); set it like {example}") from None
    if parts.scheme == "sqlite":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise SettingsError(f"DATABASE_URL names no SQLite file; set it like {example}")
    elif not config.get("NAME") or not config.get("HOST"):
        raise SettingsError(f"DATABASE_URL must name a host and a database; set it like {example}")
    return config


def email_config(url: str, base_dir: Path) -> dict:
    """Parse ``EMAIL_URL`` into Django's EMAIL_* settings."""
    example = "consolemail://, filemail:///path/to/folder or smtp+tls://USER:PASSWORD@HOST:587"
    try:
        config = environ.Env.email_url_config(url)
    except (ValueError, ImproperlyConfigured) as exc:
        raise SettingsError(f"EMAIL_URL is malformed ({exc}); set it like {example}") from None
    parts = urlsplit(url)
    if parts.scheme == "filemail":
        # django-environ drops the leading "/" of filemail:///abs/path; keep the path as
        # written: absolute, or relative to the project (filemail://var/mail).
        path = Path(parts.netloc + parts.path)
        if not parts.path and not parts.netloc:
            raise SettingsError(f"EMAIL_URL filemail:// needs a folder; set it like {example}")
        config["EMAIL_FILE_PATH"] = str(path if path.is_absolute() else base_dir / path)
    return config


def cache_config(url: str) -> dict:
    """Parse ``CACHE_URL``: Redis shared by every process in production, memory otherwise."""
    example = "redis://HOST:6379/1 or locmemcache://"
    if urlsplit(url).scheme not in ("redis", "rediss", "locmemcache", "dummycache"):
        raise SettingsError(f"CACHE_URL has an unsupported scheme; set it like {example}")
    try:
        return environ.Env.cache_url_config(url)
    except (ValueError, ImproperlyConfigured) as exc:
        raise SettingsError(f"CACHE_URL is malformed ({exc}); set it like {example}") from None


def time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"TIME_ZONE {name!r} is not a known time zone; set an IANA name such as "
            "Europe/London or America/New_York"
        ) from None
    return name


def broker_url(url: str) -> str:
    """Check ``CELERY_BROKER_URL`` names a broker this project supports."""
    scheme = urlsplit(url).scheme
    if scheme not in SUPPORTED_BROKER_SCHEMES:
        raise SettingsError(
            f"CELERY_BROKER_URL has an unsupported scheme {scheme!r}; "
            "set it like redis://HOST:6379/0 (or filesystem:// for a single machine)"
        )
    return url


def secret_key(value: str, *, debug: bool) -> str:
    """The secret key: required outside DEBUG, never generated on the fly.

    A random fallback would give every process its own key, so sessions and password-reset
    links would break between gunicorn workers; failing loudly is the only honest default.
    """
    if value:
        if not debug and len(value) < 50:
            raise SettingsError(
                "SECRET_KEY is too short for production; set it to 50 or more random "
                "characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')"
            )
        return value
    if debug:
        # A fixed, obviously unsafe key keeps local runs reproducible without pretending to
        # be secret; check --deploy flags it and it is refused when DEBUG is off.
        return "django-insecure-local-development-only-never-use-this-key-in-production"
    raise SettingsError(
        "SECRET_KEY is not set; set SECRET_KEY to 50 or more random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))') or set DEBUG=true "
        "for local development"
    )
