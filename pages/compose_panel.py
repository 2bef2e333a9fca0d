"""The Compose page's side panel: layer list, selected-layer controls, canvas and background, saved work.

Layout only (the values are filled in by dash_app.callbacks.compose); kept apart from pages/compose.py
so each file stays short.
"""

import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.compose import text as text_rules
from dash_app.pages.compose_sources import source_group

PRESET_OPTIONS = [
    {"label": "Full HD · 1920 × 1080", "value": "1920x1080"},
    {"label": "Square · 1080 × 1080", "value": "1080x1080"},
    {"label": "4K UHD · 3840 × 2160", "value": "3840x2160"},
    {"label": "A4 at 300 dpi · 2480 × 3508", "value": "a4-300dpi"},
    {"label": "Custom size", "value": "custom"},
]
TYPING_PAUSE_MS = 700  # a number field applies once typing pauses
PICKING_PAUSE_MS = 250  # a colour picker applies once the pointer rests, not on every shade it passes
BACKGROUND_OPTIONS = [
    {"label": "Solid colour", "value": "solid"},
    {"label": "Linear gradient", "value": "linear"},
    {"label": "Radial gradient", "value": "radial"},
    {"label": "Grid", "value": "grid"},
    {"label": "Dots", "value": "dots"},
    {"label": "Photo", "value": "photo"},
]


def card(title: str, icon: str, body: list, *, extra=None, class_name: str = "") -> dbc.Card:
    """A panel section with an icon and a title."""
    header = html.Div([html.I(className=f"bi {icon}"), html.H2(title), *(extra or [])], className="compose-card-head")
    return dbc.Card(dbc.CardBody([header, *body]), className=f"compose-card {class_name}")


def field(label: str, control, *, group_id: str | None = None, class_name: str = "") -> html.Div:
    """A labelled control."""
    props = {"id": group_id} if group_id else {}
    return html.Div([dbc.Label(label, html_for=control.id, className="compose-label"), control],
                    className=f"compose-field {class_name}", **props)


def _number(component_id: str, **kwargs) -> dbc.Input:
    """A number field that reports once the user pauses (or presses Enter), not on every keystroke.

    No min/max attributes: a browser drops an out-of-range value silently, the server says what is allowed.
    """
    return dbc.Input(id=component_id, type="number", debounce=TYPING_PAUSE_MS, inputmode="decimal", **kwargs)


def _slider(component_id: str, low: int, high: int, marks: dict) -> dcc.Slider:
    """A percentage slider that reports on release (one request, not one per step)."""
    return dcc.Slider(id=component_id, min=low, max=high, step=1, value=high if high == 100 else 100, marks=marks,
                      tooltip={"placement": "bottom", "template": "{value}%"}, allow_direct_input=False,
                      updatemode="mouseup", className="compose-slider")


def _tool(icon: str, label: str, component_id: str) -> dbc.Button:
    return dbc.Button([html.I(className=f"bi {icon}"), html.Span(label, className="compose-tool-label")],
                      id=component_id, title=label, color="secondary", outline=True, className="compose-tool")


def layers_card() -> dbc.Card:
    """The stack of layers, top first; clicking one selects it (assets/js/compose.js)."""
    count = dbc.Badge("0", id=ids.COMPOSE_LAYER_COUNT, className="compose-count", pill=True)
    return card("Layers", "bi-stack", [html.Div(id=ids.COMPOSE_LAYER_LIST, className="compose-layer-list")],
                extra=[count])


