"""Helpers shared by the Data page's callback modules: the domain service and user-facing messages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, html

from dash_app.data.cells import ValueProblem
from dash_app.data.edits import EditRefused
from dash_app.data.export import ExportTooLarge
from dash_app.data.limits import QueryTimeout
from dash_app.data.query import QueryError
from dash_app.data.service import DataError, DataService

SERVICE_KEY = "dash_app_data"
# Domain exceptions whose message is written for the user; anything else is a bug and is not caught.
USER_ERRORS = (QueryError, ValueProblem, QueryTimeout, DataError, EditRefused, ExportTooLarge)
ICONS = {"danger": "bi-exclamation-octagon", "warning": "bi-exclamation-triangle", "info": "bi-info-circle",
         "success": "bi-check-circle"}


def service(app: Dash) -> DataService:
    """The Data service of this app (made by dash_app.web.data.register)."""
    return app.server.extensions[SERVICE_KEY]


def alert(message: str, color: str = "danger", dismissable: bool = True, **kwargs) -> dbc.Alert:
    """A message the user reads, with an icon that says how serious it is."""
    return dbc.Alert(
        [html.I(className=f"bi {ICONS.get(color, 'bi-info-circle')} me-2"), html.Span(message)],
        color=color, dismissable=dismissable, className="data-alert", **kwargs,
    )


def problem_color(error: Exception) -> str:
    return "warning" if isinstance(error, (QueryTimeout, EditRefused, ExportTooLarge)) else "danger"
