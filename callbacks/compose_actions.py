"""Which edit each input of the Compose page asks for: one small function per kind of input.

Every value from the browser (event details, key presses, control values) is checked here or by the
domain's edits before it changes the scene; a bad value raises SceneError, which the page shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dash_app.compose import arrange, edit
from dash_app.compose.scene import MAX_LAYERS, Layer, Scene, SceneError, TextLayer
from dash_app.compose.storage import ComposeStorage, StorageError

NUDGE = {"ArrowLeft": (-1, 0), "ArrowRight": (1, 0), "ArrowUp": (0, -1), "ArrowDown": (0, 1)}
SHIFT_NUDGE = 10
Selected = str | tuple[str, ...] | list[str] | None  # one layer's id, several (a list in the page's store), none
ARRANGE = {**{edge: "align" for edge in arrange.ALIGN_EDGES}, **{axis: "distribute" for axis in arrange.DISTRIBUTE_AXES}}


@dataclass
class Outcome:
    """What an input did: the new scene and selection, and a message for the user if any.

    ``selected`` is one layer's id, the ids of several selected layers, or None.
    """

    scene: Scene
    selected: str | tuple[str, ...] | None
    message: tuple[str, str] | None = None  # (Bootstrap colour, text)
    history: str = "record"  # "record" a change, or "undo"/"redo"/"none"
    saved_changed: bool = False
    name: str | None = None  # the composition opened: the name field shows it, to save it again under it
    delete_asked: str | None = None  # the saved composition the user is asked to confirm deleting


def _number(value: Any, what: str) -> float:
    """A finite number from the browser, or SceneError naming what was wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        msg = f"{what} must be a number"
        raise SceneError(msg)
    return float(value)


def selection(scene: Scene, selected: Any) -> tuple[str, ...]:
    """The selected layers that are in the scene, in stacking order (the page stores one id, a list, or None)."""
    wanted = {selected} if isinstance(selected, str) else \
        {item for item in selected if isinstance(item, str)} if isinstance(selected, (list, tuple)) else ()
    return tuple(layer.id for layer in scene.layers if layer.id in wanted)


def _chosen(scene: Scene, selected: Any) -> tuple[str, ...]:
    """The selection an edit applies to; SceneError when nothing is selected."""
    chosen = selection(scene, selected)
    if not chosen:
        msg = "select a layer first"
        raise SceneError(msg)
    return chosen


def _selected_layer(scene: Scene, selected: Any) -> str:
    """The one selected layer (edits of a single layer's fields); SceneError when none or several are."""
    chosen = _chosen(scene, selected)
    if len(chosen) > 1:
        msg = "select one layer to change this"
        raise SceneError(msg)
    return chosen[0]


def on_event(event: Any, scene: Scene, selected: Selected, compose: ComposeStorage) -> Outcome:
    """A custom DOM event from assets/js/compose.js, forwarded by the EventListener."""
    event = event if isinstance(event, dict) else {}
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    kind = event.get("type")
    if kind == "layerselect":  # in the list: any layer, hidden and locked ones too
        return _select(scene, selected, detail.get("id"), additive=detail.get("additive") is True)
    if kind == "layerdrop":
        return _drop(scene, selected, detail, compose)
    if kind == "layertoggle":
        return _toggle(scene, selected, detail)
    if kind == "layerorder":
        return _reorder(scene, selected, detail)
    if kind == "composeupload":
        return _uploaded(scene, selected, detail, compose)
    if kind == "composenotice":
        return Outcome(scene, selected, ("danger", str(detail.get("message", "Something went wrong"))[:300]), "none")
    msg = "the page sent an event it does not know"
    raise SceneError(msg)


def _select(scene: Scene, selected: Any, layer_id: Any, *, additive: bool = False) -> Outcome:
    """Select one layer; with ``additive`` (Shift), add it to the selection or take it out."""
    known = isinstance(layer_id, str) and scene.layer(layer_id) is not None
    if not additive:
        return Outcome(scene, layer_id if known else None, history="none")
    current = selection(scene, selected)
    if not known:
        return Outcome(scene, current, history="none")
    chosen = tuple(i for i in current if i != layer_id) if layer_id in current else (*current, layer_id)
    return Outcome(scene, chosen, history="none")


