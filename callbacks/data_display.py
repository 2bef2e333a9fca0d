"""Data page: the reader's grid density and side panel, switched and remembered in the browser (no server trip).

Both choices live in ``dcc.Store(storage_type="local")`` stores of pages/data.py; the functions in
assets/js/data.js mirror them onto the document (``data-grid-density``, ``data-side-panel``), which
assets/css/data.css follows. The same script applies the stored choices before the page renders.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State

from dash_app import ids
from dash_app.callbacks.data_common import NAMESPACE
from dash_app.callbacks.wiring import clientside


def register(app: Dash) -> None:
    """Register the density switch and the side panel's hide and show buttons."""
    clientside(app, NAMESPACE, "gridDensity",
               [Output(ids.DATA_DENSITY_STORE, "data"), Output(ids.DATA_DENSITY_TOGGLE, "aria-pressed")],
               Input(ids.DATA_DENSITY_TOGGLE, "n_clicks"), State(ids.DATA_DENSITY_STORE, "data"),
               State(ids.DATA_GRID, "id"))
    clientside(app, NAMESPACE, "sidePanel",
               [Output(ids.DATA_PANEL_STORE, "data"), Output(ids.DATA_PANEL_HIDE, "aria-expanded"),
                Output(ids.DATA_PANEL_SHOW, "aria-expanded")],
               Input(ids.DATA_PANEL_HIDE, "n_clicks"), Input(ids.DATA_PANEL_SHOW, "n_clicks"),
               State(ids.DATA_PANEL_STORE, "data"))
