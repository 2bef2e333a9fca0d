"""Compose: place images on a server-rendered background, transform them, export at full resolution."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash_extensions import EventListener, Keyboard

from dash_app import ids
from dash_app.components import page_header
from dash_app.pages.compose_panel import canvas_card, layer_card, layers_card, saved_card
from dash_app.pages.compose_sources import source_dialog
from dash_app.workbench import get_workbench

PAGE = {
    "path": "/compose",
    "name": "Compose",
    "title": "Compose",
    "order": 3,
    "icon": "bi-layers",
    "nav": True,
    "job": "Drag images onto a background, place, scale and rotate them, and export at full resolution.",
    "description": "Place images on a background and export the composite at full resolution.",
}

STAGE_EVENTS = [{"event": name, "props": ["type", "detail"]}
                for name in ("layerdrop", "layerselect", "layertoggle", "layerorder", "composeupload", "composenotice")]
SHORTCUTS = [*("ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Delete", "Backspace"),
             *({"key": key, modifier: True} for key in ("z", "Z", "y") for modifier in ("ctrlKey", "metaKey"))]


def layout(**_query: str) -> html.Div:
    """Return the Compose page: toolbar, stage and side panel."""
    return html.Div(
        [
            page_header("Compose", PAGE["description"], PAGE["icon"]),
            dcc.Store(id=ids.COMPOSE_SCENE, storage_type="session"),
            dcc.Store(id=ids.COMPOSE_HISTORY, storage_type="session"),
            dcc.Store(id=ids.COMPOSE_SELECTED, storage_type="session"),
            dcc.Store(id=ids.COMPOSE_EXPORT_STATE),
            _toolbar(),
            html.Div(id=ids.COMPOSE_ALERTS, className="compose-alerts", role="status"),
            source_dialog(),
            EventListener(
                html.Div([_stage_column(), _panel()], id=ids.COMPOSE_WORKSPACE, className="compose-workspace"),
                id=ids.COMPOSE_EVENTS,
                events=STAGE_EVENTS,
            ),
        ],
        id=ids.COMPOSE_PAGE,
        className="compose-page",
    )


def _icon_button(icon: str, label: str, component_id: str, **kwargs) -> dbc.Button:
    return dbc.Button([html.I(className=f"bi {icon}"), html.Span(label, className="visually-hidden")],
                      id=component_id, title=label, color="secondary",
                      outline=True, className="compose-icon-btn", **kwargs)


def _toolbar() -> html.Div:
    add = _file_button("layers", [html.I(className="bi bi-plus-lg"), html.Span("Add images")], ids.COMPOSE_ADD_BUTTON,
                       "btn btn-primary compose-add", "Add PNG, JPEG or WebP images")
    add_text = dbc.Button([html.I(className="bi bi-fonts"), html.Span("Add text")], id=ids.COMPOSE_ADD_TEXT,
                          color="primary", outline=True, className="compose-add-text", title="Add a text layer")
    from_app = dbc.Button([html.I(className="bi bi-bar-chart-line"), html.Span("From the app")],
                          id=ids.COMPOSE_ADD_SOURCE, color="primary", outline=True, className="compose-add-source",
                          title="Add a Training run's picture or a chart of a Data table")
    history = html.Div(
        [_icon_button("bi-arrow-counterclockwise", "Undo (Ctrl+Z)", ids.COMPOSE_UNDO, disabled=True),
         _icon_button("bi-arrow-clockwise", "Redo (Ctrl+Shift+Z)", ids.COMPOSE_REDO, disabled=True)],
        className="compose-tool-group",
    )
    export = html.Div(
        [
            dbc.Label("Export format", html_for=ids.COMPOSE_FORMAT, className="visually-hidden"),
            dbc.Select(id=ids.COMPOSE_FORMAT, value="png", className="compose-format",
                       options=[{"label": "PNG", "value": "png"}, {"label": "JPEG", "value": "jpeg"},
                                {"label": "WebP", "value": "webp"}]),
            dbc.Button([html.I(className="bi bi-download"), html.Span("Export")], id=ids.COMPOSE_EXPORT,
                       color="primary", outline=True, className="compose-export"),
        ],
        className="compose-tool-group compose-export-group",
    )
    return html.Div([add, add_text, from_app, history, html.Div(className="compose-toolbar-spacer"), export],
                    className="compose-toolbar")


def _file_button(purpose: str, content: list, component_id: str, class_name: str, title: str) -> html.Button:
    """A button that opens the file picker (assets/js/compose.js makes the input and uploads the files)."""
    return html.Button(content, id=component_id, type="button", className=class_name, title=title,
                       **{"data-compose-pick": purpose})


def _stage_column() -> html.Section:
    settings = get_workbench().settings
    stage = html.Div(
        html.Div(id=ids.COMPOSE_CANVAS, className="compose-canvas"),
        id=ids.COMPOSE_STAGE,
        className="compose-stage",
        tabIndex="0",
        role="application",
        **{
            "aria-label": "Canvas: drag layers to move them (Alt: without snapping); Shift-click or drag a band on "
                          "the empty canvas to select several; arrow keys nudge the selection",
            "data-upload-url": dash.get_relative_path("/compose/upload"),
            "data-export-url": dash.get_relative_path("/compose/export"),
            "data-max-bytes": str(settings.max_upload_bytes),
            "data-max-mb": str(settings.max_upload_mb),
        },
    )
    hints = html.P(
        [html.Span([html.Kbd("Drag"), " move (", html.Kbd("Alt"), " no snapping)"]),
         html.Span([html.Kbd("Shift-click"), " or a band: select several"]), html.Span([html.Kbd("Corners"), " scale"]),
         html.Span([html.Kbd("Top handle"), " rotate (", html.Kbd("Shift"), " 15°)"]),
         html.Span([html.Kbd("← → ↑ ↓"), " nudge (", html.Kbd("Shift"), " 10 px)"]),
         html.Span([html.Kbd("Ctrl+Z"), " undo"]), html.Span([html.Kbd("Double-click"), " a text to edit it"]),
         html.Span(["Drop image files on the canvas to add them"])],
        className="compose-hints",
    )
    settings_row = html.Div([canvas_card(settings.max_canvas_side), saved_card()], className="compose-settings")
    return html.Section(
        [Keyboard(stage, id=ids.COMPOSE_KEYS, captureKeys=SHORTCUTS, className="compose-keys"), hints, settings_row],
        className="compose-stage-column",
    )


def _panel() -> html.Aside:
    return html.Aside([layers_card(), layer_card()], className="compose-panel")