def _select_on_canvas(scene: Scene, selected: Any, detail: dict) -> Outcome:
    """A click or a rubber band on the stage: never a locked or hidden layer (they take no pointer there)."""
    wanted = detail.get("ids") if isinstance(detail.get("ids"), list) else [detail.get("id")]
    pickable = {layer.id for layer in scene.layers if layer.visible and not layer.locked}
    touched = tuple(layer_id for layer_id in wanted if isinstance(layer_id, str) and layer_id in pickable)
    additive = detail.get("additive") is True
    if "ids" not in detail:  # one layer clicked
        return _select(scene, selected, touched[0] if touched else None, additive=additive)
    current = selection(scene, selected) if additive else ()
    return Outcome(scene, selection(scene, [*current, *touched]), history="none")


def _known_layer(scene: Scene, layer_id: Any) -> str:
    if not isinstance(layer_id, str) or scene.layer(layer_id) is None:
        msg = "that layer is no longer in the composition"
        raise SceneError(msg)
    return layer_id


def _drop(scene: Scene, selected: Any, detail: dict, compose: ComposeStorage) -> Outcome:
    """The end of a drag on the stage: a move (of one layer or several), a scale, a rotation, a crop, or a click
    or rubber band that selects."""
    action, layer_id = detail.get("kind"), detail.get("id")
    if action == "moves":
        return _moves(scene, detail)
    if action == "select":
        return _select_on_canvas(scene, selected, detail)
    if action == "deselect" or layer_id is None:
        return _select(scene, None, None)
    layer_id = _known_layer(scene, layer_id)
    if action == "crop":
        layer = scene.layer(layer_id)
        size = compose.image_size(layer.image_id) if isinstance(layer, Layer) else (0, 0)
        crop = detail.get("crop")
        if isinstance(crop, dict):
            crop = {name: int(_number(crop.get(name), f"crop {name}")) for name in ("x", "y", "width", "height")}
        return Outcome(edit.set_crop(scene, layer_id, crop, size), layer_id)
    fields = {"move": ("x", "y"), "scale": ("scale",), "rotate": ("rotation",)}.get(action)
    if fields is None:
        msg = f"unknown change {action!r}"
        raise SceneError(msg)
    changes = {name: _number(detail.get(name), name) for name in fields}
    return Outcome(edit.update_layer(scene, layer_id, **changes), layer_id)


def _moves(scene: Scene, detail: dict) -> Outcome:
    """Several selected layers dragged together: their new centres, as one edit; the selection as the page shows it."""
    placed = detail.get("layers") if isinstance(detail.get("layers"), list) else []
    if not placed or len(placed) > MAX_LAYERS or not all(isinstance(item, dict) for item in placed):
        msg = "the page sent a move it does not know"
        raise SceneError(msg)
    positions = {_known_layer(scene, item.get("id")): (_number(item.get("x"), "x"), _number(item.get("y"), "y"))
                 for item in placed}
    shown = selection(scene, detail.get("selection"))
    return Outcome(edit.move_layers(scene, positions), shown or tuple(positions))


def _toggle(scene: Scene, selected: Selected, detail: dict) -> Outcome:
    """The eye (show/hide) or the padlock (lock/unlock) of a layer in the list."""
    layer_id, flag = _known_layer(scene, detail.get("id")), detail.get("flag")
    if flag not in ("visible", "locked"):
        msg = "the page sent a layer setting it does not know"
        raise SceneError(msg)
    layer = scene.layer(layer_id)
    return Outcome(edit.set_flag(scene, layer_id, flag, not getattr(layer, flag)), selected)


