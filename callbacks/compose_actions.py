"""Which edit each input of the Compose page asks for: one small function per kind of input.

Every value from the browser (event details, key presses, control values) is checked here or by the
domain's edits before it changes the scene; a bad value raises SceneError, which the page shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dash_app.compose import edit
from dash_app.compose.scene import MAX_LAYERS, Layer, Scene, SceneError, TextLayer
from dash_app.compose.storage import ComposeStorage, StorageError

NUDGE = {"ArrowLeft": (-1, 0), "ArrowRight": (1, 0), "ArrowUp": (0, -1), "ArrowDown": (0, 1)}
SHIFT_NUDGE = 10


@dataclass
class Outcome:
    """What an input did: the new scene and selection, and a message for the user if any."""

    scene: Scene
    selected: str | None
    message: tuple[str, str] | None = None  # (Bootstrap colour, text)
    history: str = "record"  # "record" a change, or "undo"/"redo"/"none"
    saved_changed: bool = False


def _number(value: Any, what: str) -> float:
    """A finite number from the browser, or SceneError naming what was wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        msg = f"{what} must be a number"
        raise SceneError(msg)
    return float(value)


def _selected_layer(scene: Scene, selected: str | None) -> str:
    if not selected or scene.layer(selected) is None:
        msg = "select a layer first"
        raise SceneError(msg)
    return selected


def on_event(event: Any, scene: Scene, selected: str | None, compose: ComposeStorage) -> Outcome:
    """A custom DOM event from assets/js/compose.js, forwarded by the EventListener."""
    event = event if isinstance(event, dict) else {}
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    kind = event.get("type")
    if kind == "layerselect":
        return _select(scene, detail.get("id"))
    if kind == "layerdrop":
        return _drop(scene, detail, compose)
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


def _select(scene: Scene, layer_id: Any) -> Outcome:
    known = isinstance(layer_id, str) and scene.layer(layer_id) is not None
    return Outcome(scene, layer_id if known else None, history="none")


def _known_layer(scene: Scene, layer_id: Any) -> str:
    if not isinstance(layer_id, str) or scene.layer(layer_id) is None:
        msg = "that layer is no longer in the composition"
        raise SceneError(msg)
    return layer_id


def _drop(scene: Scene, detail: dict, compose: ComposeStorage) -> Outcome:
    """The end of a drag on the stage: a move, a scale, a rotation, a crop, or just a click that selects."""
    action, layer_id = detail.get("kind"), detail.get("id")
    if action in ("select", "deselect") or layer_id is None:
        return _select(scene, layer_id if action == "select" else None)
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


def _toggle(scene: Scene, selected: str | None, detail: dict) -> Outcome:
    """The eye (show/hide) or the padlock (lock/unlock) of a layer in the list."""
    layer_id, flag = _known_layer(scene, detail.get("id")), detail.get("flag")
    if flag not in ("visible", "locked"):
        msg = "the page sent a layer setting it does not know"
        raise SceneError(msg)
    layer = scene.layer(layer_id)
    return Outcome(edit.set_flag(scene, layer_id, flag, not getattr(layer, flag)), selected)


def _reorder(scene: Scene, selected: str | None, detail: dict) -> Outcome:
    """A layer dragged (or moved with the keyboard) to ``position`` in the list, which shows the top first."""
    layer_id = _known_layer(scene, detail.get("id"))
    position = _number(detail.get("position"), "position")
    stack_position = len(scene.layers) - 1 - int(position)
    return Outcome(edit.move_to(scene, layer_id, stack_position), selected)


def _uploaded(scene: Scene, selected: str | None, detail: dict, compose: ComposeStorage) -> Outcome:
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


def on_key(keydown: Any, scene: Scene, selected: str | None) -> Outcome:
    """A shortcut pressed while the stage has focus."""
    keydown = keydown if isinstance(keydown, dict) else {}
    key = keydown.get("key")
    command = keydown.get("ctrlKey") or keydown.get("metaKey")
    if command and key in ("z", "Z", "y"):
        redo = key == "y" or bool(keydown.get("shiftKey"))
        return Outcome(scene, selected, history="redo" if redo else "undo")
    if key in NUDGE:
        step = SHIFT_NUDGE if keydown.get("shiftKey") else 1
        dx, dy = NUDGE[key]
        layer_id = _selected_layer(scene, selected)
        return Outcome(edit.nudge(scene, layer_id, dx * step, dy * step), layer_id)
    if key in ("Delete", "Backspace"):
        return Outcome(edit.delete(scene, _selected_layer(scene, selected)), None)
    return Outcome(scene, selected, history="none")


def on_add_text(scene: Scene) -> Outcome:
    """A new text layer on top, selected so that the panel shows its text to type over."""
    scene, layer_id = edit.add_text(scene)
    return Outcome(scene, layer_id)


