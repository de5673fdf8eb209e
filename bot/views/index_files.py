"""The index as open data: one row per edition (year), municipality and dimension, as CSV or JSON.

Both carry exactly :meth:`IndexHistory.rows` (the overall score is the dimension ``overall``) with the Polish names
of the municipality and the dimension: a withheld municipality's rows say ``published`` false and nothing else —
no mean, interval, change, rank or number of responses. The CSV is ``;``-separated UTF-8 with a BOM (what a
spreadsheet opens in Poland) and every cell is made safe for spreadsheets (:func:`bot.text.for_csv_cell`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from bot.errors import InputError
from bot.replies import Document
from bot.services.index import OVERALL, IndexHistory
from bot.text import for_csv_cell
from bot.views.index import Place, area_name

__all__ = ["COLUMNS", "INDEX_FORMATS", "index_document"]

INDEX_FORMATS = ("csv", "json")
COLUMNS = (
    "index",
    "year",
    "process",
    "area",
    "area_name",
    "dimension",
    "dimension_name",
    "published",
    "rank",
    "responses",
    "mean",
    "ci95_low",
    "ci95_high",
    "change",
)


def _named_rows(history: IndexHistory, places: Mapping[str, Place] | None) -> list[dict[str, Any]]:
    editions = {edition.year: edition for edition in history.editions}
    rows = []
    for row in history.rows():
        edition = editions[row["year"]]
        names = {dimension.key: dimension.name.pl for dimension in edition.definition.dimensions()}
        named = {
            **row,
            "area_name": area_name(edition, row["area"], "pl", places),
            "dimension_name": "indeks" if row["dimension"] == OVERALL else names.get(row["dimension"], ""),
        }
        rows.append({column: named[column] for column in COLUMNS if column in named})
    return rows


def index_document(history: IndexHistory, fmt: str, places: Mapping[str, Place] | None = None) -> Document:
    """``history`` as ``fmt`` (``csv`` or ``json``; else ``export.unknown_format``)."""
    fmt = fmt.strip().lower()
    rows = _named_rows(history, places)
    if fmt == "json":
        content = json.dumps({"index": history.key, "rows": rows}, ensure_ascii=False, indent=2).encode()
        return Document(f"{history.key}.json", content, "application/json")
    if fmt != "csv":
        raise InputError("export.unknown_format", format=fmt[:20])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(for_csv_cell(_cell(row.get(column))) for column in COLUMNS)
    return Document(f"{history.key}.csv", buffer.getvalue().encode("utf-8-sig"), "text/csv")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    return value
