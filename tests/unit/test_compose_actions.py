"""What each input of the Compose page does, without a browser: hostile event details are refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dash_app.callbacks import compose_actions as actions
from dash_app.compose import edit
from dash_app.compose.scene import SceneError
from dash_app.compose.storage import ComposeStorage, StorageError

MAX_SIDE = 8192  # the default canvas limit (Settings.max_canvas_side)


@pytest.fixture
def compose(tmp_path):
    return ComposeStorage(tmp_path / "data", max_side=MAX_SIDE)


@pytest.fixture
def stored_id(compose):
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 100), (0, 0, 255, 255)).save(buffer, format="PNG")
    return compose.accept_image(buffer.getvalue(), max_bytes=10**6, max_pixels=10**6).id


@pytest.fixture
def scene_with_layer(stored_id):
    return edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")


def event(name, **detail):
    return {"type": name, "detail": detail}


def test_an_upload_event_adds_stored_images_and_reports_refused_files(compose, stored_id):
    detail = {"purpose": "layers", "images": [{"id": stored_id, "name": "blue.png"}, {"id": "f" * 32, "name": "x"},
                                              {"id": "../../etc/passwd", "name": "y"}],
              "errors": [{"name": "notes.png", "message": "this file is not an image"}]}
    outcome = actions.on_event({"type": "composeupload", "detail": detail}, edit.new_scene(), None, compose)
    assert [layer.image_id for layer in outcome.scene.layers] == [stored_id]
    assert outcome.selected == outcome.scene.layers[0].id
    colour, text = outcome.message
    assert colour == "danger"
    assert "notes.png: this file is not an image" in text and "x: the upload was not stored" in text


def test_a_photo_upload_becomes_the_background(compose, stored_id):
    detail = {"purpose": "background", "images": [{"id": stored_id, "name": "p.jpg"}], "errors": []}
    outcome = actions.on_event({"type": "composeupload", "detail": detail}, edit.new_scene(), None, compose)
    assert outcome.scene.background.kind == "photo" and outcome.scene.background.image_id == stored_id
    assert outcome.scene.layers == ()


def test_a_drop_moves_scales_or_turns_the_layer(compose, scene_with_layer):
    scene, layer_id = scene_with_layer
    moved = actions.on_event(event("layerdrop", kind="move", id=layer_id, x=100.5, y=20), scene, None, compose)
    assert (moved.scene.layers[0].x, moved.scene.layers[0].y, moved.selected) == (100.5, 20, layer_id)
    turned = actions.on_event(event("layerdrop", kind="rotate", id=layer_id, rotation=-45), scene, None, compose)
    assert turned.scene.layers[0].rotation == -45
    scaled = actions.on_event(event("layerdrop", kind="scale", id=layer_id, scale=2.5), scene, None, compose)
    assert scaled.scene.layers[0].scale == 2.5


@pytest.mark.parametrize("detail", [
    {"kind": "move", "id": "LAYER", "x": "100", "y": 1},
    {"kind": "move", "id": "LAYER", "x": None, "y": 1},
    {"kind": "move", "id": "LAYER", "x": True, "y": 1},
    {"kind": "scale", "id": "LAYER", "scale": float("nan")},
    {"kind": "teleport", "id": "LAYER"},
    {"kind": "move", "id": "0000000000", "x": 1, "y": 1},
])
def test_hostile_drop_details_are_refused(compose, scene_with_layer, detail):
    scene, layer_id = scene_with_layer
    detail = {key: layer_id if value == "LAYER" else value for key, value in detail.items()}
    with pytest.raises(SceneError):
        actions.on_event({"type": "layerdrop", "detail": detail}, scene, None, compose)


def test_unknown_events_are_refused(compose):
    with pytest.raises(SceneError, match="does not know"):
        actions.on_event({"type": "click"}, edit.new_scene(), None, compose)
    with pytest.raises(SceneError):
        actions.on_event("not even a dict", edit.new_scene(), None, compose)


def test_keys_nudge_delete_undo_and_redo(scene_with_layer):
    scene, layer_id = scene_with_layer
    assert actions.on_key({"key": "ArrowLeft"}, scene, layer_id).scene.layers[0].x == 959
    assert actions.on_key({"key": "ArrowUp", "shiftKey": True}, scene, layer_id).scene.layers[0].y == 530
    assert actions.on_key({"key": "Delete"}, scene, layer_id).scene.layers == ()
    assert actions.on_key({"key": "z", "ctrlKey": True}, scene, layer_id).history == "undo"
    assert actions.on_key({"key": "Z", "ctrlKey": True, "shiftKey": True}, scene, layer_id).history == "redo"
    assert actions.on_key({"key": "y", "metaKey": True}, scene, layer_id).history == "redo"
    with pytest.raises(SceneError, match="select a layer first"):
        actions.on_key({"key": "ArrowLeft"}, scene, None)


def test_panel_fields_change_the_selected_layer(scene_with_layer):
    scene, layer_id = scene_with_layer
    assert actions.on_layer_fields({"scale": 250}, scene, layer_id).scene.layers[0].scale == 2.5
    assert actions.on_layer_fields({"opacity": 40}, scene, layer_id).scene.layers[0].opacity == 0.4
    assert actions.on_layer_fields({"rotation": 190}, scene, layer_id).scene.layers[0].rotation == -170
    assert actions.on_layer_fields({"x": None}, scene, layer_id).history == "none", "a cleared field changes nothing"
    both = actions.on_layer_fields({"x": 400, "rotation": 30}, scene, layer_id)
    assert (both.scene.layers[0].x, both.scene.layers[0].rotation, both.history) == (400, 30, "record")


def test_canvas_controls(compose, scene_with_layer):
    scene, layer_id = scene_with_layer
    values = {"preset": "3840x2160", "width": 1920, "height": 1080, "kind": "grid", "color_1": "#ffffff",
              "color_2": "#e2e8f0", "angle": None, "spacing": 48, "fit": "cover"}
    bigger = actions.on_canvas(values, "preset", scene, layer_id, max_side=MAX_SIDE).scene
    assert bigger.canvas.size == (3840, 2160) and bigger.layers[0].x == 1920
    patterned = actions.on_canvas(values, "kind", scene, layer_id, max_side=MAX_SIDE).scene
    assert patterned.background.model_dump() == {"kind": "grid", "color": "#ffffff", "ink": "#e2e8f0", "spacing": 48}
    with pytest.raises(SceneError, match="larger than the limit of 8192 px"):
        actions.on_canvas(values | {"width": 9000}, "width", scene, layer_id, max_side=MAX_SIDE)
    photo = actions.on_canvas(values | {"kind": "photo"}, "kind", scene, layer_id, max_side=MAX_SIDE)
    assert photo.message == ("info", "Choose a photo for the background.") and photo.scene == scene


def test_deleting_a_saved_composition_asks_first_and_one_that_is_gone_says_so(compose, scene_with_layer):
    scene, layer_id = scene_with_layer
    saved = actions.on_saved("save", "Poster", None, scene, layer_id, compose, None)
    assert saved.message == ("success", "Saved “Poster”.")
    asked = actions.on_saved("delete", None, "Poster", scene, layer_id, compose, None)
    assert asked.delete_asked == "Poster" and asked.message is None and not asked.saved_changed
    assert [item.name for item in compose.list(None)] == ["Poster"], "asking deletes nothing"
    deleted = actions.on_saved("delete_confirmed", None, "Poster", scene, layer_id, compose, None)
    assert deleted.message == ("success", "Deleted “Poster”.") and deleted.saved_changed
    assert deleted.delete_asked is None and compose.list(None) == []
    # The list still offers it (deleted in another tab): neither asking nor deleting again may pretend.
    for trigger in ("delete", "delete_confirmed"):
        with pytest.raises(StorageError, match="no saved composition called 'Poster': nothing was deleted"):
            actions.on_saved(trigger, None, "Poster", scene, layer_id, compose, None)


def test_a_field_edit_sent_with_the_scene_from_before_an_earlier_one_keeps_both(scene_with_layer):
    """Rotation typed, then X at once: X's request still carries the scene without the rotation."""
    from dash_app import ids
    from dash_app.callbacks import compose

    scene, layer_id = scene_with_layer
    shown = {**compose.views.layer_values(scene, layer_id), "x": 400, "rotation": 30}
    typed = compose._typed_layer_fields(ids.COMPOSE_X, shown, scene, layer_id)
    assert typed == {"x": 400, "rotation": 30}, "what the fields show and the scene lacks"
    layer = actions.on_layer_fields(typed, scene, layer_id).scene.layers[0]
    assert (layer.x, layer.rotation) == (400, 30)


