"""Where a layer sits on the canvas as a box, and the edits that line layers up: align and distribute.

A layer's box is the axis-aligned bounding box of what it shows: the stored image (its crop when cropped, a
text's drawing) times its scale, turned about its centre by its rotation. It is the box the renderer draws in
(dash_app/compose/render.py ``_clipped_box``, less its edge padding) and the one the stage's smart guides snap
(assets/js/compose.js ``halfExtents``), so a layer aligned here lands where a guide would have put it.

Alignment moves each layer so that one side (or the centre) of its box meets the same side of the target: the
canvas for one layer, the selection's bounds for several. Distribution keeps the outermost boxes and spaces
the others so the gaps between neighbours are equal. Like every edit of a selection (dash_app/compose/edit.py),
a locked layer stays where it is (it still counts for the selection's bounds), and each is one undo step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from dash_app.compose import edit
from dash_app.compose import text as text_rules
from dash_app.compose.scene import Layer, Scene, SceneError, TextLayer

ALIGN_EDGES = ("left", "center", "right", "top", "middle", "bottom")
DISTRIBUTE_AXES = ("horizontal", "vertical")
MIN_TO_DISTRIBUTE = 3


class Box(NamedTuple):
    """An axis-aligned box in canvas pixels."""

    left: float
    top: float
    right: float
    bottom: float

    def side(self, edge: str) -> float:
        """Where the box's ``edge`` (one of ALIGN_EDGES) is: an x for left/center/right, a y for the others."""
        return {"left": self.left, "center": (self.left + self.right) / 2, "right": self.right, "top": self.top,
                "middle": (self.top + self.bottom) / 2, "bottom": self.bottom}[edge]


def shown_size(layer: Layer | TextLayer, image_sizes: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """What the layer shows before scaling, in canvas px: its crop, its stored image, or a text's drawing."""
    if isinstance(layer, TextLayer):
        return text_rules.measure(layer.text)
    if layer.crop is not None:
        return layer.crop.width, layer.crop.height
    return image_sizes[layer.image_id]


def box(layer: Layer | TextLayer, image_sizes: Mapping[str, tuple[int, int]]) -> Box:
    """The layer's bounding box on the canvas: its shown size times its scale, turned by its rotation."""
    width, height = shown_size(layer, image_sizes)
    width, height = width * layer.scale, height * layer.scale
    theta = math.radians(layer.rotation)
    half_w = (abs(width * math.cos(theta)) + abs(height * math.sin(theta))) / 2
    half_h = (abs(width * math.sin(theta)) + abs(height * math.cos(theta))) / 2
    return Box(layer.x - half_w, layer.y - half_h, layer.x + half_w, layer.y + half_h)


def bounds(boxes: Iterable[Box]) -> Box:
    """The smallest box holding all of ``boxes``."""
    boxes = list(boxes)
    return Box(min(b.left for b in boxes), min(b.top for b in boxes), max(b.right for b in boxes),
               max(b.bottom for b in boxes))


def align(scene: Scene, layer_ids: Iterable[str], edge: str, image_sizes: Mapping[str, tuple[int, int]]) -> Scene:
    """Line up the ``edge`` of each chosen layer's box: with the canvas for one layer, the selection's for several."""
    if edge not in ALIGN_EDGES:
        msg = f"unknown alignment {edge!r}"
        raise SceneError(msg)
    layers = edit.chosen(scene, layer_ids)
    boxes = {layer.id: box(layer, image_sizes) for layer in layers}
    target = Box(0, 0, *scene.canvas.size) if len(layers) == 1 else bounds(boxes.values())
    horizontal = edge in ("left", "center", "right")
    positions = {}
    for layer in layers:
        shift = target.side(edge) - boxes[layer.id].side(edge)
        positions[layer.id] = (layer.x + shift, layer.y) if horizontal else (layer.x, layer.y + shift)
    return edit.move_layers(scene, positions)


def distribute(scene: Scene, layer_ids: Iterable[str], axis: str, image_sizes: Mapping[str, tuple[int, int]]) -> Scene:
    """Space three or more layers evenly along ``axis``: equal gaps between neighbouring boxes, the ends kept."""
    if axis not in DISTRIBUTE_AXES:
        msg = f"unknown distribution {axis!r}"
        raise SceneError(msg)
    layers = edit.chosen(scene, layer_ids)
    if len(layers) < MIN_TO_DISTRIBUTE:
        msg = f"select {MIN_TO_DISTRIBUTE} or more layers to distribute them"
        raise SceneError(msg)
    near, far = ("left", "right") if axis == "horizontal" else ("top", "bottom")
    boxes = {layer.id: box(layer, image_sizes) for layer in layers}
    ordered = sorted(layers, key=lambda layer: boxes[layer.id].side("center" if axis == "horizontal" else "middle"))
    sizes = [boxes[layer.id].side(far) - boxes[layer.id].side(near) for layer in ordered]
    start = min(b.side(near) for b in boxes.values())
    gap = (max(b.side(far) for b in boxes.values()) - start - sum(sizes)) / (len(ordered) - 1)
    positions, place = {}, start
    for layer, size in zip(ordered, sizes, strict=True):
        shift = place - boxes[layer.id].side(near)
        positions[layer.id] = (layer.x + shift, layer.y) if axis == "horizontal" else (layer.x, layer.y + shift)
        place += size + gap
    return edit.move_layers(scene, positions)
