"""The Compose page's one callback, called as a plain function: what the user sees after each input."""

from __future__ import annotations

import io

import pytest
from dash import no_update
from PIL import Image

from dash_app import create_app, ids
from dash_app.callbacks import compose
from dash_app.compose import edit
from dash_app.compose.scene import scene_to_dict
from dash_app.settings import load_settings
from dash_app.workbench import get_workbench


@pytest.fixture
def app(tmp_path):
    app = create_app(load_settings(data_dir=tmp_path / "data"))
    with app.server.test_request_context("/"):
        yield app
    get_workbench(app.server).dispose()


@pytest.fixture
def stored_id(app):
    buffer = io.BytesIO()
    Image.new("RGBA", (200, 100), (0, 0, 255, 255)).save(buffer, format="PNG")
    return get_workbench(app.server).compose.accept_image(buffer.getvalue(), max_bytes=10**6, max_pixels=10**6).id


def update(trigger, stored=None, past=None, chosen_layer=None, *, keydown=None, save_name=None, saved=None,
           **inputs):
    """The callback as Dash calls it: every field shows what it showed before unless ``inputs`` says otherwise."""
    return compose.update(trigger, stored, past, chosen_layer, keydown, save_name, saved, **inputs)


def text(component) -> str:
    """The text a component shows, its children's included."""
    if component is None or component is no_update:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(filter(None, (text(child) for child in component)))
    return text(getattr(component, "children", None))


def upload_event(image_id: str, name: str) -> dict:
    return {"type": "composeupload",
            "detail": {"purpose": "layers", "images": [{"id": image_id, "name": name}], "errors": []}}


def test_the_page_opens_on_an_empty_canvas_and_lists_the_saved_compositions(app):
    get_workbench(app.server).compose.save(None, "Poster", edit.new_scene())
    shown = update(None)
    assert shown["count"] == "0" and shown["alerts"] == []
    assert "Drop PNG, JPEG or WebP images here" in text(shown["canvas"])
    assert shown["canvas"].style == {"width": "880px", "height": "495px"}
    assert shown["saved_options"] == [{"label": "Poster", "value": "Poster"}]
    assert (shown["undo_disabled"], shown["redo_disabled"], shown["panel_hidden"]) == (True, True, True)
    assert (shown["preset"], shown["width"], shown["height"]) == ("1920x1080", 1920, 1080)


def test_an_upload_adds_a_selected_layer_and_undo_takes_it_away(app, stored_id):
    added = update(ids.COMPOSE_EVENTS, event=upload_event(stored_id, "blue.png"))
    assert added["count"] == "1" and "blue.png" in text(added["layers"])
    assert added["selected"] == added["scene"]["layers"][0]["id"] and added["panel_hidden"] is False
    assert added["undo_disabled"] is False
    undone = update(ids.COMPOSE_UNDO, added["scene"], added["history"], added["selected"])
    assert undone["count"] == "0" and undone["selected"] is None
    assert undone["redo_disabled"] is False


def test_a_typed_field_is_applied_and_not_written_back_while_the_user_types(app, stored_id):
    scene, layer_id = edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")
    moved = update(ids.COMPOSE_X, scene_to_dict(scene), None, layer_id, x=400)
    assert moved["scene"]["layers"][0]["x"] == 400
    assert moved["x"] is no_update, "the field already shows 400"
    assert moved["y"] == 540, "the other fields show the layer"


def test_saving_lists_the_composition_and_a_bad_name_says_what_a_name_may_contain(app, stored_id):
    scene = scene_to_dict(edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")[0])
    saved = update(ids.COMPOSE_SAVE, scene, save_name="Launch")
    assert text(saved["alerts"]) == "Saved “Launch”."
    assert saved["saved_options"] == [{"label": "Launch", "value": "Launch"}]
    refused = update(ids.COMPOSE_SAVE, scene, save_name="../secret")
    assert text(refused["alerts"]).startswith("A name is 1 to 60 letters")
    assert refused["alerts"].color == "danger" and refused["scene"] == scene, "the composition is kept"


def test_opening_a_saved_composition_shows_it(app, stored_id):
    scene = edit.add_image(edit.new_scene(800, 600), stored_id, (200, 100), "blue.png")[0]
    get_workbench(app.server).compose.save(None, "Small", scene)
    opened = update(ids.COMPOSE_OPEN, saved="Small")
    assert text(opened["alerts"]) == "Opened “Small”."
    assert (opened["count"], opened["width"], opened["height"]) == ("1", 800, 600)


def test_a_stored_composition_whose_images_are_gone_is_refused_and_the_page_starts_afresh(app):
    scene = edit.add_image(edit.new_scene(), "f" * 32, (200, 100), "gone.png")[0]
    shown = update(None, scene_to_dict(scene), {"past": [scene_to_dict(scene)], "future": []})
    assert text(shown["alerts"]) == "The composition uses images that are no longer stored."
    assert shown["count"] == "0" and shown["undo_disabled"] is True


def test_every_button_and_field_of_the_page_is_an_input_of_the_callback(app):
    """Two controls with the same argument name would leave one of them dead (the layer's Delete once was)."""
    wired = {item["id"] for callback in app.callback_map.values() for item in callback["inputs"]}
    controls = {**compose.LAYER_BUTTONS, **compose.SAVED_BUTTONS, **compose.LAYER_FIELDS, **compose.CANVAS_FIELDS}
    assert set(controls) - wired == set()


def test_the_layer_delete_button_deletes_the_selected_layer(app, stored_id):
    scene, layer_id = edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")
    deleted = update(ids.COMPOSE_DELETE, scene_to_dict(scene), None, layer_id)
    assert deleted["count"] == "0" and deleted["selected"] is None and deleted["panel_hidden"] is True