def layer_card() -> dbc.Card:
    """Controls of the selected layer; hidden behind a hint when none is selected.

    Image layers show scale, flips and crop; text layers show their text and its style instead.
    """
    name = dbc.Input(id=ids.COMPOSE_NAME, debounce=TYPING_PAUSE_MS, maxlength=120, placeholder="Layer name")
    single = html.Div(
        [field("Name", name),
         source_group(),
         html.Div([field("X (px)", _number(ids.COMPOSE_X, step="any")),
                   field("Y (px)", _number(ids.COMPOSE_Y, step="any")),
                   field("Rotation (°)", _number(ids.COMPOSE_ROTATION, step="any"))],
                  className="compose-row compose-row-3")],
        id=ids.COMPOSE_SINGLE_GROUP,
    )
    controls = html.Div(
        [
            html.P(id=ids.COMPOSE_SELECTION_NOTE, className="compose-selection-note", role="status"),
            single,
            _image_controls(),
            _text_controls(),
            field("Opacity (%)", _slider(ids.COMPOSE_OPACITY, 0, 100, {0: "0", 50: "50", 100: "100"})),
            _arrange_tools(),
            html.Div(
                [_tool("bi-chevron-bar-up", "Bring forward", ids.COMPOSE_FORWARD),
                 _tool("bi-chevron-bar-down", "Send backward", ids.COMPOSE_BACKWARD),
                 _tool("bi-copy", "Duplicate", ids.COMPOSE_DUPLICATE),
                 _tool("bi-trash3", "Delete", ids.COMPOSE_DELETE)],
                className="compose-tools",
            ),
        ],
        id=ids.COMPOSE_LAYER_PANEL,
        hidden=True,
    )
    empty = html.P("Select a layer on the canvas or in the list to move, scale, rotate or restack it.",
                   id=ids.COMPOSE_LAYER_EMPTY, className="compose-muted")
    return card("Selected layer", "bi-bounding-box-circles", [empty, controls])


ARRANGE_TOOLS = (
    ("bi-align-start", "Align left edges (one layer: to the canvas)", ids.COMPOSE_ARRANGE_LEFT),
    ("bi-align-center", "Align horizontal centres (one layer: to the canvas)", ids.COMPOSE_ARRANGE_CENTER),
    ("bi-align-end", "Align right edges (one layer: to the canvas)", ids.COMPOSE_ARRANGE_RIGHT),
    ("bi-align-top", "Align top edges (one layer: to the canvas)", ids.COMPOSE_ARRANGE_TOP),
    ("bi-align-middle", "Align vertical centres (one layer: to the canvas)", ids.COMPOSE_ARRANGE_MIDDLE),
    ("bi-align-bottom", "Align bottom edges (one layer: to the canvas)", ids.COMPOSE_ARRANGE_BOTTOM),
    ("bi-distribute-horizontal", "Distribute horizontally (3 or more layers)", ids.COMPOSE_DISTRIBUTE_X),
    ("bi-distribute-vertical", "Distribute vertically (3 or more layers)", ids.COMPOSE_DISTRIBUTE_Y),
)


def _arrange_tools() -> html.Div:
    """Align the selection (one layer: to the canvas) and distribute three or more (dash_app/compose/arrange.py)."""
    tools = [_tool(icon, label, component_id) for icon, label, component_id in ARRANGE_TOOLS]
    return html.Div([html.Span("Align and distribute", className="compose-label",
                               title="Several layers line up with the selection; one layer with the canvas"),
                     html.Div(tools, className="compose-tools compose-arrange")], className="compose-field")


