"""Selections, alignment and distribution (issue 15, items 2 and 3): pure edits of a scene, one step each."""

from __future__ import annotations

import math

import pytest

from dash_app.compose import arrange, edit, text
from dash_app.compose.render import render_scene
from dash_app.compose.scene import SceneError, scene_from_dict
from tests.unit.compose_support import difference_box

A, B = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
SIZES = {A: (200, 100), B: (100, 100)}


def scene(*layers, width=1000, height=600):
    return scene_from_dict({
        "canvas": {"width": width, "height": height},
        "background": {"kind": "solid", "color": "#ffffff"},
        "layers": [{"id": f"{index:08x}", "image_id": A, **layer} if layer.get("kind") != "text"
                   else {"id": f"{index:08x}", **layer} for index, layer in enumerate(layers)],
    })


def ids(count):
    return [f"{index:08x}" for index in range(count)]


def xs(result):
    return [layer.x for layer in result.layers]


# Bounds: the one rule for a turned, scaled, cropped layer


def test_the_box_of_a_plain_layer_is_its_size_times_its_scale_about_its_centre():
    layer = scene({"x": 300, "y": 200, "scale": 1.5}).layers[0]
    assert arrange.box(layer, SIZES) == (150, 125, 450, 275)


@pytest.mark.parametrize(("rotation", "half_w", "half_h"), [
    (90, 50, 100), (-90, 50, 100), (180, 100, 50),
    (45, 150 / math.sqrt(2), 150 / math.sqrt(2)),  # (200 + 100) / 2 * cos 45°
    (30, (200 * math.cos(math.pi / 6) + 100 * 0.5) / 2, (200 * 0.5 + 100 * math.cos(math.pi / 6)) / 2),
])
def test_a_turned_layer_is_boxed_by_its_turned_corners(rotation, half_w, half_h):
    layer = scene({"x": 500, "y": 300, "rotation": rotation}).layers[0]
    left, top, right, bottom = arrange.box(layer, SIZES)
    assert (500 - left, right - 500, 300 - top, bottom - 300) == pytest.approx((half_w, half_w, half_h, half_h))


def test_a_cropped_layer_is_boxed_by_its_crop_not_its_stored_image():
    layer = scene({"x": 500, "y": 300, "scale": 2, "rotation": 90,
                   "crop": {"x": 10, "y": 0, "width": 60, "height": 40}}).layers[0]
    assert arrange.box(layer, SIZES) == pytest.approx((460, 240, 540, 360))  # 120 x 80, turned a quarter


def test_a_text_layer_is_boxed_by_its_drawing():
    layer = scene({"kind": "text", "x": 500, "y": 300, "text": {"content": "Hello", "size": 40}}).layers[0]
    width, height = text.measure(layer.text)
    assert arrange.box(layer, SIZES) == pytest.approx((500 - width / 2, 300 - height / 2, 500 + width / 2,
                                                       300 + height / 2))


def test_the_box_is_where_the_renderer_draws_a_turned_cropped_layer():
    from PIL import Image
    image = Image.new("RGBA", (200, 100), (200, 30, 30, 255))
    model = scene({"x": 420.5, "y": 260, "scale": 1.4, "rotation": 33,
                   "crop": {"x": 20, "y": 10, "width": 150, "height": 70}})
    drawn = render_scene(model, {A: image})
    empty = render_scene(model.model_copy(update={"layers": ()}), {A: image})
    left, top, right, bottom = arrange.box(model.layers[0], SIZES)
    found = difference_box(drawn, empty, threshold=100)  # the half-covered edge pixels count from halfway
    assert found == pytest.approx((left, top, right, bottom), abs=1.01)


# Align: to the canvas for one layer, to the selection for several


@pytest.mark.parametrize(("edge", "x", "y"), [
    ("left", 100, 300), ("center", 500, 300), ("right", 900, 300),
    ("top", 300, 50), ("middle", 300, 300), ("bottom", 300, 550),
])
def test_one_layer_aligns_to_the_canvas(edge, x, y):
    result = arrange.align(scene({"x": 300, "y": 300}), ids(1), edge, SIZES)
    assert (result.layers[0].x, result.layers[0].y) == (x, y)


def test_several_layers_align_to_the_selections_bounds_turned_and_cropped_ones_by_their_boxes():
    start = scene({"x": 300, "y": 100}, {"x": 600, "y": 300, "rotation": 90},
                  {"x": 450, "y": 450, "crop": {"x": 0, "y": 0, "width": 50, "height": 50}, "scale": 2})
    left = arrange.align(start, ids(3), "left", SIZES)
    assert [round(arrange.box(layer, SIZES).left, 2) for layer in left.layers] == [200, 200, 200]
    assert [layer.y for layer in left.layers] == [100, 300, 450], "only across"
    right = arrange.align(start, ids(3), "right", SIZES)
    assert [round(arrange.box(layer, SIZES).right, 2) for layer in right.layers] == [650, 650, 650]
    bottom = arrange.align(start, ids(3), "bottom", SIZES)
    assert [round(arrange.box(layer, SIZES).bottom, 2) for layer in bottom.layers] == [500, 500, 500]
    centre = arrange.align(start, ids(3), "center", SIZES)
    assert xs(centre) == [425, 425, 425]


