"""The charter as CSV: one row per touchpoint with the holder of each right.

Names are made safe for spreadsheets (``engagement.core.csv_export.safe``): a function or
touchpoint name cannot run as a formula in the reader's spreadsheet.
"""

from __future__ import annotations

import csv

from charter.selectors import RIGHTS, Row
from engagement.core.csv_export import safe


def header() -> list[str]:
    return [
        "touchpoint_id",
        "touchpoint",
        "stage",
        "channel",
        "priority",
        "status",
        *[right.value for right in RIGHTS],
        "vacant",
        "contested",
    ]


def row_values(row: Row) -> list[str]:
    tp = row.touchpoint
    return [
        str(tp.pk),
        safe(tp.name),
        safe(tp.stage.name),
        safe(tp.channel.name),
        tp.priority,
        tp.status,
        *[safe(cell.function.name) if cell.function else "" for cell in row.cells],
        " ".join(cell.right.value for cell in row.cells if cell.is_vacant),
        " ".join(cell.right.value for cell in row.cells if cell.is_contested),
    ]


def write_matrix(out, rows: list[Row]) -> None:
    """Write the header and one line per row to ``out`` (a file or an HttpResponse)."""
    writer = csv.writer(out)
    writer.writerow(header())
    for row in rows:
        writer.writerow(row_values(row))
