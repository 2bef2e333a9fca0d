"""Edits of a scene as pure functions: each takes a scene and returns a new, validated one.

The page's callbacks only pick which edit to apply; every rule (where a new layer goes, how far a
layer may move, what duplicating means) lives here, tested without a browser.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from dash_app.compose import text as text_rules
from dash_app.compose.scene import (
    HARD_MAX_SIDE,
    MAX_LAYERS,
    MAX_SCALE,
    MIN_SCALE,
    Crop,
    Layer,
    Scene,
    SceneError,
    SolidBackground,
    TextLayer,
    scene_from_dict,
    scene_to_dict,
    text_spec_from_dict,
)

FIT_SHARE = 0.8  # a new layer fills at most this share of the canvas
DUPLICATE_OFFSET = 24  # canvas px a duplicate is moved down-right, so it is visibly a second layer
PRESETS = {
    "1920x1080": (1920, 1080),
    "1080x1080": (1080, 1080),
    "3840x2160": (3840, 2160),
    "a4-300dpi": (2480, 3508),
}
DEFAULT_BACKGROUND = {"kind": "linear", "color_from": "#eef2ff", "color_to": "#c7d2fe", "angle": 135.0}
NEW_TEXT = "Your text"
CHART_ASPECT = 4 / 3  # a new chart's width to height
NEW_TEXT_SHARE = 0.08  # a new text's font size, as a share of the canvas height
NEW_TEXT_LINE = 1.5  # how far below another new text the next one lands, in its font sizes
LOCKED_FIELDS = frozenset({"x", "y", "scale", "rotation", "flip_x", "flip_y", "crop"})  # what a lock keeps


def new_layer_id() -> str:
    return uuid.uuid4().hex[:12]


def new_scene(width: int = 1920, height: int = 1080, *, max_side: int = HARD_MAX_SIDE) -> Scene:
    """An empty canvas with the default soft gradient."""
    return scene_from_dict(
        {"canvas": {"width": width, "height": height}, "background": DEFAULT_BACKGROUND}, max_side=max_side
    )


def _rebuild(scene: Scene, **changes: Any) -> Scene:
    """A copy with ``changes``, validated again (model_copy alone would skip validation)."""
    data = scene_to_dict(scene) | changes
    return scene_from_dict(data, max_side=HARD_MAX_SIDE)


def _clamped(value: float, low: float, high: float) -> float:
    return round(min(max(value, low), high), 2)


def add_image(scene: Scene, image_id: str, size: tuple[int, int], name: str = "", *,
              source: dict | None = None) -> tuple[Scene, str]:
    """Add an image as the top layer, centred and scaled down to fit; return the scene and the layer id.

    ``source`` says where the app drew the image from (a run's picture, a Data chart), for a refresh.
    """
    if len(scene.layers) >= MAX_LAYERS:
        msg = f"a composition holds at most {MAX_LAYERS} layers"
        raise SceneError(msg)
    width, height = scene.canvas.size
    fit = min(1.0, FIT_SHARE * width / size[0], FIT_SHARE * height / size[1])
    layer = {"id": new_layer_id(), "image_id": image_id, "name": name[:120], "x": width / 2, "y": height / 2,
             "scale": max(MIN_SCALE, round(fit, 4))} | ({"source": source} if source else {})
    data = scene_to_dict(scene)
    return _rebuild(scene, layers=[*data["layers"], layer]), layer["id"]


def chart_box(scene: Scene) -> tuple[int, int]:
    """The size a new chart is drawn at (canvas px): CHART_ASPECT, filling FIT_SHARE of the canvas at most."""
    width, height = scene.canvas.size
    chart_width = min(FIT_SHARE * width, FIT_SHARE * height * CHART_ASPECT)
    return round(chart_width), round(chart_width / CHART_ASPECT)


def replace_image(scene: Scene, layer_id: str, image_id: str, old_size: tuple[int, int],
                  new_size: tuple[int, int]) -> Scene:
    """Show another stored image in an image layer (a refresh from its source), in the same place and size.

    The layer keeps its centre, turn, flips and shown width; a crop keeps the same share of the image.
    Nothing moves on the canvas, so a locked layer may be refreshed too.
    """
    index = _index(scene, layer_id)
    layer = scene.layers[index]
    if not isinstance(layer, Layer):
        msg = "only an image layer shows a picture to refresh"
        raise SceneError(msg)
    (old_w, old_h), (new_w, new_h) = old_size, new_size
    crop = None
    if layer.crop is not None:
        left = min(round(layer.crop.x * new_w / old_w), new_w - 1)
        top = min(round(layer.crop.y * new_h / old_h), new_h - 1)
        crop = {"x": left, "y": top,
                "width": max(1, min(round(layer.crop.width * new_w / old_w), new_w - left)),
                "height": max(1, min(round(layer.crop.height * new_h / old_h), new_h - top))}
    shown_width = (layer.crop.width if layer.crop else old_w) * layer.scale
    scale = shown_width / (crop["width"] if crop else new_w)
    layers = scene_to_dict(scene)["layers"]
    layers[index] |= {"image_id": image_id, "crop": crop, "scale": round(min(max(scale, MIN_SCALE), MAX_SCALE), 4)}
    return _rebuild(scene, layers=layers)


def add_text(scene: Scene, content: str = NEW_TEXT, **style: Any) -> tuple[Scene, str]:
    """Add a text as the top layer, sized to the canvas; return the scene and the layer id.

    It is centred, or, where another text already is, a line lower (and so on down to the canvas's bottom
    edge): each press of "Add text" shows a new text, not one hidden exactly under the last.
    """
    if len(scene.layers) >= MAX_LAYERS:
        msg = f"a composition holds at most {MAX_LAYERS} layers"
        raise SceneError(msg)
    width, height = scene.canvas.size
    size = min(max(round(height * NEW_TEXT_SHARE), text_rules.MIN_SIZE), text_rules.MAX_SIZE)
    spec = text_spec_from_dict({"content": content, "size": size} | style)
    taken = {(layer.x, layer.y) for layer in scene.layers if isinstance(layer, TextLayer)}
    x, y, line = width / 2, height / 2, round(size * NEW_TEXT_LINE)
    while (x, y) in taken and y + line + size <= height:  # the text stays on the canvas
        y += line
    layer = {"kind": "text", "id": new_layer_id(), "x": x, "y": y, "text": spec.model_dump()}
    return _rebuild(scene, layers=[*scene_to_dict(scene)["layers"], layer]), layer["id"]


def label(layer: Layer | TextLayer) -> str:
    """How messages and the layer list name a layer: its name, or its text, or "this layer"."""
    if layer.name:
        return layer.name
    if isinstance(layer, TextLayer):
        first = layer.text.content.strip().splitlines()[0]
        return first[:40] + ("…" if len(first) > 40 else "")
    return "this layer"


def _unlocked(layer: Layer | TextLayer, what: str) -> None:
    if layer.locked:
        msg = f"“{label(layer)}” is locked: unlock it in the Layers list to {what} it"
        raise SceneError(msg)


def _index(scene: Scene, layer_id: str) -> int:
    for index, layer in enumerate(scene.layers):
        if layer.id == layer_id:
            return index
    msg = "that layer is no longer in the composition"
    raise SceneError(msg)


def update_layer(scene: Scene, layer_id: str, **changes: Any) -> Scene:
    """Change fields of one layer (positions are kept within one canvas of the edges, scale within limits)."""
    index = _index(scene, layer_id)
    layer = scene.layers[index]
    if LOCKED_FIELDS.intersection(changes):
        _unlocked(layer, "move, turn, scale or crop")
    if isinstance(layer, TextLayer) and "scale" in changes:  # a text grows by its font size, never stretched
        factor = float(changes.pop("scale"))
        changes["text"] = _resized_text(layer, factor)
    width, height = scene.canvas.size
    if "x" in changes:
        changes["x"] = _clamped(float(changes["x"]), -width, 2 * width)
    if "y" in changes:
        changes["y"] = _clamped(float(changes["y"]), -height, 2 * height)
    if "scale" in changes:
        changes["scale"] = round(min(max(float(changes["scale"]), MIN_SCALE), MAX_SCALE), 4)
    if "rotation" in changes:
        changes["rotation"] = normalised_angle(float(changes["rotation"]))
    if "opacity" in changes:
        changes["opacity"] = round(min(max(float(changes["opacity"]), 0.0), 1.0), 3)
    layers = scene_to_dict(scene)["layers"]
    layers[index] = layers[index] | changes
    return _rebuild(scene, layers=layers)


def _resized_text(layer: TextLayer, factor: float) -> dict:
    """The layer's text with its size, padding and radius times ``factor`` (the size kept within its limits)."""
    spec = layer.text
    size = min(max(round(spec.size * factor), text_rules.MIN_SIZE), text_rules.MAX_SIZE)
    ratio = size / spec.size
    grown = {"size": size, "padding": min(round(spec.padding * ratio), text_rules.MAX_PADDING),
             "radius": min(round(spec.radius * ratio), text_rules.MAX_PADDING)}
    return text_spec_from_dict(spec.model_dump() | grown).model_dump()


def update_text(scene: Scene, layer_id: str, **changes: Any) -> Scene:
    """Change the text of a text layer (content, font, size, weight, colour, alignment, box); checked first."""
    layer = scene.layers[_index(scene, layer_id)]
    if not isinstance(layer, TextLayer):
        msg = "only a text layer has a text to change"
        raise SceneError(msg)
    spec = text_spec_from_dict(layer.text.model_dump() | changes)
    return update_layer(scene, layer_id, text=spec.model_dump())


def set_crop(scene: Scene, layer_id: str, crop: dict | None, image_size: tuple[int, int]) -> Scene:
    """Crop an image layer to ``crop`` (image px; None: the whole image), the shown part staying in place.

    The source image is kept; only the rectangle is stored. A crop outside the image, or empty, is refused.
    """
    layer = scene.layers[_index(scene, layer_id)]
    if not isinstance(layer, Layer):
        msg = "only an image layer can be cropped"
        raise SceneError(msg)
    _unlocked(layer, "move, turn, scale or crop")
    width, height = image_size
    whole = Crop(x=0, y=0, width=width, height=height)
    new = whole if crop is None else _checked_crop(crop, image_size)
    old = layer.crop or whole
    # Shift the centre by how far the crop's centre moved, in the layer's turned and flipped frame.
    du = ((new.x + new.width / 2) - (old.x + old.width / 2)) * (-1 if layer.flip_x else 1) * layer.scale
    dv = ((new.y + new.height / 2) - (old.y + old.height / 2)) * (-1 if layer.flip_y else 1) * layer.scale
    theta = math.radians(layer.rotation)
    dx, dy = du * math.cos(theta) - dv * math.sin(theta), du * math.sin(theta) + dv * math.cos(theta)
    return update_layer(scene, layer_id, x=layer.x + dx, y=layer.y + dy,
                        crop=None if new == whole else new.model_dump())


def _checked_crop(crop: Any, image_size: tuple[int, int]) -> Crop:
    if not isinstance(crop, dict):
        msg = "a crop is x, y, width and height in the image's pixels"
        raise SceneError(msg)
    try:
        checked = Crop.model_validate(crop)
    except ValidationError as error:
        reasons = [f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}".removeprefix(": ")
                   if item["type"] != "value_error" else str(item["msg"]).removeprefix("Value error, ")
                   for item in error.errors(include_url=False)]
        raise SceneError("; ".join(reasons)) from None
    width, height = image_size
    if checked.x + checked.width > width or checked.y + checked.height > height:
        msg = (f"the crop ({checked.x}, {checked.y}, {checked.width} × {checked.height}) reaches outside the "
               f"{width} × {height} px image: x + width must be at most {width} and y + height at most {height}")
        raise SceneError(msg)
    return checked


