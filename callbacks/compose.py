"""Behaviour of the Compose page: one server callback applies every edit, one clientside callback exports.

Every input that changes the scene goes through ONE callback, so a drag release, a key press or a
button press costs exactly one request, and the controls that show the scene (sliders, fields) can
also be its inputs without a circular chain of callbacks. The callback only routes: the edit is
chosen in compose_actions, done by dash_app.compose, and drawn by compose_views. Settings and the
Compose storage come from the app's workbench (dash_app/workbench.py); the storage acts for the signed-in
user, and saved compositions are filed under the user's stable id (dash_app/auth.py ``current_identity``).
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update

from dash_app import ids
from dash_app.auth import current_identity
from dash_app.callbacks import compose_actions as actions
from dash_app.callbacks import compose_sources as sources
from dash_app.callbacks import compose_views as views
from dash_app.callbacks.wiring import clientside, outputs
from dash_app.components import alert
from dash_app.compose import edit, history
from dash_app.compose.export import MissingImage
from dash_app.compose.scene import Scene, SceneError, scene_from_dict, scene_to_dict
from dash_app.compose.storage import StorageError
from dash_app.workbench import get_workbench

LAYER_BUTTONS = {ids.COMPOSE_FLIP_X: "flip_x", ids.COMPOSE_FLIP_Y: "flip_y", ids.COMPOSE_FORWARD: "forward",
                 ids.COMPOSE_BACKWARD: "backward", ids.COMPOSE_DUPLICATE: "duplicate", ids.COMPOSE_DELETE: "delete",
                 ids.COMPOSE_CROP_RESET: "crop_reset"}
LAYER_FIELDS = {ids.COMPOSE_X: "x", ids.COMPOSE_Y: "y", ids.COMPOSE_SCALE: "scale",
                ids.COMPOSE_ROTATION: "rotation", ids.COMPOSE_OPACITY: "opacity"}
ARRANGE_BUTTONS = {ids.COMPOSE_ARRANGE_LEFT: "left", ids.COMPOSE_ARRANGE_CENTER: "center",
                   ids.COMPOSE_ARRANGE_RIGHT: "right", ids.COMPOSE_ARRANGE_TOP: "top",
                   ids.COMPOSE_ARRANGE_MIDDLE: "middle", ids.COMPOSE_ARRANGE_BOTTOM: "bottom",
                   ids.COMPOSE_DISTRIBUTE_X: "horizontal", ids.COMPOSE_DISTRIBUTE_Y: "vertical"}
NAME_FIELDS = {ids.COMPOSE_NAME: "name"}
CROP_FIELDS = {ids.COMPOSE_CROP_X: "crop_x", ids.COMPOSE_CROP_Y: "crop_y", ids.COMPOSE_CROP_W: "crop_w",
               ids.COMPOSE_CROP_H: "crop_h"}
TEXT_FIELDS = {ids.COMPOSE_TEXT: "text", ids.COMPOSE_FONT: "font", ids.COMPOSE_FONT_SIZE: "font_size",
               ids.COMPOSE_WEIGHT: "weight", ids.COMPOSE_TEXT_COLOR: "text_color", ids.COMPOSE_ALIGN: "align",
               ids.COMPOSE_BOX: "box", ids.COMPOSE_BOX_COLOR: "box_color", ids.COMPOSE_PADDING: "padding",
               ids.COMPOSE_RADIUS: "radius"}
CANVAS_FIELDS = {ids.COMPOSE_PRESET: "preset", ids.COMPOSE_WIDTH: "width", ids.COMPOSE_HEIGHT: "height",
                 ids.COMPOSE_BG_KIND: "kind", ids.COMPOSE_COLOR_1: "color_1", ids.COMPOSE_COLOR_2: "color_2",
                 ids.COMPOSE_ANGLE: "angle", ids.COMPOSE_SPACING: "spacing", ids.COMPOSE_FIT: "fit"}
SAVED_BUTTONS = {ids.COMPOSE_SAVE: "save", ids.COMPOSE_OPEN: "open", ids.COMPOSE_DELETE_SAVED: "delete",
                 ids.COMPOSE_DELETE_CONFIRMED: "delete_confirmed"}
VIEW_OUTPUTS = {
    "canvas": (ids.COMPOSE_CANVAS, "children"), "layers": (ids.COMPOSE_LAYER_LIST, "children"),
    "count": (ids.COMPOSE_LAYER_COUNT, "children"), "panel_hidden": (ids.COMPOSE_LAYER_PANEL, "hidden"),
    "empty_hidden": (ids.COMPOSE_LAYER_EMPTY, "hidden"), "undo_disabled": (ids.COMPOSE_UNDO, "disabled"),
    "redo_disabled": (ids.COMPOSE_REDO, "disabled"), "saved_options": (ids.COMPOSE_SAVED, "options"),
    "save_name": (ids.COMPOSE_SAVE_NAME, "value"),
    "delete_dialog": (ids.COMPOSE_DELETE_DIALOG, "is_open"),
    "delete_question": (ids.COMPOSE_DELETE_QUESTION, "children"),
    "color_2_hidden": (ids.COMPOSE_COLOR_2_GROUP, "hidden"), "angle_hidden": (ids.COMPOSE_ANGLE_GROUP, "hidden"),
    "spacing_hidden": (ids.COMPOSE_SPACING_GROUP, "hidden"), "photo_hidden": (ids.COMPOSE_PHOTO_GROUP, "hidden"),
    "image_group_hidden": (ids.COMPOSE_IMAGE_GROUP, "hidden"), "text_group_hidden": (ids.COMPOSE_TEXT_GROUP, "hidden"),
    "source_hidden": (ids.COMPOSE_SOURCE_GROUP, "hidden"), "source_text": (ids.COMPOSE_SOURCE_TEXT, "children"),
    "selection_note": (ids.COMPOSE_SELECTION_NOTE, "children"), "single_hidden": (ids.COMPOSE_SINGLE_GROUP, "hidden"),
    "distribute_x_disabled": (ids.COMPOSE_DISTRIBUTE_X, "disabled"),
    "distribute_y_disabled": (ids.COMPOSE_DISTRIBUTE_Y, "disabled"),
}
FIELDS = {**LAYER_FIELDS, **NAME_FIELDS, **CROP_FIELDS, **TEXT_FIELDS, **CANVAS_FIELDS}  # every field the callback fills
VALUE_OUTPUTS = {name: (cid, "value") for cid, name in FIELDS.items()}
STATE_OUTPUTS = {"scene": (ids.COMPOSE_SCENE, "data"), "history": (ids.COMPOSE_HISTORY, "data"),
                 "selected": (ids.COMPOSE_SELECTED, "data"), "alerts": (ids.COMPOSE_ALERTS, "children")}
NAMESPACE = "compose"


def register(app: Dash) -> None:
    """Register the Compose page's callbacks on ``app``."""
    inputs = {
        "event": Input(ids.COMPOSE_EVENTS, "event"),
        "keys": Input(ids.COMPOSE_KEYS, "n_keydowns"),
        "undo": Input(ids.COMPOSE_UNDO, "n_clicks"),
        "redo": Input(ids.COMPOSE_REDO, "n_clicks"),
        "buttons": [Input(cid, "n_clicks")
                    for cid in {**LAYER_BUTTONS, **ARRANGE_BUTTONS, **SAVED_BUTTONS, **sources.BUTTONS,
                                ids.COMPOSE_ADD_TEXT: "add"}],
        **{name: Input(cid, "value") for cid, name in FIELDS.items()},
    }
    state = {"stored": State(ids.COMPOSE_SCENE, "data"), "past": State(ids.COMPOSE_HISTORY, "data"),
             "chosen_layer": State(ids.COMPOSE_SELECTED, "data"), "keydown": State(ids.COMPOSE_KEYS, "keydown"),
             "save_name": State(ids.COMPOSE_SAVE_NAME, "value"), "saved": State(ids.COMPOSE_SAVED, "value"),
             **{name: State(cid, "value") for cid, name in sources.FORM.items()}}  # the "From the app" dialog
    app.callback(output=outputs({**STATE_OUTPUTS, **VIEW_OUTPUTS, **VALUE_OUTPUTS}), inputs=inputs, state=state)(_on_input)
    clientside(app, NAMESPACE, "exportScene", Output(ids.COMPOSE_EXPORT_STATE, "data"), Input(ids.COMPOSE_EXPORT, "n_clicks"),
               State(ids.COMPOSE_SCENE, "data"), State(ids.COMPOSE_FORMAT, "value"), State(ids.COMPOSE_SAVE_NAME, "value"),
               prevent_initial_call=True)
    clientside(app, NAMESPACE, "closeDialog", Output(ids.COMPOSE_DELETE_DIALOG, "is_open", allow_duplicate=True),
               Input(ids.COMPOSE_DELETE_CANCEL, "n_clicks"), prevent_initial_call=True)
    sources.register(app)