def test_a_locked_layer_of_the_selection_stays_and_the_others_align_to_it():
    start = scene({"x": 300, "y": 100, "locked": True}, {"x": 600, "y": 300})
    result = arrange.align(start, ids(2), "left", SIZES)
    assert xs(result) == [300, 300]
    with pytest.raises(SceneError, match="is locked: unlock it"):
        arrange.align(scene({"x": 300, "y": 100, "locked": True}), ids(1), "left", SIZES)


def test_align_refuses_an_unknown_edge_or_layer():
    with pytest.raises(SceneError, match="unknown alignment"):
        arrange.align(scene({"x": 1, "y": 1}), ids(1), "diagonal", SIZES)
    with pytest.raises(SceneError, match="no longer in the composition"):
        arrange.align(scene({"x": 1, "y": 1}), ["deadbeef"], "left", SIZES)
    with pytest.raises(SceneError, match="select a layer first"):
        arrange.align(scene({"x": 1, "y": 1}), [], "left", SIZES)


# Distribute: equal gaps, the outermost kept


def test_distribute_horizontally_makes_the_gaps_equal_and_keeps_the_ends():
    start = scene({"x": 100, "y": 100}, {"x": 700, "y": 200, "image_id": B}, {"x": 300, "y": 300},
                  {"x": 900, "y": 400})
    result = arrange.distribute(start, ids(4), "horizontal", SIZES)
    boxes = sorted((arrange.box(layer, SIZES) for layer in result.layers), key=lambda b: b.left)
    gaps = [round(after.left - before.right, 2) for before, after in zip(boxes, boxes[1:])]
    assert gaps == [gaps[0]] * 3 and gaps[0] == pytest.approx((1000 - 200 * 3 - 100) / 3, abs=0.01)
    assert (boxes[0].left, boxes[-1].right) == (0, 1000), "the outermost stay"
    assert [layer.y for layer in result.layers] == [100, 200, 300, 400]


def test_distribute_vertically_uses_turned_boxes_and_needs_three():
    start = scene({"x": 100, "y": 100}, {"x": 300, "y": 250, "rotation": 90}, {"x": 500, "y": 500})
    result = arrange.distribute(start, ids(3), "vertical", SIZES)
    top, middle, bottom = (arrange.box(layer, SIZES) for layer in result.layers)
    assert middle.top - top.bottom == pytest.approx(bottom.top - middle.bottom, abs=0.01)
    assert middle.bottom - middle.top == 200, "the turned layer is 200 px tall"
    with pytest.raises(SceneError, match="select 3 or more layers"):
        arrange.distribute(start, ids(2), "vertical", SIZES)


# The other edits of a selection


def test_a_selection_moves_nudges_and_keeps_its_locked_layers_in_place():
    start = scene({"x": 100, "y": 100}, {"x": 200, "y": 200, "locked": True}, {"x": 300, "y": 300})
    nudged = edit.nudge_layers(start, ids(3), 10, -5)
    assert [(layer.x, layer.y) for layer in nudged.layers] == [(110, 95), (200, 200), (310, 295)]
    moved = edit.move_layers(start, {"00000000": (5000, 1.234), "00000002": (400, 400)})
    assert [(layer.x, layer.y) for layer in moved.layers] == [(2000, 1.23), (200, 200), (400, 400)], "clamped"
    with pytest.raises(SceneError, match="is locked"):
        edit.nudge_layers(start, ["00000001"], 1, 0)


def test_a_selection_is_deleted_duplicated_faded_and_restacked_together():
    start = scene({"x": 100, "y": 100}, {"x": 200, "y": 200, "locked": True}, {"x": 300, "y": 300},
                  {"x": 400, "y": 400})
    deleted = edit.delete_layers(start, ids(3))
    assert [layer.id for layer in deleted.layers] == ["00000001", "00000003"], "the locked one is kept"
    copied, copies = edit.duplicate_layers(start, ["00000000", "00000002"])
    assert [layer.id for layer in copied.layers] == ["00000000", copies[0], "00000001", "00000002", copies[1],
                                                     "00000003"]
    assert (copied.layers[1].x, copied.layers[4].y) == (124, 324)
    faded = edit.set_opacity(start, ["00000001", "00000003"], 0.4)
    assert [layer.opacity for layer in faded.layers] == [1, 0.4, 1, 0.4], "a lock does not keep the opacity"
    up = edit.restack_layers(start, ["00000000", "00000002"], 1)
    assert [layer.id for layer in up.layers] == ["00000001", "00000000", "00000003", "00000002"]
    top = edit.restack_layers(up, ["00000000", "00000002"], 1)
    assert [layer.id for layer in top.layers] == ["00000001", "00000003", "00000000", "00000002"]
    assert edit.restack_layers(top, ["00000000", "00000002"], 1) == top, "at the top they stay"
    down = edit.restack_layers(start, ["00000001", "00000003"], -1)
    assert [layer.id for layer in down.layers] == ["00000001", "00000000", "00000003", "00000002"]


def test_a_selection_refuses_too_many_copies_and_unknown_layers():
    full = scene(*({"x": 10, "y": 10} for _ in range(59)))
    with pytest.raises(SceneError, match="at most 60 layers"):
        edit.duplicate_layers(full, ids(2))
    with pytest.raises(SceneError, match="no longer in the composition"):
        edit.delete_layers(full, ["00000000", "ffffffff"])
