"""The Compose page's one callback, called as a plain function: what the user sees after each input."""

from __future__ import annotations

import io

import pytest
from dash import no_update
from PIL import Image

from dash_app import create_app, ids
from dash_app.callbacks import compose
from dash_app.compose import edit
from dash_app.compose.scene import scene_from_dict, scene_to_dict
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
    assert opened["save_name"] == "Small", "the name field shows it: saving again keeps the name"
    assert update(ids.COMPOSE_X, opened["scene"], None, None, x=10)["save_name"] is no_update, "a typed name stays"


def test_the_trash_button_asks_in_a_dialog_and_only_its_delete_button_deletes(app, stored_id):
    scene = edit.add_image(edit.new_scene(800, 600), stored_id, (200, 100), "blue.png")[0]
    compose = get_workbench(app.server).compose
    compose.save(None, "Small", scene)
    asked = update(ids.COMPOSE_DELETE_SAVED, scene_to_dict(scene), saved="Small")
    assert asked["delete_dialog"] is True
    assert asked["delete_question"].startswith("Delete “Small”? This cannot be undone")
    assert asked["alerts"] == [] and [saved.name for saved in compose.list(None)] == ["Small"]
    deleted = update(ids.COMPOSE_DELETE_CONFIRMED, scene_to_dict(scene), saved="Small")
    assert text(deleted["alerts"]) == "Deleted “Small”." and deleted["delete_dialog"] is False
    assert deleted["saved_options"] == [] and deleted["scene"] == scene_to_dict(scene), "the canvas keeps it"
    nothing = update(ids.COMPOSE_DELETE_SAVED, scene_to_dict(scene), saved=None)
    assert text(nothing["alerts"]) == "Choose a saved composition first." and nothing["delete_dialog"] is False


def test_a_stored_composition_whose_images_are_gone_is_refused_and_the_page_starts_afresh(app):
    scene = edit.add_image(edit.new_scene(), "f" * 32, (200, 100), "gone.png")[0]
    shown = update(None, scene_to_dict(scene), {"past": [scene_to_dict(scene)], "future": []})
    assert text(shown["alerts"]) == "The composition uses images that are no longer stored."
    assert shown["count"] == "0" and shown["undo_disabled"] is True


def test_every_button_and_field_of_the_page_is_an_input_of_the_callback(app):
    """Two controls with the same argument name would leave one of them dead (the layer's Delete once was)."""
    wired = {item["id"] for callback in app.callback_map.values() for item in callback["inputs"]}
    controls = {**compose.LAYER_BUTTONS, **compose.ARRANGE_BUTTONS, **compose.SAVED_BUTTONS, **compose.FIELDS,
                ids.COMPOSE_ADD_TEXT: "add"}
    assert set(controls) - wired == set()


def test_the_layer_delete_button_deletes_the_selected_layer(app, stored_id):
    scene, layer_id = edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")
    deleted = update(ids.COMPOSE_DELETE, scene_to_dict(scene), None, layer_id)
    assert deleted["count"] == "0" and deleted["selected"] is None and deleted["panel_hidden"] is True


def _components(component, found=None) -> list:
    """Every component inside ``component`` (depth first)."""
    found = [] if found is None else found
    if isinstance(component, (list, tuple)):
        for child in component:
            _components(child, found)
    elif hasattr(component, "to_plotly_json"):
        found.append(component)
        _components(getattr(component, "children", None), found)
    return found


def _event(name: str, **detail) -> dict:
    return {"type": name, "detail": detail}


def test_add_text_shows_the_text_panel_and_its_drawing_on_the_stage(app):
    added = update(ids.COMPOSE_ADD_TEXT)
    layer = added["scene"]["layers"][0]
    assert layer["kind"] == "text" and added["selected"] == layer["id"]
    assert (added["text_group_hidden"], added["image_group_hidden"]) == (False, True)
    assert (added["text"], added["font"], added["font_size"], added["weight"]) == ("Your text", "Inter", 86, "400")
    images = [c for c in _components(added["canvas"]) if getattr(c, "className", "") == "compose-layer-img"]
    assert images[0].src.startswith("/compose/text?spec=")
    assert "Your text" in text(added["layers"]) and "Inter 86 px" in text(added["layers"])
    styled = update(ids.COMPOSE_WEIGHT, added["scene"], added["history"], added["selected"],
                    **{name: added[name] for name in compose.TEXT_FIELDS.values()} | {"weight": "700", "box": True})
    assert styled["scene"]["layers"][0]["text"] == layer["text"] | {"weight": 700, "box": "#ffffff"}
    undone = update(ids.COMPOSE_UNDO, styled["scene"], styled["history"], styled["selected"])
    assert undone["scene"]["layers"][0]["text"] == layer["text"], "one undo step for the change"