def _current_scene(stored) -> tuple[Scene, str | None]:
    """The scene the browser holds, or a new one and why (first visit, or a stored scene that is refused)."""
    workbench = get_workbench()
    settings = workbench.settings
    if stored:
        try:
            scene = scene_from_dict(stored, max_side=settings.max_canvas_side)
        except SceneError as error:  # tampered with, or the canvas limit was lowered since: refuse, start afresh
            return edit.new_scene(max_side=settings.max_canvas_side), f"The stored composition was refused: {error}"
        if all(workbench.compose.is_stored(image_id) for image_id in scene.image_ids()):
            return scene, None
        missing = "The composition uses images that are no longer stored"
        return edit.new_scene(max_side=settings.max_canvas_side), missing
    return edit.new_scene(max_side=settings.max_canvas_side), None


def _on_input(**values) -> dict:
    """What Dash calls: :func:`update`, told which input fired (Dash says so only inside a callback)."""
    return update(ctx.triggered_id, **values)


def update(trigger, stored, past, chosen_layer, keydown, save_name, saved, **inputs) -> dict:
    """Apply the edit the input ``trigger`` (its id; None when the page opens) asks for and redraw what it changed."""
    scene, refused = _current_scene(stored)
    if trigger is None or refused:  # the page has just opened: draw what the browser holds
        message = ("danger", _sentence(refused)) if refused else None
        past = history.empty() if refused else past
        result = _render(actions.Outcome(scene, chosen_layer, message, history="none"), scene, past, list_saved=True)
        return _untouched_fields(result, inputs)
    try:
        outcome = _dispatch(trigger, inputs, keydown, save_name, saved, scene, chosen_layer)
    except (SceneError, StorageError, MissingImage) as error:  # bad input: say so, keep the scene
        outcome, list_saved = actions.Outcome(scene, chosen_layer, ("danger", _sentence(str(error))), "none"), True
    else:
        list_saved = trigger not in FIELDS
    return _untouched_fields(_render(outcome, scene, past, list_saved=list_saved), inputs)


