"""Shell behaviour: colour mode and the collapsed navbar, both in the browser (no server round trip)."""

from dash import Dash, Input, Output, State

from dash_app import ids
from dash_app.callbacks.wiring import clientside

# The functions live in assets/js/shell.js, so no inline script is needed (strict CSP friendly).
NAMESPACE = "shell"


def register(app: Dash) -> None:
    """Register the shell's clientside callbacks."""
    clientside(app, NAMESPACE, "applyColorMode",
               [Output(ids.SHELL_COLOR_MODE_STORE, "data"), Output(ids.SHELL_COLOR_MODE_SWITCH, "value")],
               Input(ids.SHELL_COLOR_MODE_SWITCH, "value"), State(ids.SHELL_COLOR_MODE_STORE, "data"))
    clientside(app, NAMESPACE, "toggleNav", Output(ids.SHELL_NAV_COLLAPSE, "is_open"),
               Input(ids.SHELL_NAV_TOGGLER, "n_clicks"), Input(ids.SHELL_LOCATION, "pathname"),
               State(ids.SHELL_NAV_COLLAPSE, "is_open"), prevent_initial_call=True)