@pytest.mark.parametrize(("typed", "message"), [
    ({"text": ""}, "The text is empty: type something, or delete the layer."),
    ({"text": "x" * 100_000}, "The text has 100,000 characters; a text layer holds at most 2,000."),
    ({"font": "Wingdings"}, "The font 'Wingdings' is not shipped with the app"),
    ({"font_size": 100_000}, "A font size is 6 to 1000 px, not 100000."),
])
def test_bad_text_is_refused_with_a_message_and_nothing_changes(app, typed, message):
    added = update(ids.COMPOSE_ADD_TEXT)
    fields = {name: added[name] for name in compose.TEXT_FIELDS.values()} | typed
    trigger = {"text": ids.COMPOSE_TEXT, "font": ids.COMPOSE_FONT, "font_size": ids.COMPOSE_FONT_SIZE}[next(iter(typed))]
    refused = update(trigger, added["scene"], added["history"], added["selected"], **fields)
    assert text(refused["alerts"]).startswith(message) and refused["alerts"].color == "danger"
    assert refused["scene"] == added["scene"] and refused["history"] == added["history"]


def test_the_list_hides_locks_and_reorders_layers_one_undo_step_each(app, stored_id):
    scene, first = edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")
    scene, second = edit.add_text(scene)
    shown = update(ids.COMPOSE_EVENTS, scene_to_dict(scene), None, second,
                   event=_event("layertoggle", id=second, flag="visible"))
    assert shown["scene"]["layers"][1]["visible"] is False
    stage_ids = [getattr(c, "key", None) for c in _components(shown["canvas"]) if "compose-layer " in
                 f"{getattr(c, 'className', '')} "]
    assert stage_ids == [first], "the hidden layer is not on the stage"
    assert "hidden" in text(shown["layers"])
    locked = update(ids.COMPOSE_EVENTS, shown["scene"], shown["history"], second,
                    event=_event("layertoggle", id=first, flag="locked"))
    assert locked["scene"]["layers"][0]["locked"] is True
    moved = update(ids.COMPOSE_EVENTS, locked["scene"], locked["history"], second,
                   event=_event("layerorder", id=first, position=0))
    assert [layer["id"] for layer in moved["scene"]["layers"]] == [second, first]
    refused = update(ids.COMPOSE_EVENTS, moved["scene"], moved["history"], first,
                     event=_event("layerdrop", kind="move", id=first, x=10, y=10))
    assert "is locked" in text(refused["alerts"]) and refused["scene"] == moved["scene"]
    undone = update(ids.COMPOSE_UNDO, moved["scene"], moved["history"], second)
    assert [layer["id"] for layer in undone["scene"]["layers"]] == [first, second]
    renamed = update(ids.COMPOSE_NAME, moved["scene"], moved["history"], first, name="Hero")
    assert renamed["scene"]["layers"][1]["name"] == "Hero" and "Hero" in text(renamed["layers"])


