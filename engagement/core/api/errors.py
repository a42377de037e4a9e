"""One error format for the whole API.

Every error answers ``{"detail": "<a sentence for a person>", "code": "<machine code>"}``
and, for invalid input, ``"errors": {"<field>": ["<message>", ...]}``. Domain errors map to
their status (400/403/404/409); database integrity errors that slip past validation are a 409,
never a 500.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from engagement.core.errors import DomainError

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The error format, for the OpenAPI schema of every app's error responses."""

    detail = serializers.CharField(help_text="A sentence for a person.")
    code = serializers.CharField(help_text="invalid, not_allowed, not_found, conflict...")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field, for invalid input.",
    )


def _flatten(detail) -> dict[str, list[str]] | list[str] | str:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = [_flatten(item) for item in detail]
        return flat
    return str(detail)


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            message = _first_message(value)
            if message:
                prefix = "" if key in ("non_field_errors", "__all__", "detail") else f"{key}: "
                return f"{prefix}{message}"
        return ""
    if isinstance(errors, list):
        for item in errors:
            message = _first_message(item)
            if message:
                return message
        return ""
    return str(errors)


def error_body(detail: str, code: str, errors=None) -> dict:
    body = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    return body


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, DomainError):
        set_rollback()
        errors = {exc.field: [exc.message]} if exc.field else None
        return Response(error_body(exc.message, exc.code, errors), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        set_rollback()
        logger.warning("Integrity error reached the API: %s", exc)
        return Response(
            error_body(
                "The change clashes with the current data (it may have been changed by "
                "someone else); reload and try again.",
                "conflict",
            ),
            status=status.HTTP_409_CONFLICT,
        )

    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django report it as a 500

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
        detail = _first_message(errors) or "The input is not valid."
        return Response(
            error_body(detail, "invalid", errors), status=exc.status_code, headers=headers
        )
    detail = exc.detail
    code = getattr(detail, "code", None) or exc.default_code
    return Response(error_body(str(detail), str(code)), status=exc.status_code, headers=headers)