def set_flag(scene: Scene, layer_id: str, flag: str, value: bool) -> Scene:
    """Show or hide (``"visible"``), lock or unlock (``"locked"``) a layer."""
    if flag not in ("visible", "locked"):
        msg = f"unknown layer setting {flag!r}"
        raise SceneError(msg)
    _index(scene, layer_id)
    return update_layer(scene, layer_id, **{flag: bool(value)})


def rename(scene: Scene, layer_id: str, name: str) -> Scene:
    """Give a layer a name (spaces trimmed; at most 120 characters; empty: the default label)."""
    name = " ".join(str(name).split())
    if len(name) > 120:
        msg = f"a layer name is at most 120 characters, not {len(name)}"
        raise SceneError(msg)
    return update_layer(scene, layer_id, name=name)


def move_to(scene: Scene, layer_id: str, position: int) -> Scene:
    """Put a layer at ``position`` in the stack (0: bottom), the others keeping their order."""
    index = _index(scene, layer_id)
    return restack(scene, layer_id, int(position) - index)


def normalised_angle(degrees: float) -> float:
    """The same turn in (-180, 180], rounded to a hundredth of a degree."""
    angle = round(degrees % 360, 2)
    return angle - 360 if angle > 180 else angle


def nudge(scene: Scene, layer_id: str, dx: float, dy: float) -> Scene:
    """Move a layer by (dx, dy) canvas pixels."""
    layer = scene.layers[_index(scene, layer_id)]
    return update_layer(scene, layer_id, x=layer.x + dx, y=layer.y + dy)


