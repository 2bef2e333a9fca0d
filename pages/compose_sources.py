"""Compose's "From the app" dialog and the selected layer's source: layout only.

The choices are filled by dash_app.callbacks.compose_sources when the dialog opens; the Add buttons and
"Refresh from source" are inputs of the page's one callback (dash_app.callbacks.compose).
"""

import dash_bootstrap_components as dbc
from dash import html

from dash_app import ids

AGGREGATES = [{"label": label, "value": value} for value, label in
              (("count", "Count rows"), ("sum", "Sum"), ("mean", "Mean"), ("min", "Minimum"), ("max", "Maximum"))]
BUCKETS = [{"label": "No bucket", "value": "none"}] + [
    {"label": f"By {name}", "value": name} for name in ("day", "week", "month", "quarter", "year")]


def _select(label: str, component_id: str, **kwargs) -> html.Div:
    return html.Div([dbc.Label(label, html_for=component_id, className="compose-label"),
                     dbc.Select(id=component_id, options=kwargs.pop("options", []), **kwargs)],
                    className="compose-field")


def source_dialog() -> dbc.Modal:
    """Pick a finished Training run's picture, or a chart of a Data table, to add as a layer."""
    run = html.Section(
        [html.H3([html.I(className="bi bi-cpu"), " A Training run's picture"], className="compose-source-title"),
         html.Div([_select("Finished run", ids.COMPOSE_SOURCE_RUN),
                   _select("Picture", ids.COMPOSE_SOURCE_PICTURE)], className="compose-row"),
         html.P(id=ids.COMPOSE_SOURCE_RUN_NOTE, className="compose-muted"),
         dbc.Button([html.I(className="bi bi-plus-lg"), html.Span("Add the picture")], id=ids.COMPOSE_ADD_ARTIFACT,
                    color="primary")],
        className="compose-source-part",
    )
    chart = html.Section(
        [html.H3([html.I(className="bi bi-bar-chart"), " A chart of a Data table"], className="compose-source-title"),
         html.Div([_select("Database", ids.COMPOSE_CHART_DB), _select("Table", ids.COMPOSE_CHART_TABLE)],
                  className="compose-row"),
         html.Div([_select("Group by (x)", ids.COMPOSE_CHART_X),
                   _select("Date bucket", ids.COMPOSE_CHART_BUCKET, options=BUCKETS, value="none")],
                  className="compose-row"),
         html.Div([_select("Aggregate", ids.COMPOSE_CHART_AGG, options=AGGREGATES, value="count"),
                   _select("Of (y)", ids.COMPOSE_CHART_Y, disabled=True)], className="compose-row"),
         html.Div(id=ids.COMPOSE_CHART_NOTE),
         dbc.Button([html.I(className="bi bi-plus-lg"), html.Span("Add the chart")], id=ids.COMPOSE_ADD_CHART,
                    color="primary")],
        className="compose-source-part",
    )
    return dbc.Modal(
        [dbc.ModalHeader(dbc.ModalTitle("Add from the app"), close_button=False),
         dbc.ModalBody([run, chart], className="compose-source-body"),
         dbc.ModalFooter(dbc.Button("Close", id=ids.COMPOSE_SOURCE_CLOSE, color="secondary", outline=True))],
        id=ids.COMPOSE_SOURCE_DIALOG, is_open=False, size="lg", scrollable=True, className="compose-source-dialog",
    )


def source_group() -> html.Div:
    """Where the selected layer was drawn from, and the button that draws it again (hidden for other layers)."""
    refresh = dbc.Button([html.I(className="bi bi-arrow-repeat"), html.Span("Refresh from source")],
                         id=ids.COMPOSE_REFRESH, color="secondary", outline=True, className="compose-refresh",
                         title="Draw this layer again from its run or table, at the size it is shown")
    return html.Div([html.Span("Source", className="compose-label"),
                     html.P(id=ids.COMPOSE_SOURCE_TEXT, className="compose-source-text"), refresh],
                    id=ids.COMPOSE_SOURCE_GROUP, className="compose-source", hidden=True)