def _untouched_fields(result: dict, inputs: dict) -> dict:
    """Leave alone every field that already shows its value.

    Writing a field back with the value it has would overwrite what the user is typing into it while
    an earlier request (say, from the previous field) is still on its way.
    """
    for name in VALUE_OUTPUTS:
        if _same(result[name], inputs.get(name)):
            result[name] = no_update
    return result


def _same(shown, current) -> bool:
    if isinstance(shown, (int, float)) and isinstance(current, (int, float)):
        try:
            return abs(shown - current) < 1e-9
        except OverflowError:  # an integer typed beyond any float: not what is shown
            return False
    return shown == current


def _dispatch(trigger, inputs, keydown, save_name, saved, scene, selected) -> actions.Outcome:
    workbench = get_workbench()
    if trigger == ids.COMPOSE_EVENTS:
        return actions.on_event(inputs["event"], scene, selected, workbench.compose)
    if trigger == ids.COMPOSE_KEYS:
        return actions.on_key(keydown, scene, selected)
    if trigger in (ids.COMPOSE_UNDO, ids.COMPOSE_REDO):
        return actions.Outcome(scene, selected, history="undo" if trigger == ids.COMPOSE_UNDO else "redo")
    if trigger == ids.COMPOSE_ADD_TEXT:
        return actions.on_add_text(scene)
    if trigger in sources.BUTTONS:
        return sources.on_button(trigger, inputs, scene, selected, workbench.compose, workbench.sources)
    if trigger in LAYER_BUTTONS:
        return actions.on_layer_button(trigger, scene, selected, LAYER_BUTTONS, workbench.compose)
    if trigger in ARRANGE_BUTTONS:
        return actions.on_arrange(ARRANGE_BUTTONS[trigger], scene, selected, views.image_sizes(workbench.compose, scene))
    if trigger in LAYER_FIELDS:
        return actions.on_layer_fields(_typed_layer_fields(trigger, inputs, scene, selected), scene, selected)
    if trigger in NAME_FIELDS:
        return actions.on_name(inputs["name"], scene, selected)
    if trigger in CROP_FIELDS:
        values = {name: inputs.get(name) for name in CROP_FIELDS.values()}
        return actions.on_crop_fields(values, scene, selected, workbench.compose)
    if trigger in TEXT_FIELDS:  # every text field as shown: a field changed just before is not lost
        return actions.on_text_fields({name: inputs.get(name) for name in TEXT_FIELDS.values()}, scene, selected)
    if trigger in CANVAS_FIELDS:
        values = {name: inputs[name] for name in CANVAS_FIELDS.values()}
        return actions.on_canvas(values, CANVAS_FIELDS[trigger], scene, selected,
                                 max_side=workbench.settings.max_canvas_side)
    if trigger in SAVED_BUTTONS:
        return actions.on_saved(SAVED_BUTTONS[trigger], save_name, saved, scene, selected, workbench.compose,
                                current_identity().id)
    msg = "unknown control"
    raise SceneError(msg)