def flip(scene: Scene, layer_id: str, axis: str) -> Scene:
    """Mirror a layer left-right (``"x"``) or top-bottom (``"y"``)."""
    layer = scene.layers[_index(scene, layer_id)]
    if isinstance(layer, TextLayer):
        msg = "a text layer cannot be flipped"
        raise SceneError(msg)
    field = {"x": "flip_x", "y": "flip_y"}[axis]
    return update_layer(scene, layer_id, **{field: not getattr(layer, field)})


def restack(scene: Scene, layer_id: str, step: int) -> Scene:
    """Move a layer ``step`` places up (positive: forward) or down the stack, within its ends."""
    index = _index(scene, layer_id)
    layers = scene_to_dict(scene)["layers"]
    target = min(max(index + step, 0), len(layers) - 1)
    layers.insert(target, layers.pop(index))
    return _rebuild(scene, layers=layers)


def duplicate(scene: Scene, layer_id: str) -> tuple[Scene, str]:
    """Copy a layer just above itself, shifted a little; return the scene and the copy's id."""
    if len(scene.layers) >= MAX_LAYERS:
        msg = f"a composition holds at most {MAX_LAYERS} layers"
        raise SceneError(msg)
    index = _index(scene, layer_id)
    layers = scene_to_dict(scene)["layers"]
    copy = layers[index] | {"id": new_layer_id()}
    width, height = scene.canvas.size
    copy["x"] = _clamped(copy["x"] + DUPLICATE_OFFSET, -width, 2 * width)
    copy["y"] = _clamped(copy["y"] + DUPLICATE_OFFSET, -height, 2 * height)
    layers.insert(index + 1, copy)
    return _rebuild(scene, layers=layers), copy["id"]