def _image_controls() -> html.Div:
    """Scale, flips and the crop of an image layer (the crop in the image's own pixels)."""
    crop_mode = html.Button([html.I(className="bi bi-crop"), html.Span("Crop on canvas")], id=ids.COMPOSE_CROP_MODE,
                            type="button", className="btn btn-outline-secondary compose-crop-mode",
                            title="Drag the edges and corners on the canvas to crop (Esc or Enter: done)",
                            **{"data-compose-crop": "toggle", "aria-pressed": "false"})
    reset = dbc.Button([html.I(className="bi bi-arrows-fullscreen"), html.Span("Reset")], id=ids.COMPOSE_CROP_RESET,
                       color="secondary", outline=True, className="compose-crop-reset",
                       title="Show the whole image again")
    crop = html.Div(
        [html.Div([html.Span("Crop", className="compose-label", title="Left, top, width and height in the image's own pixels"), crop_mode, reset],
                  className="compose-crop-head"),
         html.Div([field("Left", _number(ids.COMPOSE_CROP_X, step=1)), field("Top", _number(ids.COMPOSE_CROP_Y, step=1)),
                   field("Width", _number(ids.COMPOSE_CROP_W, step=1)),
                   field("Height", _number(ids.COMPOSE_CROP_H, step=1))], className="compose-row compose-row-4")],
        className="compose-crop",
    )
    return html.Div(
        [field("Scale (%)", _slider(ids.COMPOSE_SCALE, 1, 400, {1: "1", 100: "100", 200: "200", 400: "400"})),
         html.Div([_tool("bi-symmetry-vertical", "Flip horizontally", ids.COMPOSE_FLIP_X),
                   _tool("bi-symmetry-horizontal", "Flip vertically", ids.COMPOSE_FLIP_Y)],
                  className="compose-tools compose-tools-2"),
         crop],
        id=ids.COMPOSE_IMAGE_GROUP,
    )


ALIGN_OPTIONS = [{"label": html.I(className=f"bi bi-text-{side}", title=f"Align {word}"), "value": value}
                 for side, word, value in (("left", "left", "left"), ("center", "centre", "center"),
                                           ("right", "right", "right"))]


def _text_controls() -> html.Div:
    """The text of a text layer, its font, size, weight, colour, alignment and background box."""
    fonts = [{"label": name, "value": name} for name in text_rules.FONTS]
    weights = [{"label": label, "value": str(weight)} for weight, label in text_rules.WEIGHTS.items()]
    colour = dict(type="color", debounce=PICKING_PAUSE_MS, className="compose-color")
    return html.Div(
        [field("Text", dbc.Textarea(id=ids.COMPOSE_TEXT, debounce=TYPING_PAUSE_MS, rows=2,
                                    className="compose-text-input", placeholder="Type the text")),
         html.Div([field("Font", dbc.Select(id=ids.COMPOSE_FONT, options=fonts, value=text_rules.DEFAULT_FONT)),
                   field("Weight", dbc.Select(id=ids.COMPOSE_WEIGHT, options=weights, value="400"))],
                  className="compose-row compose-row-font"),
         html.Div([field("Size (px)", _number(ids.COMPOSE_FONT_SIZE, step=1)),
                   field("Colour", dbc.Input(id=ids.COMPOSE_TEXT_COLOR, **colour)),
                   html.Div([dbc.Label("Align", className="compose-label"),
                             dbc.RadioItems(id=ids.COMPOSE_ALIGN, options=ALIGN_OPTIONS, value="center", inline=True,
                                            className="btn-group compose-align", inputClassName="btn-check",
                                            labelClassName="btn btn-outline-secondary",
                                            labelCheckedClassName="active")],
                            className="compose-field")],
                  className="compose-row compose-row-3"),
         html.Div([html.Div(dbc.Switch(id=ids.COMPOSE_BOX, label="Box", value=False), className="compose-field"),
                   field("Box colour", dbc.Input(id=ids.COMPOSE_BOX_COLOR, **colour)),
                   field("Padding", _number(ids.COMPOSE_PADDING, step=1)),
                   field("Radius", _number(ids.COMPOSE_RADIUS, step=1))],
                  className="compose-row compose-row-4 compose-row-box")],
        id=ids.COMPOSE_TEXT_GROUP, hidden=True,
    )