def _typed_layer_fields(trigger: str, inputs: dict, scene: Scene, selected: actions.Selected) -> dict:
    """The layer field just changed, and every other one that shows a value the scene does not have yet.

    Two fields typed in quick succession send two requests; the second can leave before the first one's
    answer has arrived, so it carries the scene from before the first edit. The first field still shows
    what the user typed, so that edit is applied again here rather than lost.
    """
    shown = views.layer_values(scene, selected)
    typed = {LAYER_FIELDS[trigger]: inputs.get(LAYER_FIELDS[trigger])}
    for name in LAYER_FIELDS.values():
        if name not in typed and inputs.get(name) is not None and not _same(inputs[name], shown.get(name)):
            typed[name] = inputs[name]
    return typed


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def _apply_history(outcome: actions.Outcome, before: Scene, past) -> tuple[Scene, dict, actions.Selected]:
    """The scene to show and the history after ``outcome`` (undo/redo step through snapshots)."""
    if outcome.history in ("undo", "redo"):
        step = (history.undo if outcome.history == "undo" else history.redo)(past, scene_to_dict(before))
        if step is None:
            return before, history.cleaned(past), outcome.selected
        snapshot, new_past = step
        try:
            scene = scene_from_dict(snapshot, max_side=get_workbench().settings.max_canvas_side)
        except SceneError:  # a history entry that is no longer valid (tampered, or limits changed): forget it all
            return before, history.empty(), outcome.selected
        return scene, new_past, actions.selection(scene, outcome.selected)
    if outcome.history == "record" and outcome.scene != before:
        return outcome.scene, history.record(past, scene_to_dict(before)), outcome.selected
    return outcome.scene, history.cleaned(past), outcome.selected


def _render(outcome: actions.Outcome, before: Scene, past, *, list_saved: bool) -> dict:
    """Every output of the page's callback; the saved list is read from disk only when it may have changed."""
    compose = get_workbench().compose
    scene, new_past, selected = _apply_history(outcome, before, past)
    selected = actions.selection(scene, selected)  # the store keeps one id, or a list when several are selected
    sizes = views.image_sizes(compose, scene)
    result = {
        "scene": scene_to_dict(scene), "history": new_past,
        "selected": (selected[0] if len(selected) == 1 else list(selected)) if selected else None,
        "alerts": _alert(outcome.message),
        "canvas": views.stage_view(scene, selected, sizes),
        "layers": views.layer_list(scene, selected), "count": str(len(scene.layers)),
        **views.history_values(new_past), **views.layer_values(scene, selected), **views.canvas_values(scene),
        **views.crop_values(scene, selected, sizes), **views.text_values(scene, selected),
        **sources.source_values(scene, selected),
        **views.selection_values(selected),
    }
    result["saved_options"] = (
        [{"label": saved.name, "value": saved.name} for saved in compose.list(current_identity().id)]
        if list_saved or outcome.saved_changed else no_update
    )
    result["save_name"] = no_update if outcome.name is None else outcome.name
    result["delete_dialog"] = outcome.delete_asked is not None  # any other answer closes it
    result["delete_question"] = no_update if outcome.delete_asked is None else \
        f"Delete “{outcome.delete_asked}”? This cannot be undone; the canvas keeps what it shows."
    return result


def _alert(message: tuple[str, str] | None):
    if message is None:
        return []
    color, text = message
    return alert(text, color, className="compose-alert")
