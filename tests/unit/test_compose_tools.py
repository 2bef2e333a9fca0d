"""Text layers, crop, hidden and locked layers: the scene's checks, the edits and the renderer (Pillow's style)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from dash_app.compose import edit, text
from dash_app.compose.render import render_scene
from dash_app.compose.scene import SceneError, scene_from_dict, scene_to_dict, text_spec_from_dict
from tests.unit.compose_support import assert_image_equal, assert_image_similar, difference_box

IMG = "0123456789abcdef0123456789abcdef"
WHITE = Image.new("RGBA", (400, 200), "white")


def scene(layers=(), width=400, height=200):
    return scene_from_dict({
        "canvas": {"width": width, "height": height},
        "background": {"kind": "solid", "color": "#ffffff"},
        "layers": [{"id": f"{index:08x}", **layer} for index, layer in enumerate(layers)],
    })


def quarters(size=(100, 60)) -> Image.Image:
    """Red, green, blue and black quarters: any crop or flip shows which part is drawn where."""
    image = Image.new("RGBA", size, (255, 0, 0, 255))
    w, h = size
    image.paste((0, 255, 0, 255), (w // 2, 0, w, h // 2))
    image.paste((0, 0, 255, 255), (0, h // 2, w // 2, h))
    image.paste((0, 0, 0, 255), (w // 2, h // 2, w, h))
    return image


def text_layer(content="Hello", **style):
    return {"kind": "text", "x": 200, "y": 100, "text": {"content": content, **style}}


def ink(image: Image.Image) -> int:
    """How many pixels differ from white."""
    return int((np.asarray(image.convert("L")) < 250).sum())


# Text: the fonts, the drawing, the limits


@pytest.mark.parametrize("font", list(text.FONTS))
@pytest.mark.parametrize("weight", list(text.WEIGHTS))
def test_every_shipped_font_draws_latin_accented_and_cyrillic(font, weight):
    for sample in ("Quarterly results", "Crème brûlée à Zürich, señor Łukasz", "Съешь ещё этих мягких булок"):
        spec = text_spec_from_dict({"content": sample, "font": font, "weight": weight, "size": 40})
        drawn = text.draw_text(spec)
        assert drawn.size == text.measure(spec)
        coverage = np.asarray(drawn.getchannel("A")) > 128
        assert 0.04 < coverage.mean() < 0.6, f"{font} {weight}: {sample!r} is drawn as glyphs"
        notdef = text.font(font, weight, 40).getmask("\uffff").getbbox()
        for character in set(sample) - {" ", ","}:
            assert text.font(font, weight, 40).getmask(character).getbbox() != notdef or character.isascii(), \
                f"{font} has a glyph for {character!r}"


def test_the_shipped_fonts_have_their_licences_beside_them():
    for files in text.FONTS.values():
        for name in files.values():
            assert (text.FONT_DIR / name).is_file()
    licences = {path.name for path in text.FONT_DIR.glob("*.txt")}
    assert licences == {"Inter-OFL.txt", "NotoSerif-OFL.txt", "DejaVu-LICENSE.txt"}
    assert "SIL Open Font License" in (text.FONT_DIR / "Inter-OFL.txt").read_text()


def test_a_text_layer_renders_its_drawing_at_its_centre():
    the_scene = scene([text_layer("Hello, мир", size=48, color="#1d4ed8")])
    result = render_scene(the_scene, {})
    drawing = text.draw_text(the_scene.layers[0].text)
    expected = WHITE.copy()
    expected.alpha_composite(drawing, (200 - drawing.width // 2, 100 - drawing.height // 2))
    assert_image_similar(result, expected, 0.6)  # odd sizes land on half pixels: hence a tolerance
    left, top = 200 - drawing.width / 2, 100 - drawing.height / 2
    ink_box = drawing.getchannel("A").point(lambda a: 255 if a > 24 else 0).getbbox()
    expected_box = (ink_box[0] + left, ink_box[1] + top, ink_box[2] + left, ink_box[3] + top)
    assert max(abs(a - b) for a, b in zip(difference_box(result, WHITE), expected_box, strict=True)) <= 1
    blue = np.asarray(result)[..., :3].reshape(-1, 3)
    assert ((blue[:, 2] > 180) & (blue[:, 0] < 80)).any(), "drawn in its colour"


def test_size_weight_and_font_change_the_drawing():
    small = text.measure(text_spec_from_dict({"content": "Sales", "size": 20}))
    large = text.measure(text_spec_from_dict({"content": "Sales", "size": 80}))
    assert large[0] == pytest.approx(4 * small[0], rel=0.12) and large[1] == pytest.approx(4 * small[1], rel=0.12)
    regular = text.draw_text(text_spec_from_dict({"content": "Sales", "size": 60}))
    bold = text.draw_text(text_spec_from_dict({"content": "Sales", "size": 60, "weight": 700}))
    serif = text.draw_text(text_spec_from_dict({"content": "Sales", "size": 60, "font": "Noto Serif"}))
    alpha = lambda image: int((np.asarray(image.getchannel("A")) > 128).sum())  # noqa: E731
    assert alpha(bold) > 1.2 * alpha(regular), "bold has thicker strokes"
    assert serif.tobytes() != regular.tobytes()


@pytest.mark.parametrize(("align", "side"), [("left", 0), ("center", 1), ("right", 2)])
def test_alignment_places_the_shorter_line(align, side):
    spec = text_spec_from_dict({"content": "A much longer first line\nshort", "size": 30, "align": align})
    drawn = text.draw_text(spec)
    second = drawn.getchannel("A").crop((0, drawn.height // 2 + 4, drawn.width, drawn.height)).getbbox()
    middle = (second[0] + second[2]) / 2
    assert [middle < drawn.width * 0.35, abs(middle - drawn.width / 2) < drawn.width * 0.1,
            middle > drawn.width * 0.65][side]


def test_a_box_with_padding_and_rounded_corners_is_drawn_behind_the_text():
    spec = text_spec_from_dict({"content": "Launch", "size": 40, "box": "#111827", "color": "#ffffff",
                                "padding": 20, "radius": 18})
    drawn = text.draw_text(spec)
    width, height = drawn.size
    assert drawn.getpixel((width // 2, 4)) == (17, 24, 39, 255), "the box fills its padding"
    assert drawn.getpixel((0, 0))[3] == 0, "the corner is rounded off"
    assert 0 < drawn.getpixel((2, 6))[3] < 255 or drawn.getpixel((3, 5))[3] < 255, "its edge is smooth"
    whites = (np.asarray(drawn)[..., :3] > 200).all(axis=2).sum()
    assert whites > 50, "white text on the box"
    square = text.draw_text(text_spec_from_dict({"content": "Launch", "size": 40, "box": "#111827", "radius": 0}))
    assert square.getpixel((0, 0)) == (17, 24, 39, 255)


@pytest.mark.parametrize(("spec", "message"), [
    ({"content": ""}, "the text is empty"),
    ({"content": "   \n "}, "the text is empty"),
    ({"content": "x" * 100_000}, "100,000 characters; a text layer holds at most 2,000"),
    ({"content": "a\n" * 150}, "at most 100"),
    ({"content": "Hi", "font": "Comic Sans MS"}, "'Comic Sans MS' is not shipped with the app; choose Inter"),
    ({"content": "Hi", "size": 5000}, "a font size is 6 to 1000 px, not 5000"),
    ({"content": "Hi", "size": 0}, "a font size is 6 to 1000 px"),
    ({"content": "Hi", "weight": 650}, "a weight is 400 or 700"),
    ({"content": "Hi", "padding": -3}, "padding is 0 to 1000 px"),
    ({"content": "W" * 1000, "size": 400}, "at most 8,192 px a side"),
    ({"content": "Hi", "color": "red"}, "color: String should match pattern"),
    ({"content": "Hi", "align": "justify"}, "align"),
])
def test_bad_text_is_refused_with_a_clear_message(spec, message):
    with pytest.raises(SceneError) as refused:
        text_spec_from_dict(spec)
    assert message in str(refused.value)
    with pytest.raises(SceneError) as in_a_scene:  # the same rule when a whole scene arrives
        scene([{"kind": "text", "x": 1, "y": 1, "text": spec}])
    assert "layers.0.text" in str(in_a_scene.value)


def test_each_new_text_lands_where_no_other_text_is_centred():
    """Pressing "Add text" again shows a second text a line lower, not one hidden under the first."""
    the_scene, first = edit.add_text(edit.new_scene(1920, 1080))
    the_scene, second = edit.add_text(the_scene)
    the_scene, third = edit.add_text(the_scene)
    assert [(the_scene.layer(i).x, the_scene.layer(i).y) for i in (first, second, third)] == \
        [(960, 540), (960, 540 + 129), (960, 540 + 258)]
    moved, fourth = edit.add_text(edit.update_layer(the_scene, first, x=200, y=100))
    assert (moved.layer(fourth).x, moved.layer(fourth).y) == (960, 540), "the centre is free again"
    crowded = edit.new_scene(1920, 1080)
    for _ in range(8):
        crowded, last = edit.add_text(crowded)
    assert crowded.layer(last).y == 540 + 3 * 129, "the lowest line whose text stays on the canvas"
    with_image, _ = edit.add_image(edit.new_scene(1920, 1080), IMG, (100, 60))
    assert edit.add_text(with_image)[0].layers[1].y == 540, "a title goes over a picture's centre"


def test_adding_and_editing_a_text_layer():
    the_scene, layer_id = edit.add_text(edit.new_scene(1920, 1080))
    layer = the_scene.layer(layer_id)
    assert (layer.kind, layer.x, layer.y, layer.text.content, layer.text.size) == ("text", 960, 540, "Your text", 86)
    changed = edit.update_text(the_scene, layer_id, content="Привет", font="Noto Serif", weight=700)
    assert changed.layer(layer_id).text.font == "Noto Serif"
    for bad in ({"content": ""}, {"font": "Papyrus"}, {"size": 10**6}):
        with pytest.raises(SceneError):
            edit.update_text(the_scene, layer_id, **bad)
    grown = edit.update_layer(the_scene, layer_id, scale=1.5)
    assert grown.layer(layer_id).text.size == 129, "a corner drag grows the font, not the pixels"
    assert grown.layer(layer_id).text.padding == 36
    huge = edit.update_layer(the_scene, layer_id, scale=50)
    assert huge.layer(layer_id).text.size == text.MAX_SIZE
    with pytest.raises(SceneError, match="cannot be flipped"):
        edit.flip(the_scene, layer_id, "x")


# Crop


def test_a_crop_draws_only_its_part_of_the_image():
    image = quarters()
    cropped = render_scene(scene([{"image_id": IMG, "x": 200, "y": 100,
                                   "crop": {"x": 50, "y": 0, "width": 50, "height": 30}}]), {IMG: image})
    assert difference_box(cropped, WHITE) == (175, 85, 225, 115), "the size of the crop, at the layer's centre"
    assert cropped.getpixel((200, 100))[:3] == (0, 255, 0), "only the green quarter"
    expected = WHITE.copy()
    expected.alpha_composite(image.crop((50, 0, 100, 30)), (175, 85))
    assert_image_equal(cropped, expected)


def test_a_crop_is_cut_before_the_flip_and_turns_with_the_layer():
    image = quarters()
    layer = {"image_id": IMG, "x": 200, "y": 100, "flip_x": True, "rotation": 90,
             "crop": {"x": 0, "y": 0, "width": 100, "height": 30}}
    result = render_scene(scene([layer]), {IMG: image})
    flat = image.crop((0, 0, 100, 30)).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    expected = WHITE.copy()
    turned = flat.rotate(-90, expand=True)
    expected.alpha_composite(turned, (200 - turned.width // 2, 100 - turned.height // 2))
    assert_image_similar(result, expected, 1.0)


def test_a_crop_reaching_past_the_image_draws_only_what_exists():
    tampered = render_scene(scene([{"image_id": IMG, "x": 200, "y": 100,
                                    "crop": {"x": 90, "y": 50, "width": 500, "height": 500}}]), {IMG: quarters()})
    assert difference_box(tampered, WHITE) == (195, 95, 205, 105)


def test_cropping_keeps_the_shown_part_where_it_was_and_can_be_undone_by_reset():
    the_scene, layer_id = edit.add_image(edit.new_scene(1920, 1080), IMG, (100, 60))
    the_scene = edit.update_layer(the_scene, layer_id, x=500, y=400, scale=2.0, rotation=90)
    cropped = edit.set_crop(the_scene, layer_id, {"x": 50, "y": 0, "width": 50, "height": 60}, (100, 60))
    layer = cropped.layer(layer_id)
    assert layer.crop.box == (50, 0, 100, 60)
    # the right half's centre was 25 image px right of the centre: scaled x2 and turned 90° it is 50 px down
    assert (layer.x, layer.y) == (pytest.approx(500), pytest.approx(450))
    restored = edit.set_crop(cropped, layer_id, None, (100, 60))
    assert restored.layer(layer_id).crop is None
    assert (restored.layer(layer_id).x, restored.layer(layer_id).y) == (pytest.approx(500), pytest.approx(400))


@pytest.mark.parametrize(("crop", "message"), [
    ({"x": 60, "y": 0, "width": 50, "height": 60}, "reaches outside the 100 × 60 px image"),
    ({"x": 0, "y": 0, "width": 0, "height": 60}, "the crop is empty"),
    ({"x": -5, "y": 0, "width": 10, "height": 10}, "x: Input should be greater than or equal to 0"),
    ({"x": 0, "y": 0, "width": 10}, "height: Field required"),
    ("everything", "a crop is x, y, width and height"),
])
def test_a_bad_crop_is_refused_and_nothing_changes(crop, message):
    the_scene, layer_id = edit.add_image(edit.new_scene(1920, 1080), IMG, (100, 60))
    with pytest.raises(SceneError) as refused:
        edit.set_crop(the_scene, layer_id, crop, (100, 60))
    assert message in str(refused.value)
    text_scene, text_id = edit.add_text(the_scene)
    with pytest.raises(SceneError, match="only an image layer can be cropped"):
        edit.set_crop(text_scene, text_id, {"x": 0, "y": 0, "width": 10, "height": 10}, (100, 60))


# Hidden, locked, renamed, reordered


def test_a_hidden_layer_is_not_drawn():
    layers = [{"image_id": IMG, "x": 200, "y": 100}, text_layer("Hidden") | {"visible": False}]
    shown = render_scene(scene(layers[:1]), {IMG: quarters()})
    assert_image_equal(render_scene(scene(layers), {IMG: quarters()}), shown)
    hidden_image = [{"image_id": IMG, "x": 200, "y": 100, "visible": False}]
    assert ink(render_scene(scene(hidden_image), {IMG: quarters()})) == 0


def test_a_locked_layer_cannot_be_moved_turned_cropped_or_deleted_until_unlocked():
    the_scene, layer_id = edit.add_image(edit.new_scene(1920, 1080), IMG, (100, 60))
    locked = edit.set_flag(the_scene, layer_id, "locked", True)
    for change in (lambda s: edit.nudge(s, layer_id, 1, 0), lambda s: edit.update_layer(s, layer_id, rotation=5),
                   lambda s: edit.update_layer(s, layer_id, scale=2), lambda s: edit.flip(s, layer_id, "x"),
                   lambda s: edit.set_crop(s, layer_id, None, (100, 60)), lambda s: edit.delete(s, layer_id)):
        with pytest.raises(SceneError, match="is locked: unlock it in the Layers list"):
            change(locked)
    renamed = edit.rename(locked, layer_id, "  Hero   shot ")
    assert renamed.layer(layer_id).name == "Hero shot", "a lock keeps the place, not the name"
    assert edit.update_layer(renamed, layer_id, opacity=0.5).layer(layer_id).opacity == 0.5
    unlocked = edit.set_flag(renamed, layer_id, "locked", False)
    assert edit.nudge(unlocked, layer_id, 1, 0).layer(layer_id).x == 961
    with pytest.raises(SceneError, match="at most 120"):
        edit.rename(the_scene, layer_id, "x" * 121)
    with pytest.raises(SceneError, match="unknown layer setting"):
        edit.set_flag(the_scene, layer_id, "rotation", True)


def test_a_layer_moves_to_any_place_in_the_stack():
    the_scene = edit.new_scene(1920, 1080)
    ids = []
    for _ in range(4):
        the_scene, layer_id = edit.add_image(the_scene, IMG, (100, 60))
        ids.append(layer_id)
    moved = edit.move_to(the_scene, ids[0], 2)
    assert [layer.id for layer in moved.layers] == [ids[1], ids[2], ids[0], ids[3]]
    assert [layer.id for layer in edit.move_to(the_scene, ids[3], -7).layers] == [ids[3], *ids[:3]]


def test_compositions_saved_before_these_tools_still_open():
    old = {"version": 1, "canvas": {"width": 400, "height": 200},
           "background": {"kind": "solid", "color": "#ffffff"},
           "layers": [{"id": "a0000001", "image_id": IMG, "name": "logo.png", "x": 10, "y": 20, "scale": 1.0,
                       "rotation": 0.0, "opacity": 1.0, "flip_x": False, "flip_y": False}]}
    opened = scene_from_dict(json.loads(json.dumps(old)))
    layer = opened.layers[0]
    assert (layer.kind, layer.visible, layer.locked, layer.crop) == ("image", True, False, None)
    again = scene_to_dict(opened)
    assert scene_from_dict(again) == opened
    with pytest.raises(SceneError, match="kind must be 'image' or 'text'"):
        scene_from_dict(old | {"layers": [old["layers"][0] | {"kind": "video"}]})


def test_a_scene_with_every_tool_renders_at_preview_scale_like_the_full_render_made_small():
    photo = Image.new("RGBA", (300, 200), (30, 90, 200, 255))
    ImageDraw.Draw(photo).ellipse([50, 30, 250, 170], fill=(250, 200, 40, 255))
    layers = [
        {"image_id": IMG, "x": 300, "y": 200, "scale": 1.4, "rotation": -8,
         "crop": {"x": 40, "y": 20, "width": 220, "height": 150}},
        {"image_id": IMG, "x": 600, "y": 200, "locked": True, "opacity": 0.8},
        {"image_id": IMG, "x": 400, "y": 250, "visible": False},
        text_layer("Quarterly · Ёлка · Zoë", size=44, box="#0f172a", color="#f8fafc", padding=16, radius=12)
        | {"x": 400, "y": 80, "rotation": 4},
    ]
    the_scene = scene(layers, 800, 400)
    full = render_scene(the_scene, {IMG: photo})
    small = render_scene(the_scene, {IMG: photo}, scale=0.25)
    assert_image_similar(small, full.resize((200, 100), Image.Resampling.BOX), 3.0)