def canvas_card(max_side: int) -> dbc.Card:
    """Canvas size (its limit, ``max_side``, shown as a hint) and the background the server renders."""
    photo_button = html.Button([html.I(className="bi bi-image"), html.Span("Photo…")], id=ids.COMPOSE_PHOTO_BUTTON,
                               type="button", className="btn btn-outline-secondary compose-photo-btn",
                               title="Use an uploaded photo as the background", **{"data-compose-pick": "background"})
    fit = field("Photo fit", dbc.Select(id=ids.COMPOSE_FIT, value="cover",
                                        options=[{"label": "Cover (crop)", "value": "cover"},
                                                 {"label": "Contain (letterbox)", "value": "contain"}]),
                group_id=ids.COMPOSE_PHOTO_GROUP)
    body = [
        field("Size", dbc.Select(id=ids.COMPOSE_PRESET, options=PRESET_OPTIONS, value="1920x1080")),
        html.Div([field("Width (px)", _number(ids.COMPOSE_WIDTH, step="any", placeholder=f"up to {max_side}")),
                  field("Height (px)", _number(ids.COMPOSE_HEIGHT, step="any", placeholder=f"up to {max_side}"))],
                 className="compose-row"),
        html.Div([field("Background", dbc.Select(id=ids.COMPOSE_BG_KIND, options=BACKGROUND_OPTIONS, value="linear")),
                  photo_button], className="compose-row compose-row-bg"),
        html.Div(
            [field("Colour", dbc.Input(id=ids.COMPOSE_COLOR_1, type="color", debounce=PICKING_PAUSE_MS,
                                       className="compose-color")),
             field("Second colour", dbc.Input(id=ids.COMPOSE_COLOR_2, type="color", debounce=PICKING_PAUSE_MS,
                                              className="compose-color"), group_id=ids.COMPOSE_COLOR_2_GROUP),
             field("Angle (°)", _number(ids.COMPOSE_ANGLE, step="any"),
                   group_id=ids.COMPOSE_ANGLE_GROUP),
             field("Spacing (px)", _number(ids.COMPOSE_SPACING, step="any"),
                   group_id=ids.COMPOSE_SPACING_GROUP)],
            className="compose-row compose-row-colors",
        ),
        fit,
    ]
    return card("Canvas", "bi-aspect-ratio", body)


def saved_card() -> dbc.Card:
    """Save the composition under a name; reopen or delete saved ones."""
    body = [
        dbc.Label("Name of the composition", html_for=ids.COMPOSE_SAVE_NAME, className="visually-hidden"),
        dbc.InputGroup([dbc.Input(id=ids.COMPOSE_SAVE_NAME, placeholder="Name", maxlength=60),
                        dbc.Button([html.I(className="bi bi-floppy"), html.Span("Save")], id=ids.COMPOSE_SAVE,
                                   color="primary")], className="compose-save"),
        dbc.Label("Saved compositions", html_for=ids.COMPOSE_SAVED, className="visually-hidden"),
        dbc.InputGroup([dbc.Select(id=ids.COMPOSE_SAVED, options=[], placeholder="Saved compositions"),
                        dbc.Button([html.I(className="bi bi-folder2-open"), html.Span("Open")], id=ids.COMPOSE_OPEN,
                                   color="secondary", outline=True),
                        dbc.Button([html.I(className="bi bi-trash3"),
                                    html.Span("Delete the saved composition", className="visually-hidden")],
                                   id=ids.COMPOSE_DELETE_SAVED, color="secondary", outline=True,
                                   title="Delete the saved composition")],
                       className="compose-open"),
    ]
    return card("Saved", "bi-bookmark", [*body, _delete_dialog()])


def _delete_dialog() -> dbc.Modal:
    """Asks before a saved composition is deleted for good (the page's callback opens it and fills the question)."""
    return dbc.Modal(
        [dbc.ModalHeader(dbc.ModalTitle("Delete the saved composition?"), close_button=False),
         dbc.ModalBody(id=ids.COMPOSE_DELETE_QUESTION),
         dbc.ModalFooter([dbc.Button("Cancel", id=ids.COMPOSE_DELETE_CANCEL, color="secondary", outline=True),
                          dbc.Button([html.I(className="bi bi-trash3"), html.Span("Delete")],
                                     id=ids.COMPOSE_DELETE_CONFIRMED, color="danger")])],
        id=ids.COMPOSE_DELETE_DIALOG, is_open=False, centered=True, className="compose-delete-dialog",
    )