def on_layer_button(trigger: str, scene: Scene, selected: str | None, names: dict[str, str],
                    compose: ComposeStorage | None = None) -> Outcome:
    """Flip, restack, duplicate, delete or uncrop the selected layer."""
    layer_id = _selected_layer(scene, selected)
    action = names[trigger]
    if action == "crop_reset":
        layer = scene.layer(layer_id)
        if not isinstance(layer, Layer) or compose is None:
            return Outcome(scene, selected, history="none")
        return Outcome(edit.set_crop(scene, layer_id, None, compose.image_size(layer.image_id)), layer_id)
    if action == "duplicate":
        scene, copy_id = edit.duplicate(scene, layer_id)
        return Outcome(scene, copy_id)
    if action == "delete":
        return Outcome(edit.delete(scene, layer_id), None)
    if action in ("flip_x", "flip_y"):
        return Outcome(edit.flip(scene, layer_id, action[-1]), layer_id)
    return Outcome(edit.restack(scene, layer_id, 1 if action == "forward" else -1), layer_id)


def on_layer_fields(values: dict[str, Any], scene: Scene, selected: str | None) -> Outcome:
    """Values typed or slid in the selected-layer panel, applied to the selected layer as one edit."""
    layer_id = _selected_layer(scene, selected)
    changes: dict[str, float] = {}
    for field, value in values.items():
        if value is None:  # a field cleared while typing: keep the layer as it is
            continue
        number = _number(value, field)
        changes |= {"scale": {"scale": number / 100}, "opacity": {"opacity": number / 100}}.get(field, {field: number})
    if not changes:
        return Outcome(scene, selected, history="none")
    return Outcome(edit.update_layer(scene, layer_id, **changes), layer_id)


def on_name(name: Any, scene: Scene, selected: str | None) -> Outcome:
    """The selected layer's name, as typed."""
    layer_id = _selected_layer(scene, selected)
    return Outcome(edit.rename(scene, layer_id, str(name or "")), layer_id)


def on_crop_fields(values: dict[str, Any], scene: Scene, selected: str | None, compose: ComposeStorage) -> Outcome:
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


def on_text_fields(values: dict[str, Any], scene: Scene, selected: str | None) -> Outcome:
    """The text fields of the selected text layer, as they show, applied as one change of its text."""
    layer_id = _selected_layer(scene, selected)
    layer = scene.layer(layer_id)
    if not isinstance(layer, TextLayer):
        return Outcome(scene, selected, history="none")
    spec = layer.text.model_dump()
    shown = {"content": values.get("text"), "font": values.get("font"), "color": values.get("text_color"),
             "align": values.get("align")}
    weight = values.get("weight")  # a select's value is a string ("700")
    shown["weight"] = int(weight) if isinstance(weight, str) and weight.isdigit() else weight
    for field, name in (("size", "font_size"), ("padding", "padding"), ("radius", "radius")):
        value = values.get(name)
        shown[field] = None if value in (None, "") else round(_number(value, field))
    changes = {field: value for field, value in shown.items() if value is not None}
    if values.get("box") is not None:  # the switch: a box of the chosen colour, or none
        changes["box"] = (values.get("box_color") or spec["box"] or "#ffffff") if values["box"] else None
    if spec | changes == spec:
        return Outcome(scene, selected, history="none")
    return Outcome(edit.update_text(scene, layer_id, **changes), layer_id)


def on_canvas(values: dict, trigger: str, scene: Scene, selected: str | None, *, max_side: int) -> Outcome:
    """A canvas size or background control changed."""
    if trigger in ("preset", "width", "height"):
        if trigger == "preset" and values["preset"] in edit.PRESETS:
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


def on_saved(trigger: str, name: Any, chosen: Any, scene: Scene, selected: str | None, compose: ComposeStorage,
             user: str | None) -> Outcome:
    """Save, open or delete a named composition of the signed-in user (``user``: their stable id; None standalone).

    Names are looked up in the user's own folder only, so another user's composition is never found.
    """
    if trigger == "save":
        saved = compose.save(user, str(name or ""), scene)
        return Outcome(scene, selected, ("success", f"Saved “{saved.name}”."), "none", saved_changed=True)
    if not chosen:
        msg = "choose a saved composition first"
        raise StorageError(msg)
    if trigger == "delete":
        compose.delete(user, str(chosen))
        return Outcome(scene, selected, ("success", f"Deleted “{chosen}”."), "none", saved_changed=True)
    opened = compose.load(user, str(chosen))
    if not all(compose.is_stored(image_id) for image_id in opened.image_ids()):
        msg = f"“{chosen}” uses images that are no longer stored"
        raise StorageError(msg)
    return Outcome(opened, None, ("success", f"Opened “{chosen}”."))
