"""The scene model refuses anything the browser should not be able to send."""

from __future__ import annotations

import json

import pytest

from dash_app.compose.scene import (
    MAX_LAYERS,
    SceneError,
    background_from_dict,
    scene_from_dict,
    scene_from_json,
    scene_to_dict,
    scene_to_json,
)

IMAGE = "0123456789abcdef0123456789abcdef"


def valid() -> dict:
    return {
        "version": 1,
        "canvas": {"width": 1920, "height": 1080},
        "background": {"kind": "linear", "color_from": "#112233", "color_to": "#AABBCC", "angle": 45.0},
        "layers": [{"id": "abcdef12", "image_id": IMAGE, "name": "logo.png", "x": 960.5, "y": 540, "scale": 0.5,
                    "rotation": -30, "opacity": 0.75, "flip_x": True, "flip_y": False}],
    }


def test_a_scene_survives_json_both_ways():
    scene = scene_from_dict(valid())
    assert scene_from_json(scene_to_json(scene)) == scene
    assert scene_from_dict(json.loads(json.dumps(scene_to_dict(scene)))) == scene
    assert scene.layers[0].x == 960.5 and scene.layers[0].flip_x is True
    assert scene.image_ids() == {IMAGE}


@pytest.mark.parametrize("background", [
    {"kind": "solid", "color": "#ffffff"},
    {"kind": "radial", "color_from": "#ffffff", "color_to": "#000000"},
    {"kind": "grid", "color": "#ffffff", "ink": "#dddddd", "spacing": 40},
    {"kind": "dots", "color": "#ffffff", "ink": "#dddddd", "spacing": 8},
    {"kind": "photo", "image_id": IMAGE, "fit": "contain", "color": "#000000"},
])
def test_every_kind_of_background_is_accepted(background):
    scene = scene_from_dict(valid() | {"background": background})
    assert scene.background.kind == background["kind"]


@pytest.mark.parametrize(("change", "named"), [
    (lambda s: s.update(extra=1), "extra: is not a known field"),
    (lambda s: s["canvas"].update(depth=3), "canvas depth: is not a known field"),
    (lambda s: s["layers"][0].update(onclick="alert(1)"), "layers.0.onclick: is not a known field"),
    (lambda s: s["background"].update(color="#fff"), "background.color: is not a known field"),
])
def test_unknown_fields_are_refused_by_name(change, named):
    data = valid()
    change(data)
    with pytest.raises(SceneError, match=named.replace(".", r"\.")):
        scene_from_dict(data)


@pytest.mark.parametrize(("change", "named"), [
    (lambda s: s["layers"][0].update(opacity=1.5), "layers.0.opacity"),
    (lambda s: s["layers"][0].update(scale=0), "layers.0.scale"),
    (lambda s: s["layers"][0].update(scale=51), "layers.0.scale"),
    (lambda s: s["layers"][0].update(rotation=400), "layers.0.rotation"),
    (lambda s: s["layers"][0].update(x=float("nan")), "layers.0.x"),
    (lambda s: s["layers"][0].update(y=float("inf")), "layers.0.y"),
    (lambda s: s["layers"][0].update(x=10_000), "too far outside"),
    (lambda s: s["layers"][0].update(x="960"), "layers.0.x"),
    (lambda s: s["layers"][0].update(flip_x=1), "layers.0.flip_x"),
    (lambda s: s["layers"][0].update(image_id="../../etc/passwd"), "layers.0.image_id"),
    (lambda s: s["layers"][0].update(id="x"), "layers.0.id"),
    (lambda s: s["layers"].append(dict(s["layers"][0])), "same id"),
    (lambda s: s["canvas"].update(width=15), "canvas width"),
    (lambda s: s["canvas"].update(height=20000), "canvas height"),
    (lambda s: s["canvas"].update(width=1920.0), "canvas width"),
    (lambda s: s["background"].update(color_to="red"), "background.color_to"),
    (lambda s: s["background"].update(kind="svg"), "background"),
    (lambda s: s.update(version=2), "version"),
])
def test_out_of_range_and_wrongly_typed_values_are_refused(change, named):
    data = valid()
    change(data)
    with pytest.raises(SceneError) as error:
        scene_from_dict(data)
    assert named in str(error.value)


def test_the_canvas_limit_comes_from_the_settings():
    data = valid() | {"canvas": {"width": 4000, "height": 1000}}
    assert scene_from_dict(data, max_side=8192).canvas.width == 4000
    with pytest.raises(SceneError, match="canvas width: 4000 px is larger than the limit of 2048 px"):
        scene_from_dict(data, max_side=2048)


@pytest.mark.parametrize("canvas,message", [
    ({"width": 1920, "height": 20000}, "canvas height: 20000 px is larger than the limit of 8192 px"),
    ({"width": 10, "height": 1080}, "canvas width: 10 px is smaller than the minimum of 16 px"),
    ({"width": 0, "height": -100}, "canvas width: 0 px is smaller than the minimum of 16 px; "
                                   "canvas height: -100 px is smaller than the minimum of 16 px"),
])
def test_a_canvas_side_out_of_range_is_named_with_the_limit_the_server_has(canvas, message):
    """The page shows the configured limit; a side beyond every limit is refused naming that one too."""
    with pytest.raises(SceneError) as error:
        scene_from_dict(valid() | {"canvas": canvas}, max_side=8192)
    assert str(error.value) == message


def test_too_many_layers_are_refused():
    data = valid()
    data["layers"] = [dict(data["layers"][0], id=f"{i:08x}") for i in range(MAX_LAYERS + 1)]
    with pytest.raises(SceneError, match="layers"):
        scene_from_dict(data)


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", '"scene"', "[" * 100_000])
def test_text_that_is_not_a_scene_is_refused(text):
    with pytest.raises(SceneError):
        scene_from_json(text)


def test_a_background_alone_is_validated_the_same_way():
    assert background_from_dict({"kind": "solid", "color": "#123456"}).color == "#123456"
    with pytest.raises(SceneError, match="angle: is not a known field"):
        background_from_dict({"kind": "radial", "color_from": "#000000", "color_to": "#ffffff", "angle": 3})
