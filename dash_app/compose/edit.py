"""Edits of a scene as pure functions: each takes a scene and returns a new, validated one.

The page's callbacks only pick which edit to apply; every rule (where a new layer goes, how far a
layer may move, what duplicating means) lives here, tested without a browser.
"""

from __future__ import annotations

import uuid
from typing import Any

from dash_app.compose.scene import (
    MAX_LAYERS,
    MAX_SCALE,
    MIN_SCALE,
    Layer,
    Scene,
    SceneError,
    SolidBackground,
    scene_from_dict,
    scene_to_dict,
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


def new_layer_id() -> str:
    return uuid.uuid4().hex[:12]


def new_scene(width: int = 1920, height: int = 1080, *, max_side: int = 16384) -> Scene:
    """An empty canvas with the default soft gradient."""
    return scene_from_dict(
        {"canvas": {"width": width, "height": height}, "background": DEFAULT_BACKGROUND}, max_side=max_side
    )


def _rebuild(scene: Scene, **changes: Any) -> Scene:
    """A copy with ``changes``, validated again (model_copy alone would skip validation)."""
    data = scene_to_dict(scene) | changes
    return scene_from_dict(data, max_side=max(scene.canvas.size + (16384,)))


def _clamped(value: float, low: float, high: float) -> float:
    return round(min(max(value, low), high), 2)


def add_image(scene: Scene, image_id: str, size: tuple[int, int], name: str = "") -> tuple[Scene, str]:
    """Add an image as the top layer, centred and scaled down to fit; return the scene and the layer id."""
    if len(scene.layers) >= MAX_LAYERS:
        msg = f"a composition holds at most {MAX_LAYERS} layers"
        raise SceneError(msg)
    width, height = scene.canvas.size
    fit = min(1.0, FIT_SHARE * width / size[0], FIT_SHARE * height / size[1])
    layer = {"id": new_layer_id(), "image_id": image_id, "name": name[:120], "x": width / 2, "y": height / 2,
             "scale": max(MIN_SCALE, round(fit, 4))}
    data = scene_to_dict(scene)
    return _rebuild(scene, layers=[*data["layers"], layer]), layer["id"]


def _index(scene: Scene, layer_id: str) -> int:
    for index, layer in enumerate(scene.layers):
        if layer.id == layer_id:
            return index
    msg = "that layer is no longer in the composition"
    raise SceneError(msg)


def update_layer(scene: Scene, layer_id: str, **changes: Any) -> Scene:
    """Change fields of one layer (positions are kept within one canvas of the edges, scale within limits)."""
    index = _index(scene, layer_id)
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
    """Remove a layer."""
    index = _index(scene, layer_id)
    layers = scene_to_dict(scene)["layers"]
    del layers[index]
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


__all__ = ["Layer", "PRESETS", "add_image", "background_color", "delete", "duplicate", "flip", "new_scene",
           "nudge", "resize_canvas", "restack", "set_background", "update_layer"]
