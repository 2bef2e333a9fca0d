"""Helpers shared by the Data page's callback modules: the domain service and user-facing messages."""

from __future__ import annotations

from dash_app.data.cells import ValueProblem
from dash_app.data.edits import EditRefused
from dash_app.data.export import ExportTooLarge
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError
# Domain exceptions whose message is written for the user; anything else is a bug and is not caught.
USER_ERRORS = (QueryError, ValueProblem, QueryTimeout, DataError, EditRefused, ExportTooLarge)


def problem_color(error: Exception) -> str:
    return "warning" if isinstance(error, (QueryTimeout, EditRefused, ExportTooLarge)) else "danger"