def delete(scene: Scene, layer_id: str) -> Scene:
    """Remove a layer (not a locked one)."""
    index = _index(scene, layer_id)
    _unlocked(scene.layers[index], "delete")
    layers = scene_to_dict(scene)["layers"]
    del layers[index]
    return _rebuild(scene, layers=layers)


# Edits of a selection of layers: one edit (one undo step) for all of them. A locked layer of the selection
# stays where it is and is not deleted; an edit that would leave every layer of it as it is says which is locked.


def chosen(scene: Scene, layer_ids: Iterable[str]) -> list[Layer | TextLayer]:
    """The layers with these ids, in stacking order (bottom first); an id that is not in the scene is refused."""
    wanted = set(layer_ids)
    unknown = wanted - {layer.id for layer in scene.layers}
    if unknown:
        msg = "that layer is no longer in the composition"
        raise SceneError(msg)
    if not wanted:
        msg = "select a layer first"
        raise SceneError(msg)
    return [layer for layer in scene.layers if layer.id in wanted]


def _movable(layers: list[Layer | TextLayer], what: str) -> list[Layer | TextLayer]:
    """The unlocked ones; when there are none, the first locked one says why nothing can change."""
    free = [layer for layer in layers if not layer.locked]
    if not free and layers:
        _unlocked(layers[0], what)
    return free


def move_layers(scene: Scene, positions: Mapping[str, tuple[float, float]]) -> Scene:
    """Put several layers' centres at ``positions`` (canvas px) in one edit; locked layers stay."""
    moved = {layer.id for layer in _movable(chosen(scene, positions), "move, turn, scale or crop")}
    width, height = scene.canvas.size
    layers = scene_to_dict(scene)["layers"]
    for layer in layers:
        if layer["id"] in moved:
            x, y = positions[layer["id"]]
            layer["x"], layer["y"] = _clamped(float(x), -width, 2 * width), _clamped(float(y), -height, 2 * height)
    return _rebuild(scene, layers=layers)