def test_crop_fields_and_a_crop_drag_crop_the_selected_image(app, stored_id):
    scene, layer_id = edit.add_image(edit.new_scene(), stored_id, (200, 100), "blue.png")
    shown = update(ids.COMPOSE_EVENTS, scene_to_dict(scene), None, layer_id,
                   event=_event("layerselect", id=layer_id))
    assert (shown["crop_x"], shown["crop_y"], shown["crop_w"], shown["crop_h"]) == (0, 0, 200, 100)
    assert (shown["image_group_hidden"], shown["text_group_hidden"]) == (False, True)
    fields = {"crop_x": 0, "crop_y": 0, "crop_w": 100, "crop_h": 100}
    cropped = update(ids.COMPOSE_CROP_W, shown["scene"], shown["history"], layer_id, **fields)
    assert cropped["scene"]["layers"][0]["crop"] == {"x": 0, "y": 0, "width": 100, "height": 100}
    assert "cropped" in text(cropped["layers"])
    outside = update(ids.COMPOSE_CROP_W, cropped["scene"], cropped["history"], layer_id, **fields | {"crop_w": 900})
    assert "reaches outside the 200 × 100 px image" in text(outside["alerts"])
    assert outside["scene"] == cropped["scene"] and outside["crop_w"] == 100, "the field shows the crop again"
    dragged = update(ids.COMPOSE_EVENTS, cropped["scene"], cropped["history"], layer_id,
                     event=_event("layerdrop", kind="crop", id=layer_id, crop={"x": 0, "y": 20, "width": 100,
                                                                                "height": 80}))
    assert dragged["scene"]["layers"][0]["crop"]["y"] == 20
    reset = update(ids.COMPOSE_CROP_RESET, dragged["scene"], dragged["history"], layer_id)
    assert reset["scene"]["layers"][0]["crop"] is None
    assert reset["scene"]["layers"][0]["x"] == pytest.approx(960)


# Several layers selected, align and distribute (issue 15, items 2 and 3)


def _three_layers(stored_id):
    """Three 200 x 100 image layers at x 300, 900 and 1500 (y 200, 500, 800), bottom first."""
    scene, layer_ids = edit.new_scene(), []
    for x, y in ((300, 200), (900, 500), (1500, 800)):
        scene, layer_id = edit.add_image(scene, stored_id, (200, 100), "blue.png")
        scene = edit.update_layer(scene, layer_id, x=x, y=y, scale=1)
        layer_ids.append(layer_id)
    return scene_to_dict(scene), layer_ids


def _selected_on_stage(shown) -> list[str]:
    return [c.key for c in _components(shown["canvas"]) if "is-selected" in f"{getattr(c, 'className', '')}".split()]


def test_shift_clicks_and_a_rubber_band_select_several_layers_and_the_panel_says_how_many(app, stored_id):
    scene, (a, b, c) = _three_layers(stored_id)
    one = update(ids.COMPOSE_EVENTS, scene, None, a, event=_event("layerselect", id=b, additive=True))
    assert one["selected"] == [a, b] and _selected_on_stage(one) == [a, b]
    assert one["selection_note"].startswith("2 layers selected") and one["single_hidden"] is True
    assert (one["image_group_hidden"], one["text_group_hidden"], one["panel_hidden"]) == (True, True, False)
    assert one["distribute_x_disabled"] is True and "is-multi" in one["canvas"].className
    assert one["history"] == {"past": [], "future": []}, "selecting is not an edit"
    out = update(ids.COMPOSE_EVENTS, scene, None, [a, b], event=_event("layerdrop", kind="select", id=a,
                                                                       additive=True))
    assert out["selected"] == b and out["single_hidden"] is False and out["selection_note"] == ""
    band = update(ids.COMPOSE_EVENTS, scene, None, a, event=_event("layerdrop", kind="select", ids=[c, b],
                                                                   additive=False))
    assert band["selected"] == [b, c] and band["distribute_x_disabled"] is True
    added = update(ids.COMPOSE_EVENTS, scene, None, a, event=_event("layerdrop", kind="select", ids=[c, b],
                                                                    additive=True))
    assert added["selected"] == [a, b, c] and added["distribute_x_disabled"] is False
    items = [c for c in _components(added["layers"]) if "compose-layer-item" in f"{getattr(c, 'className', '')}"]
    assert all("is-selected" in item.className for item in items), "the list shows the selection too"


