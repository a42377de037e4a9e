"""CSV exports of the lists: streamed row by row, and safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) is prefixed with an apostrophe, so a name typed into the product cannot run in the
reader's spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from django.http import StreamingHttpResponse
from django.utils import timezone, translation

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


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