def _reorder(scene: Scene, selected: Selected, detail: dict) -> Outcome:
    """A layer dragged (or moved with the keyboard) to ``position`` in the list, which shows the top first."""
    layer_id = _known_layer(scene, detail.get("id"))
    position = _number(detail.get("position"), "position")
    stack_position = len(scene.layers) - 1 - int(position)
    return Outcome(edit.move_to(scene, layer_id, stack_position), selected)


def _uploaded(scene: Scene, selected: Selected, detail: dict, compose: ComposeStorage) -> Outcome:
    """Add the images the upload route accepted; report the files it refused."""
    images = detail.get("images") if isinstance(detail.get("images"), list) else []
    errors = detail.get("errors") if isinstance(detail.get("errors"), list) else []
    added: list[str] = []
    for item in images[:MAX_LAYERS]:
        image_id, name = (item.get("id"), str(item.get("name", ""))) if isinstance(item, dict) else (None, "")
        if not compose.is_stored(image_id):
            errors.append({"name": name, "message": "the upload was not stored"})
            continue
        if detail.get("purpose") == "background":
            fit = scene.background.model_dump().get("fit", "cover")
            color = scene.background.model_dump().get("color", "#000000")
            scene = edit.set_background(scene, {"kind": "photo", "image_id": image_id, "fit": fit, "color": color})
            continue
        scene, layer_id = edit.add_image(scene, image_id, compose.image_size(image_id), name)
        selected = layer_id
        added.append(name)
    message = _upload_message(added, errors)
    return Outcome(scene, selected, message, "record" if images else "none")


def _upload_message(added: list[str], errors: list) -> tuple[str, str] | None:
    refused = [f"{str(item.get('name') or 'a file')[:80]}: {str(item.get('message'))[:200]}"
               for item in errors if isinstance(item, dict)]
    if refused:
        return "danger", "Not added: " + "; ".join(refused)
    if len(added) > 1:
        return "success", f"Added {len(added)} layers."
    return None


def on_key(keydown: Any, scene: Scene, selected: Selected) -> Outcome:
    """A shortcut pressed while the stage has focus."""
    keydown = keydown if isinstance(keydown, dict) else {}
    key = keydown.get("key")
    command = keydown.get("ctrlKey") or keydown.get("metaKey")
    if command and key in ("z", "Z", "y"):
        redo = key == "y" or bool(keydown.get("shiftKey"))
        return Outcome(scene, selected, history="redo" if redo else "undo")
    if isinstance(key, str) and key in NUDGE:
        step = SHIFT_NUDGE if keydown.get("shiftKey") else 1
        dx, dy = NUDGE[key]
        chosen = _chosen(scene, selected)
        return Outcome(edit.nudge_layers(scene, chosen, dx * step, dy * step), chosen)
    if key in ("Delete", "Backspace"):
        return _delete(scene, selected)
    return Outcome(scene, selected, history="none")


def _delete(scene: Scene, selected: Any) -> Outcome:
    """Delete the selection; its locked layers stay, still selected."""
    scene = edit.delete_layers(scene, _chosen(scene, selected))
    return Outcome(scene, selection(scene, selected) or None)


def on_add_text(scene: Scene) -> Outcome:
    """A new text layer on top, selected so that the panel shows its text to type over."""
    scene, layer_id = edit.add_text(scene)
    return Outcome(scene, layer_id)


def on_layer_button(trigger: str, scene: Scene, selected: Selected, names: dict[str, str],
                    compose: ComposeStorage | None = None) -> Outcome:
    """Flip or uncrop the selected layer; restack, duplicate or delete the selected layers."""
    action = names[trigger]
    if action in ("duplicate", "delete", "forward", "backward"):
        return _on_selection_button(action, scene, selected)
    layer_id = _selected_layer(scene, selected)
    if action == "crop_reset":
        layer = scene.layer(layer_id)
        if not isinstance(layer, Layer) or compose is None:
            return Outcome(scene, selected, history="none")
        return Outcome(edit.set_crop(scene, layer_id, None, compose.image_size(layer.image_id)), layer_id)
    return Outcome(edit.flip(scene, layer_id, action[-1]), layer_id)