def test_the_stage_never_selects_a_locked_or_hidden_layer_but_the_list_does(app, stored_id):
    scene, (a, b, c) = _three_layers(stored_id)
    scene = scene_to_dict(edit.set_flag(edit.set_flag(scene_from_dict(scene), a, "locked", True), b, "visible",
                                        False))
    band = update(ids.COMPOSE_EVENTS, scene, None, None, event=_event("layerdrop", kind="select", ids=[a, b, c]))
    assert band["selected"] == c
    clicked = update(ids.COMPOSE_EVENTS, scene, None, c, event=_event("layerdrop", kind="select", id=a,
                                                                      additive=True))
    assert clicked["selected"] == c
    listed = update(ids.COMPOSE_EVENTS, scene, None, c, event=_event("layerselect", id=a, additive=True))
    assert listed["selected"] == [a, c]


def test_moving_nudging_and_fading_several_layers_is_one_undo_step_each(app, stored_id):
    scene, (a, b, c) = _three_layers(stored_id)
    moved = update(ids.COMPOSE_EVENTS, scene, None, [a, b], event=_event(
        "layerdrop", kind="moves", layers=[{"id": a, "x": 350, "y": 260}, {"id": b, "x": 950, "y": 560}],
        selection=[a, b]))
    assert [(layer["x"], layer["y"]) for layer in moved["scene"]["layers"]] == [(350, 260), (950, 560), (1500, 800)]
    assert moved["selected"] == [a, b] and len(moved["history"]["past"]) == 1
    nudged = update(ids.COMPOSE_KEYS, moved["scene"], moved["history"], [a, b],
                    keydown={"key": "ArrowLeft", "shiftKey": True})
    assert [layer["x"] for layer in nudged["scene"]["layers"]] == [340, 940, 1500]
    faded = update(ids.COMPOSE_OPACITY, nudged["scene"], nudged["history"], [a, b], opacity=40)
    assert [layer["opacity"] for layer in faded["scene"]["layers"]] == [0.4, 0.4, 1]
    assert faded["opacity"] is no_update, "the slider already shows 40"
    undone = update(ids.COMPOSE_UNDO, faded["scene"], faded["history"], [a, b])
    assert undone["scene"] == nudged["scene"] and undone["selected"] == [a, b]
    undone = update(ids.COMPOSE_UNDO, undone["scene"], undone["history"], [a, b])
    assert undone["scene"] == moved["scene"]
    undone = update(ids.COMPOSE_UNDO, undone["scene"], undone["history"], [a, b])
    assert undone["scene"] == scene


def test_duplicating_and_deleting_several_layers_is_one_undo_step_each(app, stored_id):
    scene, (a, b, c) = _three_layers(stored_id)
    copied = update(ids.COMPOSE_DUPLICATE, scene, None, [a, c])
    assert copied["count"] == "5" and len(copied["selected"]) == 2 and a not in copied["selected"]
    deleted = update(ids.COMPOSE_KEYS, copied["scene"], copied["history"], copied["selected"],
                     keydown={"key": "Delete"})
    assert deleted["scene"] == scene and deleted["selected"] is None
    gone = update(ids.COMPOSE_DELETE, scene, None, [a, b, c])
    assert gone["count"] == "0"
    undone = update(ids.COMPOSE_UNDO, gone["scene"], gone["history"], None)
    assert undone["scene"] == scene


def test_align_and_distribute_buttons_move_the_selection_or_one_layer_to_the_canvas(app, stored_id):
    scene, (a, b, c) = _three_layers(stored_id)
    left = update(ids.COMPOSE_ARRANGE_LEFT, scene, None, [a, b, c])
    assert [layer["x"] for layer in left["scene"]["layers"]] == [300, 300, 300], "the left edge of the leftmost"
    bottom = update(ids.COMPOSE_ARRANGE_BOTTOM, scene, None, b)
    assert bottom["scene"]["layers"][1]["y"] == 1080 - 50, "one layer: to the canvas"
    moved = edit.update_layer(scene_from_dict(scene), b, x=500)
    spread = update(ids.COMPOSE_DISTRIBUTE_X, scene_to_dict(moved), None, [a, b, c])
    assert [layer["x"] for layer in spread["scene"]["layers"]] == [300, 900, 1500]
    assert len(spread["history"]["past"]) == 1
    two = update(ids.COMPOSE_DISTRIBUTE_Y, scene, None, [a, b])
    assert text(two["alerts"]) == "Select 3 or more layers to distribute them." and two["scene"] == scene