@pytest.mark.parametrize("detail", [
    {"id": "nope", "flag": "visible"}, {"flag": "visible"}, {"id": None, "flag": "locked"},
])
def test_hostile_toggle_and_order_details_are_refused(compose, scene_with_layer, detail):
    scene, layer_id = scene_with_layer
    with pytest.raises(SceneError):
        actions.on_event(event("layertoggle", **detail), scene, layer_id, compose)
    with pytest.raises(SceneError, match="setting it does not know"):
        actions.on_event(event("layertoggle", id=layer_id, flag="rotation"), scene, layer_id, compose)
    with pytest.raises(SceneError, match="position must be a number"):
        actions.on_event(event("layerorder", id=layer_id, position="top"), scene, layer_id, compose)
    with pytest.raises(SceneError, match="crop x must be a number"):
        actions.on_event(event("layerdrop", kind="crop", id=layer_id, crop={"x": "0", "y": 0, "width": 1,
                                                                            "height": 1}), scene, layer_id, compose)


def test_text_and_crop_fields_do_nothing_for_the_other_kind_of_layer(compose, scene_with_layer):
    scene, layer_id = scene_with_layer
    same = actions.on_text_fields({"text": "Hi"}, scene, layer_id)
    assert same.scene == scene and same.history == "none"
    text_scene, text_id = edit.add_text(scene)
    same = actions.on_crop_fields({"crop_x": 0, "crop_y": 0, "crop_w": 5, "crop_h": 5}, text_scene, text_id, compose)
    assert same.scene == text_scene and same.history == "none"
    cleared = actions.on_crop_fields({"crop_x": 0, "crop_y": None, "crop_w": 5, "crop_h": 5}, scene, layer_id,
                                     compose)
    assert cleared.history == "none", "a field cleared while typing waits for a value"