def _on_selection_button(action: str, scene: Scene, selected: Any) -> Outcome:
    """Duplicate (the copies become the selection), delete, or restack every selected layer."""
    if action == "delete":
        return _delete(scene, selected)
    chosen = _chosen(scene, selected)
    if action == "duplicate":
        scene, copies = edit.duplicate_layers(scene, chosen)
        return Outcome(scene, tuple(copies))
    return Outcome(edit.restack_layers(scene, chosen, 1 if action == "forward" else -1), chosen)


def on_arrange(action: str, scene: Scene, selected: Any, image_sizes: dict[str, tuple[int, int]]) -> Outcome:
    """Align the selection's edges or centres (one layer: to the canvas), or distribute three or more evenly."""
    chosen = _chosen(scene, selected)
    if ARRANGE.get(action) == "align":
        return Outcome(arrange.align(scene, chosen, action, image_sizes), chosen)
    if ARRANGE.get(action) == "distribute":
        return Outcome(arrange.distribute(scene, chosen, action, image_sizes), chosen)
    msg = f"unknown arrangement {action!r}"
    raise SceneError(msg)


def on_layer_fields(values: dict[str, Any], scene: Scene, selected: Selected) -> Outcome:
    """Values typed or slid in the selected-layer panel, applied to the selected layer as one edit.

    With several layers selected the panel shows only what applies to all of them: their opacity.
    """
    chosen = _chosen(scene, selected)
    if len(chosen) > 1:
        opacity = values.get("opacity")
        if opacity is None:
            return Outcome(scene, chosen, history="none")
        return Outcome(edit.set_opacity(scene, chosen, _number(opacity, "opacity") / 100), chosen)
    layer_id = chosen[0]
    changes: dict[str, float] = {}
    for field, value in values.items():
        if value is None:  # a field cleared while typing: keep the layer as it is
            continue
        number = _number(value, field)
        changes |= {"scale": {"scale": number / 100}, "opacity": {"opacity": number / 100}}.get(field, {field: number})
    if not changes:
        return Outcome(scene, selected, history="none")
    return Outcome(edit.update_layer(scene, layer_id, **changes), layer_id)


def on_name(name: Any, scene: Scene, selected: Selected) -> Outcome:
    """The selected layer's name, as typed."""
    layer_id = _selected_layer(scene, selected)
    return Outcome(edit.rename(scene, layer_id, str(name or "")), layer_id)


def on_crop_fields(values: dict[str, Any], scene: Scene, selected: Selected, compose: ComposeStorage) -> Outcome:
    """The crop fields of the selected image layer (image px), applied together as one crop."""
    layer_id = _selected_layer(scene, selected)
    layer = scene.layer(layer_id)
    if not isinstance(layer, Layer) or any(value is None for value in values.values()):
        return Outcome(scene, selected, history="none")  # a field cleared while typing: wait for a value
    names = {"crop_x": "x", "crop_y": "y", "crop_w": "width", "crop_h": "height"}
    crop = {names[field]: round(_number(value, f"crop {names[field]}")) for field, value in values.items()}
    size = compose.image_size(layer.image_id)
    whole = {"x": 0, "y": 0, "width": size[0], "height": size[1]}
    current = layer.crop.model_dump() if layer.crop else whole
    if crop == current:
        return Outcome(scene, selected, history="none")
    return Outcome(edit.set_crop(scene, layer_id, None if crop == whole else crop, size), layer_id)


