"""Small building blocks shared by pages and callbacks, so every page has the same header and messages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

# The part of dash-ag-grid that draws a grid, loaded when the first grid renders: a page with a grid lists it
# in its PAGE["preload"] so that the browser fetches it with the page (dash_app/routing.py).
AG_GRID_CHUNK = "dash_ag_grid/async-community.js"
# Every chart's plotly config: fits its frame, and its mode bar offers no Plotly logo link, no "Share chart..."
# (plotly.js shows that button by default and would upload the chart, the user's data, to Plotly's cloud), and no
# box or lasso selection (nothing on the page reads a selection: two buttons, and two Tab stops, that do nothing).
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "showSendToCloud": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
ALERT_ICONS = {"danger": "bi-exclamation-octagon", "warning": "bi-exclamation-triangle", "info": "bi-info-circle",
               "success": "bi-check-circle", "secondary": "bi-info-circle"}


def page_header(title: str, subtitle: str, icon: str) -> html.Header:
    """Return a page's title block: icon, heading and one line that says what the page is for."""
    return html.Header(
        [
            html.Span(html.I(className=f"bi {icon}"), className="app-page-icon"),
            html.Div([html.H1(title, className="app-page-title"), html.P(subtitle, className="app-page-subtitle")]),
        ],
        className="app-page-header",
    )


def alert(message, color: str = "danger", *, icon: str | None = None, dismissable: bool = True,
          className: str = "", **kwargs) -> dbc.Alert:
    """A message the user reads next to what caused it, with an icon that says how serious it is.

    ``message`` is text or a list of components; ``className`` places it on its page.
    """
    parts = message if isinstance(message, list) else [message]  # Dash children must be one flat list
    return dbc.Alert([html.I(className=f"bi {icon or ALERT_ICONS.get(color, 'bi-info-circle')} me-2"), *parts],
                     color=color, dismissable=dismissable, className=f"app-alert {className}".strip(), **kwargs)
