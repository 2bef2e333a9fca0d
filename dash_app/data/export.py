"""Whole-view exports, streamed: CSV as rows arrive from a server-side cursor, Excel through a temp file.

Memory stays bounded by the fetch batch, not by the view: rows are read in batches from a cursor that
reads as it goes (SQLite's own, a server-side one elsewhere), written, and dropped. Excel needs the whole
file before it can be sent (a zip), so the workbook is built with xlsxwriter's constant_memory mode into a
temporary file that is streamed and deleted; a view over Excel's row limit is refused before any work starts.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.engine import Connection

from dash_app.data import cells
from dash_app.data.catalog import Table
from dash_app.data.paging import compiled, driver_cursor, ordered_select
from dash_app.data.query import ViewSpec
from dash_app.data.sql import raw

EXCEL_MAX_ROWS = 1_048_576  # rows of a worksheet, the header included
EXCEL_MAX_DATA_ROWS = EXCEL_MAX_ROWS - 1
FETCH_ROWS = 5_000
# Characters of CSV per chunk of the response. waitress copies a chunk of 1 MiB (its outbuf_overflow) or more
# through a temporary file: 1 MiB chunks were slower; 256 and 512 KiB export as fast (benchmarks/grid.py
# --only export), and 256 KiB with the lower peak memory.
CSV_FLUSH_BYTES = 256 * 1024
FILE_CHUNK_BYTES = 256 * 1024
EXCEL_TEXT_LIMIT = 32_767  # characters of one Excel cell


class ExportTooLarge(ValueError):
    """The view has more rows than the format can hold; the message is for the user."""


def export_columns(table: Table, spec: ViewSpec) -> list[str]:
    """The visible columns in their order, or every column."""
    return list(spec.columns) or list(table.names)


def _batches(connection: Connection, table: Table, spec: ViewSpec, columns: list[str],
             *, empty_nulls: bool = False) -> Iterator[Sequence]:
    """Rows of the view in batches of FETCH_ROWS from a cursor that reads as it goes (bounded memory).

    On SQLite, ``empty_nulls`` reads NULL as "" (what csv writes for either).
    """
    statement = ordered_select(table, spec, connection.dialect.name, columns)
    if connection.dialect.name != "sqlite":  # a server-side cursor, which SQLAlchemy picks per driver
        result = connection.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(statement)
        yield from result.partitions()
        return
    if empty_nulls:
        empty = sa.literal("", sa.types.NullType())
        statement = statement.with_only_columns(*[sa.func.coalesce(raw(table.sa_table.c[name]), empty)
                                                  for name in columns])
    # sqlite3's own cursor steps through the result as rows are fetched. Read directly, its tuples skip
    # SQLAlchemy's Row objects; the columns are typed raw (sql.raw), so the values are the same.
    sql, parameters = compiled(connection, statement)
    with driver_cursor(connection, sql, parameters) as cursor:
        while batch := cursor.fetchmany(FETCH_ROWS):
            yield batch


def _rows(connection: Connection, table: Table, spec: ViewSpec, columns: list[str]) -> Iterator[tuple]:
    for batch in _batches(connection, table, spec, columns):
        yield from batch


# Kinds whose values csv cannot write as they come (bytes, dicts, 0/1 booleans); the rest it writes itself
# (str, numbers, NULL as "", dates and Decimals through str(), which is their ISO/plain form).
CONVERTED_KINDS = {"boolean", "json", "binary"}


def csv_chunks(connection: Connection, table: Table, spec: ViewSpec) -> Iterator[bytes]:
    """The view as UTF-8 CSV (with a BOM so Excel reads accents), in chunks of about 256 KiB."""
    columns = export_columns(table, spec)
    kinds = [table.column(name).kind for name in columns]
    converted = [(position, kind) for position, kind in enumerate(kinds) if kind in CONVERTED_KINDS]
    # SQLite rows come as tuples with NULL read as "", so one %-format writes each row (see _csv_text).
    plain = connection.dialect.name == "sqlite" and len(columns) > 1
    line = ",".join(["%s"] * len(columns)) + "\r\n" if plain else None
    pending, size = ["\ufeff" + _csv_writer_text([columns])], 0
    for batch in _batches(connection, table, spec, columns, empty_nulls=plain):
        if converted:
            batch = [_converted(row, converted) for row in batch]
        text = _csv_text(batch, line)
        pending.append(text)
        size += len(text)
        if size >= CSV_FLUSH_BYTES:
            yield "".join(pending).encode("utf-8")
            pending, size = [], 0
    yield "".join(pending).encode("utf-8")


def _converted(row, converted: list[tuple[int, str]]) -> tuple:
    values = list(row)
    for position, kind in converted:
        values[position] = cells.to_text(kind, values[position])
    return tuple(values)


def _csv_text(batch: Sequence, line: str | None) -> str:
    """The batch exactly as ``csv.writer`` (QUOTE_MINIMAL, "\\r\\n" line ends) writes it.

    With ``line`` ("%s,%s\\r\\n", one %s per column; rows are tuples without None), each row is formatted in
    C: "%s" writes str() of a value as csv does (a float's str is its repr, which csv writes). csv quotes a
    value only when it holds a comma, a double quote or a line break, so the text is exactly csv's when it
    holds no quote and its commas and line breaks are only the separators; otherwise csv writes the batch.
    """
    if line is not None:
        text = "".join(map(line.__mod__, batch))
        rows, commas = len(batch), line.count(",")
        if '"' not in text and text.count(",") == rows * commas and text.count("\r") == rows == text.count("\n"):
            return text
    return _csv_writer_text(batch)


def _csv_writer_text(rows: Iterable) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def fits_excel(row_count: int) -> bool:
    """Whether ``row_count`` data rows fit one worksheet (its header row is not counted)."""
    return row_count <= EXCEL_MAX_DATA_ROWS


def check_excel_fits(row_count: int) -> None:
    """Refuse a view that has more data rows than a worksheet holds."""
    if not fits_excel(row_count):
        msg = (f"This view has more than {EXCEL_MAX_DATA_ROWS:,} rows, the most an Excel sheet holds. "
               "Export it as CSV, or filter it first.")
        raise ExportTooLarge(msg)


def sheet_name(table_name: str) -> str:
    """A worksheet name Excel accepts for a table: none of []:*?/\\, no ' at either end, at most 31 characters."""
    name = re.sub(r"[\[\]:*?/\\]", "_", table_name)[:31].strip("'")
    return name if name.strip() and name.lower() != "history" else "data"  # "History" is Excel's own


EXCEL_DATE = "yyyy-mm-dd"
EXCEL_DATETIME = "yyyy-mm-dd hh:mm:ss"


def _number_format(decimals: int | None) -> str | None:
    """Excel's format for a fixed-point column: its declared decimals, as the grid and CSV show them."""
    if decimals is None:
        return None
    return "0" if decimals == 0 else "0." + "0" * decimals


def write_xlsx(connection: Connection, table: Table, spec: ViewSpec, path: str) -> int:
    """Write the view to an .xlsx file at ``path``; return the number of data rows.

    Dates and date-times are Excel dates (they sort, filter and calculate there), in the ISO form the grid
    shows; a fixed-point column keeps its declared decimals (29.50, not 29.5)."""
    columns = export_columns(table, spec)
    kinds = [table.column(name).kind for name in columns]
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False,
                                          "strings_to_formulas": False, "strings_to_urls": False})
    try:
        sheet = workbook.add_worksheet(sheet_name(table.name))
        bold = workbook.add_format({"bold": True})
        moments = {"date": workbook.add_format({"num_format": EXCEL_DATE}),
                   "datetime": workbook.add_format({"num_format": EXCEL_DATETIME})}
        numbers = [_number_format(table.column(name).decimals) for name in columns]
        formats = [workbook.add_format({"num_format": number}) if number else None for number in numbers]
        sheet.write_row(0, 0, columns, bold)
        sheet.freeze_panes(1, 0)
        for position, kind in enumerate(kinds):  # wide enough for a date-time, as Excel would show ####### else
            if kind in moments:
                sheet.set_column(position, position, 19 if kind == "datetime" else 11)
        written = 0
        for written, row in enumerate(_rows(connection, table, spec, columns), start=1):
            if written > EXCEL_MAX_DATA_ROWS:  # the view grew since it was counted
                check_excel_fits(written)
            for position, (kind, value) in enumerate(zip(kinds, row)):
                cell = cells.to_export(kind, value)
                if isinstance(cell, str) and len(cell) > EXCEL_TEXT_LIMIT:
                    cell = cell[: EXCEL_TEXT_LIMIT - 1] + "…"
                if isinstance(cell, (date, datetime)):  # a datetime is a date too
                    sheet.write_datetime(written, position, cell, moments[kinds[position]])
                elif cell is not None:
                    sheet.write(written, position, cell, formats[position] if isinstance(cell, (int, float)) else None)
    finally:
        workbook.close()
    return written


def file_chunks(path: str) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is deleted once read (or when the client goes away)."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(FILE_CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def temporary_xlsx_path(directory: str) -> str:
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-", dir=directory)
    os.close(handle)
    return path
