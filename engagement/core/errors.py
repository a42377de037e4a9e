"""The one family of domain errors that services raise.

Interfaces never invent their own: the API's exception handler and the HTML middleware and
form mixin turn these into 400/403/404/409 responses and form errors with the same message.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. ``message`` is shown to the person as is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class Invalid(DomainError):
    """The input breaks a rule (400)."""

    status_code = 400
    code = "invalid"


class NotAllowed(DomainError):
    """The person may see the object but may not do this to it (403)."""

    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    """The object does not exist, or the person may not see it (404)."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state, e.g. a right already held (409)."""

    status_code = 409
    code = "conflict"


def raise_invalid(exc) -> None:
    """Re-raise a Django ``ValidationError`` as ``Invalid``, naming its first field and message.

    Services validate with ``full_clean()``; this gives the person the first problem in words,
    with the field it belongs to so forms can show it there."""
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(messages[0], field=None if field == "__all__" else field) from None
    raise Invalid(exc.messages[0]) from None
