"""What the Data page's callback modules share: the user's errors, how they are shown, how callbacks are declared."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Output, no_update

from dash_app.components import alert
from dash_app.data.cells import ValueProblem
from dash_app.data.edits import EditRefused
from dash_app.data.export import ExportTooLarge
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError

# Domain exceptions whose message is written for the user; anything else is a bug and is not caught.
USER_ERRORS = (QueryError, ValueProblem, QueryTimeout, DataError, EditRefused, ExportTooLarge)
NAMESPACE = "data"  # the page's clientside functions, in assets/js/data.js


def problem_color(error: Exception) -> str:
    return "warning" if isinstance(error, (QueryTimeout, EditRefused, ExportTooLarge)) else "danger"


def problem_alert(error: Exception):
    """A user error's own message, in the colour that says how serious it is."""
    return alert(str(error), problem_color(error))


def outputs(targets: dict[str, tuple]) -> dict[str, Output]:
    """Named outputs from ``{name: (component id, property[, allow_duplicate])}``."""
    return {name: Output(*target) for name, target in targets.items()}


def unchanged(targets: dict) -> dict:
    """Every named output left as the page shows it."""
    return dict.fromkeys(targets, no_update)


def clientside(app: Dash, function: str, output: Output, *dependencies, prevent_initial_call: bool = True) -> None:
    """Register the page's clientside ``function`` (assets/js/data.js) for ``output`` and its inputs and states."""
    app.clientside_callback(ClientsideFunction(NAMESPACE, function), output, *dependencies,
                            prevent_initial_call=prevent_initial_call)