@pytest.mark.parametrize("detail", [
    {"kind": "moves", "layers": "all"},
    {"kind": "moves", "layers": []},
    {"kind": "moves", "layers": [{"id": "LAYER", "x": "1", "y": 2}]},
    {"kind": "moves", "layers": [{"id": "LAYER", "x": float("inf"), "y": 2}]},
    {"kind": "moves", "layers": [{"id": "0000000000", "x": 1, "y": 2}]},
    {"kind": "moves", "layers": [7]},
    {"kind": "moves", "layers": [{"id": "LAYER", "x": 1, "y": 2}] * 61},
])
def test_hostile_moves_of_several_layers_are_refused(compose, scene_with_layer, detail):
    scene, layer_id = scene_with_layer
    with pytest.raises(SceneError):
        actions.on_event({"type": "layerdrop", "detail": _naming(detail, layer_id)}, scene, None, compose)


def _naming(value, layer_id):
    """``value`` with every "LAYER" in it replaced by ``layer_id``."""
    if isinstance(value, dict):
        return {key: _naming(item, layer_id) for key, item in value.items()}
    if isinstance(value, list):
        return [_naming(item, layer_id) for item in value]
    return layer_id if value == "LAYER" else value


@pytest.mark.parametrize("stored", [{"id": "x"}, 7, ["not-a-layer", None, 3], "0000000000", None])
def test_a_selection_from_the_browser_keeps_only_layers_of_the_scene(scene_with_layer, stored):
    scene, layer_id = scene_with_layer
    assert actions.selection(scene, stored) == ()
    assert actions.selection(scene, [layer_id, layer_id, "nope"]) == (layer_id,)
    with pytest.raises(SceneError, match="select a layer first"):
        actions.on_key({"key": "ArrowLeft"}, scene, stored)


def test_an_unknown_arrangement_is_refused(scene_with_layer):
    scene, layer_id = scene_with_layer
    with pytest.raises(SceneError, match="unknown arrangement"):
        actions.on_arrange("diagonal", scene, layer_id, {})
