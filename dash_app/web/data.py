"""Flask routes of the Data page: whole-view exports (CSV streamed, Excel through a temporary file).

Registered by ``init_app`` before it snapshots endpoints, so the host's login guards them like every
page. Every parameter is checked the way the callbacks check it (``DataService.view``); a bad one
gets a 400 with a one-line reason, never a server error. A database or table that is not there, or that the
user may not export (dash_app/data/access.py), gets a 404 with the same words either way.
"""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from flask import Flask, Response, request, stream_with_context

from dash_app.auth import current_identity
from dash_app.data import export
from dash_app.data.access import NotAvailable
from dash_app.data.cells import ValueProblem
from dash_app.data.limits import EXPORT_COUNT_SECONDS, QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError
from dash_app.data.urlstate import StateProblem, read_query
from dash_app.exports import TooManyExports
from dash_app.settings import Settings
from dash_app.workbench import get_workbench

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register(server: Flask, settings: Settings) -> None:
    """Add the Data page's routes to ``server`` under ``settings.url_prefix``."""
    prefix = settings.url_prefix
    server.add_url_rule(f"{prefix}data/export.csv", "dash_app_data_export_csv", _export_csv)
    server.add_url_rule(f"{prefix}data/export.xlsx", "dash_app_data_export_xlsx", _export_xlsx)


def _checked_view():
    service = get_workbench().data
    state = read_query(request.args.to_dict())
    database = service.require(state.database or service.default_database, state.table, "export")
    table, spec = service.view(database, state.table, state.view)
    return service, database, table, spec


# What an export that is refused answers, by the problem that refused it (the first kind that matches; the
# problem's one line is the body): not there or not the user's, all of the user's slots in use, too big for
# Excel, not counted in time, and a bad parameter.
REFUSALS = {NotAvailable: 404, TooManyExports: 429, export.ExportTooLarge: 413, QueryTimeout: 503,
            StateProblem: 400, QueryError: 400, ValueProblem: 400, DataError: 400}
REFUSED = tuple(REFUSALS)


def _refusal(problem: Exception) -> Response:
    status = next(code for kind, code in REFUSALS.items() if isinstance(problem, kind))
    return Response(f"{problem}\n", status=status, mimetype="text/plain")


def _start_export():
    """The checked view and one of the user's export slots (with what gives it back): ``(service, database,
    table, spec, give_back)``, or the refusal to send."""
    try:
        service, database, table, spec = _checked_view()
        return service, database, table, spec, _export_slot()
    except REFUSED as problem:
        return _refusal(problem)


def _attachment(name: str, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80] or "export"
    return f"attachment; filename=\"{safe}.{extension}\"; filename*=UTF-8''{quote(name[:80])}.{extension}"


def _export_slot():
    """One of the user's export slots (dash_app/exports.py), and what gives it back; TooManyExports when all of
    theirs are in use."""
    return get_workbench().exports.take(current_identity().id)


def _export_csv() -> Response:
    started = _start_export()
    if isinstance(started, Response):
        return started
    service, database, table, spec, give_back = started

    def chunks():
        # The connection lives as long as the download; no time limit: the rows stream as they come.
        with service.engine(database).connect() as connection:
            yield from export.csv_chunks(connection, table, spec)

    response = Response(stream_with_context(chunks()), mimetype=CSV_TYPE)
    response.call_on_close(give_back)  # the download was sent, or the browser went away
    response.headers["Content-Disposition"] = _attachment(table.name, "csv")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _export_xlsx() -> Response:
    started = _start_export()
    if isinstance(started, Response):
        return started
    service, database, table, spec, give_back = started
    try:
        response = _xlsx_response(service, database, table, spec)
    except BaseException:
        give_back()
        raise
    if response.status_code == 200:
        response.call_on_close(give_back)  # the download was sent, or the browser went away
    else:
        give_back()
    return response


def _xlsx_response(service, database, table, spec) -> Response:
    try:
        rows = service.count(database, table, spec, cap=export.EXCEL_MAX_ROWS, seconds=EXPORT_COUNT_SECONDS)
        export.check_excel_fits(rows)
    except REFUSED as problem:
        return _refusal(problem)
    path = export.temporary_xlsx_path(str(service.settings.data_dir))
    try:
        with service.engine(database).connect() as connection:
            export.write_xlsx(connection, table, spec, path)
    except BaseException:
        os.unlink(path)  # never leave a half-written export behind; the error itself is re-raised
        raise
    response = Response(stream_with_context(export.file_chunks(path)), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = _attachment(table.name, "xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response