def on_text_fields(values: dict[str, Any], scene: Scene, selected: Selected) -> Outcome:
    """The text fields of the selected text layer, as they show, applied as one change of its text."""
    layer_id = _selected_layer(scene, selected)
    layer = scene.layer(layer_id)
    if not isinstance(layer, TextLayer):
        return Outcome(scene, selected, history="none")
    spec = layer.text.model_dump()
    shown = {"content": values.get("text"), "font": values.get("font"), "color": values.get("text_color"),
             "align": values.get("align")}
    weight = values.get("weight")  # a select's value is a string ("700")
    shown["weight"] = int(weight) if isinstance(weight, str) and weight.isascii() and weight.isdigit() else weight
    for field, name in (("size", "font_size"), ("padding", "padding"), ("radius", "radius")):
        value = values.get(name)
        shown[field] = None if value in (None, "") else round(_number(value, field))
    changes = {field: value for field, value in shown.items() if value is not None}
    if values.get("box") is not None:  # the switch: a box of the chosen colour, or none
        changes["box"] = (values.get("box_color") or spec["box"] or "#ffffff") if values["box"] else None
    if spec | changes == spec:
        return Outcome(scene, selected, history="none")
    return Outcome(edit.update_text(scene, layer_id, **changes), layer_id)


def on_canvas(values: dict, trigger: str, scene: Scene, selected: Selected, *, max_side: int) -> Outcome:
    """A canvas size or background control changed."""
    if trigger in ("preset", "width", "height"):
        if trigger == "preset" and isinstance(values["preset"], str) and values["preset"] in edit.PRESETS:
            width, height = edit.PRESETS[values["preset"]]
        elif trigger == "preset":
            return Outcome(scene, selected, history="none")
        else:
            width, height = (int(_number(values[name], name)) for name in ("width", "height"))
        if (width, height) == scene.canvas.size:
            return Outcome(scene, selected, history="none")
        return Outcome(edit.resize_canvas(scene, width, height, max_side=max_side), selected)
    spec = _background_spec(values, scene)
    if spec is None:
        return Outcome(scene, selected, ("info", "Choose a photo for the background."), "none")
    return Outcome(edit.set_background(scene, spec), selected)


def _background_spec(values: dict, scene: Scene) -> dict | None:
    kind, first, second = values["kind"], values["color_1"], values["color_2"]
    if kind == "solid":
        return {"kind": "solid", "color": first}
    if kind == "linear":
        return {"kind": "linear", "color_from": first, "color_to": second,
                "angle": _number(values["angle"] if values["angle"] is not None else 0, "angle")}
    if kind == "radial":
        return {"kind": "radial", "color_from": first, "color_to": second}
    if kind in ("grid", "dots"):
        spacing = int(_number(values["spacing"] if values["spacing"] is not None else 40, "spacing"))
        return {"kind": kind, "color": first, "ink": second, "spacing": spacing}
    current = scene.background.model_dump()
    if current["kind"] != "photo":
        return None
    return current | {"fit": values["fit"], "color": first}


def on_saved(trigger: str, name: Any, chosen: Any, scene: Scene, selected: Selected, compose: ComposeStorage,
             user: str | None) -> Outcome:
    """Save, open or delete a named composition of the signed-in user (``user``: their stable id; None standalone).

    Names are looked up in the user's own folder only, so another user's composition is never found. Deleting
    cannot be undone, so "delete" only asks (once the composition is known to be there) and "delete_confirmed",
    the dialog's answer, deletes.
    """
    if trigger == "save":
        saved = compose.save(user, str(name or ""), scene)
        return Outcome(scene, selected, ("success", f"Saved “{saved.name}”."), "none", saved_changed=True)
    if not chosen:
        msg = "choose a saved composition first"
        raise StorageError(msg)
    if trigger == "delete":
        compose.check_deletable(user, str(chosen))
        return Outcome(scene, selected, None, "none", delete_asked=str(chosen))
    if trigger == "delete_confirmed":
        compose.delete(user, str(chosen))
        return Outcome(scene, selected, ("success", f"Deleted “{chosen}”."), "none", saved_changed=True)
    opened = compose.load(user, str(chosen))
    if not all(compose.is_stored(image_id) for image_id in opened.image_ids()):
        msg = f"“{chosen}” uses images that are no longer stored"
        raise StorageError(msg)
    return Outcome(opened, None, ("success", f"Opened “{chosen}”."), name=str(chosen))
