"""What the Data page's callback modules share: the user's errors and how they are shown."""

from __future__ import annotations

from dash_app.components import alert
from dash_app.data.cells import ValueProblem
from dash_app.data.edits import EditRefused
from dash_app.data.export import ExportTooLarge
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError

NAMESPACE = "data"  # the page's clientside functions, in assets/js/data.js
# Domain exceptions whose message is written for the user; anything else is a bug and is not caught.
USER_ERRORS = (QueryError, ValueProblem, QueryTimeout, DataError, EditRefused, ExportTooLarge)


def problem_color(error: Exception) -> str:
    return "warning" if isinstance(error, (QueryTimeout, EditRefused, ExportTooLarge)) else "danger"


def problem_alert(error: Exception):
    """A user error's own message, in the colour that says how serious it is."""
    return alert(str(error), problem_color(error))
