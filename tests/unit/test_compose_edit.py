"""Scene edits and undo history: pure functions, each returning a new validated scene."""

from __future__ import annotations

import pytest

from dash_app.compose import edit, history
from dash_app.compose.scene import MAX_LAYERS, SceneError, scene_to_dict

IMG = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def scene():
    return edit.new_scene(1920, 1080)


def test_a_new_image_is_centred_and_scaled_to_fit(scene):
    scene, big = edit.add_image(scene, IMG, (4000, 1000), "wide.png")
    scene, small = edit.add_image(scene, IMG, (200, 100))
    first, second = scene.layers
    assert (first.x, first.y, first.scale, first.name) == (960, 540, round(0.8 * 1920 / 4000, 4), "wide.png")
    assert second.scale == 1, "small images keep their size"
    assert second.id == small and scene.layers[-1].id == small, "added on top"


def test_moves_are_kept_within_a_canvas_of_the_edges(scene):
    scene, layer = edit.add_image(scene, IMG, (100, 100))
    moved = edit.update_layer(scene, layer, x=99_999, y=-99_999)
    assert (moved.layers[0].x, moved.layers[0].y) == (3840, -1080)
    assert edit.nudge(scene, layer, 10, -1).layers[0].x == 970


def test_values_are_normalised(scene):
    scene, layer = edit.add_image(scene, IMG, (100, 100))
    changed = edit.update_layer(scene, layer, rotation=370, scale=500, opacity=-1)
    assert (changed.layers[0].rotation, changed.layers[0].scale, changed.layers[0].opacity) == (10, 50, 0)
    assert edit.normalised_angle(-190) == 170 and edit.normalised_angle(180) == 180


def test_restack_duplicate_flip_delete(scene):
    scene, bottom = edit.add_image(scene, IMG, (100, 100))
    scene, top = edit.add_image(scene, IMG, (100, 100))
    assert [layer.id for layer in edit.restack(scene, top, -1).layers] == [top, bottom]
    assert edit.restack(scene, top, 1) == scene, "already on top"
    copied, copy = edit.duplicate(scene, bottom)
    assert [layer.id for layer in copied.layers] == [bottom, copy, top]
    assert (copied.layers[1].x, copied.layers[1].y) == (984, 564)
    assert edit.flip(scene, top, "x").layers[1].flip_x is True
    assert edit.flip(edit.flip(scene, top, "y"), top, "y") == scene
    assert [layer.id for layer in edit.delete(scene, bottom).layers] == [top]
    with pytest.raises(SceneError, match="no longer in the composition"):
        edit.delete(scene, "0000000000")


def test_a_composition_holds_a_bounded_number_of_layers(scene):
    for _ in range(MAX_LAYERS):
        scene, _layer = edit.add_image(scene, IMG, (10, 10))
    with pytest.raises(SceneError, match=f"at most {MAX_LAYERS}"):
        edit.add_image(scene, IMG, (10, 10))


def test_resizing_the_canvas_keeps_layers_in_place_relatively(scene):
    scene, layer = edit.add_image(scene, IMG, (100, 100))
    scene = edit.update_layer(scene, layer, x=480, y=270)
    resized = edit.resize_canvas(scene, 3840, 2160, max_side=8192)
    assert (resized.layers[0].x, resized.layers[0].y) == (960, 540)
    with pytest.raises(SceneError):
        edit.resize_canvas(scene, 9000, 100, max_side=8192)


def test_background_changes_are_validated(scene):
    assert edit.set_background(scene, {"kind": "solid", "color": "#000000"}).background.color == "#000000"
    with pytest.raises(SceneError, match="background"):
        edit.set_background(scene, {"kind": "solid", "color": "black"})


def test_undo_and_redo_step_through_snapshots():
    past = history.empty()
    past = history.record(past, "a")
    past = history.record(past, "b")
    current, past = history.undo(past, "c")
    assert current == "b"
    current, past = history.undo(past, current)
    assert current == "a" and history.undo(past, current) is None
    current, past = history.redo(past, current)
    assert current == "b" and history.can_redo(past)
    past = history.record(past, current)
    assert not history.can_redo(past), "a new change forgets what could be redone"


def test_history_is_bounded_and_survives_garbage():
    past = history.empty()
    for step in range(history.LIMIT + 20):
        past = history.record(past, step)
    assert len(past["past"]) == history.LIMIT and past["past"][0] == 20
    assert history.cleaned({"past": "x"}) == history.empty()
    assert history.undo(None, "now") is None


def test_scenes_in_history_are_plain_json(scene):
    past = history.record(history.empty(), scene_to_dict(scene))
    assert past["past"][0]["canvas"] == {"width": 1920, "height": 1080}
