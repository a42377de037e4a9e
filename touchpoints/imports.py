"""Reading measurements from CSV (the ``import_measurements`` command and the upload page).

The file has a header row with the columns ``kpi_id``, ``period`` (YYYY-MM-DD) and ``value``,
and optionally ``source``; other columns (a touchpoint or KPI name for people reading the
file) are ignored. Lines are numbered as a spreadsheet shows them: the header is line 1.
"""

from __future__ import annotations

import csv
import io

from engagement.core.errors import Invalid
from touchpoints.services import MeasurementRow, RowsRejected, measurements_record

REQUIRED_COLUMNS = ("kpi_id", "period", "value")
MAX_ROWS = 50_000


def read_rows(text: str) -> list[MeasurementRow]:
    """Parse CSV text into rows; a file that is not such a CSV is refused as a whole."""
    if not text.strip():
        raise Invalid("The file is empty.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise Invalid(
            f"The first line must name the columns {', '.join(REQUIRED_COLUMNS)} (and optionally "
            f"source); missing: {', '.join(missing)}."
        )
    reader.fieldnames = header
    rows = []
    try:
        for number, record in enumerate(reader, start=2):
            if not any((v or "").strip() for k, v in record.items() if k):
                continue  # blank line
            if number - 1 > MAX_ROWS:
                raise Invalid(f"The file has more than {MAX_ROWS} rows; split it.")
            rows.append(
                MeasurementRow(
                    kpi_id=record.get("kpi_id") or "",
                    period=record.get("period") or "",
                    value=record.get("value") or "",
                    source=record.get("source") or "",
                    line=number,
                )
            )
    except csv.Error as exc:
        raise Invalid(f"The file is not valid CSV: {exc}.") from None
    if not rows:
        raise Invalid("The file has a header but no rows.")
    return rows


def decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise Invalid("The file is not a CSV text file (it looks binary, e.g. a spreadsheet).")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid("The file is not a CSV text file (UTF-8 or Windows-1252).")


def import_measurements(*, actor, data: bytes):
    """Import a CSV file, all or nothing. Returns the recorded measurements, or raises
    ``RowsRejected`` (every bad line and why) or ``Invalid`` (the file as a whole)."""
    return measurements_record(actor=actor, rows=read_rows(decode(data)))


__all__ = ["RowsRejected", "import_measurements", "read_rows"]