def nudge_layers(scene: Scene, layer_ids: Iterable[str], dx: float, dy: float) -> Scene:
    """Move every layer of a selection by (dx, dy) canvas pixels."""
    return move_layers(scene, {layer.id: (layer.x + dx, layer.y + dy) for layer in chosen(scene, layer_ids)})


def delete_layers(scene: Scene, layer_ids: Iterable[str]) -> Scene:
    """Remove the layers of a selection (its locked ones are kept)."""
    gone = {layer.id for layer in _movable(chosen(scene, layer_ids), "delete")}
    return _rebuild(scene, layers=[layer for layer in scene_to_dict(scene)["layers"] if layer["id"] not in gone])


def duplicate_layers(scene: Scene, layer_ids: Iterable[str]) -> tuple[Scene, list[str]]:
    """Copy each layer of a selection just above itself, shifted a little; return the scene and the copies' ids."""
    originals = chosen(scene, layer_ids)
    if len(scene.layers) + len(originals) > MAX_LAYERS:
        msg = f"a composition holds at most {MAX_LAYERS} layers"
        raise SceneError(msg)
    width, height = scene.canvas.size
    layers, copies = [], []
    for layer in scene_to_dict(scene)["layers"]:
        layers.append(layer)
        if any(original.id == layer["id"] for original in originals):
            copy = layer | {"id": new_layer_id(), "x": _clamped(layer["x"] + DUPLICATE_OFFSET, -width, 2 * width),
                            "y": _clamped(layer["y"] + DUPLICATE_OFFSET, -height, 2 * height)}
            layers.append(copy)
            copies.append(copy["id"])
    return _rebuild(scene, layers=layers), copies


def set_opacity(scene: Scene, layer_ids: Iterable[str], opacity: float) -> Scene:
    """Give every layer of a selection the same opacity (0 to 1; a lock does not keep it)."""
    wanted = {layer.id for layer in chosen(scene, layer_ids)}
    value = round(min(max(float(opacity), 0.0), 1.0), 3)
    layers = [layer | {"opacity": value} if layer["id"] in wanted else layer
              for layer in scene_to_dict(scene)["layers"]]
    return _rebuild(scene, layers=layers)


def restack_layers(scene: Scene, layer_ids: Iterable[str], step: int) -> Scene:
    """Move every layer of a selection one place up (``step`` > 0) or down the stack, keeping their order.

    A layer already at the end, or held there by another selected layer at the end, stays.
    """
    wanted = {layer.id for layer in chosen(scene, layer_ids)}
    layers = scene_to_dict(scene)["layers"]
    order = range(len(layers) - 2, -1, -1) if step > 0 else range(1, len(layers))
    for index in order:
        other = index + (1 if step > 0 else -1)
        if layers[index]["id"] in wanted and layers[other]["id"] not in wanted:
            layers[index], layers[other] = layers[other], layers[index]
    return _rebuild(scene, layers=layers)


def resize_canvas(scene: Scene, width: int, height: int, *, max_side: int) -> Scene:
    """Change the canvas size, keeping each layer at the same relative place."""
    old_w, old_h = scene.canvas.size
    layers = [
        layer | {"x": round(layer["x"] * width / old_w, 2), "y": round(layer["y"] * height / old_h, 2)}
        for layer in scene_to_dict(scene)["layers"]
    ]
    data = scene_to_dict(scene) | {"canvas": {"width": width, "height": height}, "layers": layers}
    return scene_from_dict(data, max_side=max_side)


def set_background(scene: Scene, background: dict[str, Any]) -> Scene:
    """Replace the background spec (validated like everything else)."""
    return _rebuild(scene, background=background)


def background_color(scene: Scene) -> str:
    """The single colour that best stands for the background (JPEG export flattens on it)."""
    spec = scene.background
    if isinstance(spec, SolidBackground):
        return spec.color
    return getattr(spec, "color", None) or getattr(spec, "color_from", "#ffffff")


__all__ = ["Layer", "PRESETS", "add_image", "add_text", "background_color", "chart_box", "chosen", "delete",
           "delete_layers", "duplicate", "duplicate_layers", "flip", "label", "move_layers", "move_to", "new_scene",
           "nudge", "nudge_layers", "rename", "replace_image", "resize_canvas", "restack", "restack_layers",
           "set_background", "set_crop", "set_flag", "set_opacity", "update_layer", "update_text"]
