"""CSV exports of the lists: streamed row by row, and safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) is prefixed with an apostrophe, so a name typed into the product cannot run in the
reader's spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def moment(value) -> str:
    """A date and time in the current time zone, to the minute ("" when there is none)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def day(value) -> str:
    """A date as YYYY-MM-DD ("" when there is none)."""
    return value.isoformat() if value else ""


def refused(message: str, errors) -> HttpResponse:
    """The 400 answer to an export whose filters are not valid: ``message``, then each filter
    with what is wrong with it, as plain text (the list itself shows the same errors)."""
    lines = [f"{name}: {' '.join(str(e) for e in problems)}" for name, problems in errors.items()]
    return HttpResponse(
        "\n".join([str(message), *lines]) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


class _Echo:
    """A file-like object whose write() hands the line back, for streaming."""

    def write(self, value):
        return value


def stream(name: str, lines: Callable[[], Iterable[list]]) -> StreamingHttpResponse:
    """An attachment ``<name>-<today>.csv`` whose rows ``lines()`` yields (the header first).
    The rows are produced while the response streams, after the view has returned, so they
    are written in the request's language."""
    language = translation.get_language()
    writer = csv.writer(_Echo())

    def rows():
        with translation.override(language):
            for line in lines():
                yield writer.writerow(line)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
