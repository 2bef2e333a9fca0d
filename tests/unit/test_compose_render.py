"""The renderer, in Pillow's test style: exact where geometry is exact, similar where resampling is involved."""

from __future__ import annotations

import pytest
from PIL import Image

from dash_app.compose.render import render_background, render_scene
from dash_app.compose.scene import background_from_dict, scene_from_dict
from tests.unit.compose_support import assert_image_equal, assert_image_similar, difference_box

IMG = "0123456789abcdef0123456789abcdef"
TOP = "fedcba9876543210fedcba9876543210"


def scene(layers=(), width=400, height=200, background=None):
    return scene_from_dict({
        "canvas": {"width": width, "height": height},
        "background": background or {"kind": "solid", "color": "#ffffff"},
        "layers": [{"id": f"{index:08x}", **layer} for index, layer in enumerate(layers)],
    })


def marked(size=(100, 50)) -> Image.Image:
    """Red with a blue top row and a green left column, so turns and flips are visible."""
    image = Image.new("RGBA", size, (255, 0, 0, 255))
    image.paste((0, 0, 255, 255), (0, 0, size[0], 5))
    image.paste((0, 255, 0, 255), (0, 0, 5, size[1]))
    return image


def test_solid_background_is_one_colour():
    image = render_background(background_from_dict({"kind": "solid", "color": "#336699"}), (64, 32))
    assert image.mode == "RGBA" and image.size == (64, 32)
    assert image.getcolors() == [(64 * 32, (0x33, 0x66, 0x99, 255))]


@pytest.mark.parametrize(("angle", "start", "end"), [(0, (0, 50), (399, 50)), (90, (200, 0), (200, 199)),
                                                     (180, (399, 50), (0, 50)), (45, (0, 0), (399, 199))])
def test_linear_gradient_runs_along_its_angle(angle, start, end):
    spec = background_from_dict({"kind": "linear", "color_from": "#000000", "color_to": "#ffffff", "angle": angle})
    image = render_background(spec, (400, 200))
    assert image.getpixel(start)[0] <= 3 and image.getpixel(end)[0] >= 252
    middle = image.getpixel((200, 100))[0]
    assert 120 <= middle <= 135


def test_radial_gradient_goes_from_centre_to_corners():
    spec = background_from_dict({"kind": "radial", "color_from": "#ffffff", "color_to": "#000000"})
    image = render_background(spec, (300, 200))
    assert image.getpixel((150, 100))[0] >= 252
    assert max(image.getpixel(corner)[0] for corner in [(0, 0), (299, 0), (0, 199), (299, 199)]) <= 3


@pytest.mark.parametrize("kind", ["grid", "dots"])
def test_patterns_are_subtle_and_follow_the_scale(kind):
    spec = background_from_dict({"kind": kind, "color": "#ffffff", "ink": "#000000", "spacing": 40})
    full = render_background(spec, (400, 200))
    inked = sum(count for count, colour in full.getcolors(10_000) if colour[0] < 128)
    assert 0 < inked < 0.15 * 400 * 200, "a few marks on a plain paper"
    half = render_background(spec, (200, 100), scale=0.5)
    assert_image_similar(half, full.resize((200, 100), Image.Resampling.BOX), 12)


def test_photo_background_covers_or_contains():
    photo = Image.new("RGB", (100, 100), (10, 200, 30))
    cover = background_from_dict({"kind": "photo", "image_id": IMG, "fit": "cover"})
    assert render_background(cover, (200, 100), photo=photo).getcolors() == [(200 * 100, (10, 200, 30, 255))]
    contain = background_from_dict({"kind": "photo", "image_id": IMG, "fit": "contain", "color": "#000000"})
    image = render_background(contain, (200, 100), photo=photo)
    assert image.getpixel((10, 50)) == (0, 0, 0, 255) and image.getpixel((100, 50)) == (10, 200, 30, 255)
    with pytest.raises(ValueError, match="needs its photo"):
        render_background(cover, (200, 100))


def test_a_layer_lands_exactly_on_its_centre():
    layer = marked()
    result = render_scene(scene([{"image_id": IMG, "x": 200, "y": 100}]), {IMG: layer})
    expected = Image.new("RGBA", (400, 200), (255, 255, 255, 255))
    expected.alpha_composite(layer, (150, 75))
    assert_image_equal(result, expected)


def test_rotation_is_clockwise_like_css():
    result = render_scene(scene([{"image_id": IMG, "x": 200, "y": 100, "rotation": 90}]), {IMG: marked()})
    assert difference_box(result, Image.new("RGBA", (400, 200), "white")) == (175, 50, 225, 150)
    assert result.getpixel((222, 100))[:3] == (0, 0, 255), "the top edge turned to the right"
    assert result.getpixel((200, 52))[:3] == (0, 255, 0), "the left edge turned to the top"


def test_rotation_matches_pillows_own_rotate_with_the_angle_negated():
    image = marked((120, 80))
    result = render_scene(scene([{"image_id": IMG, "x": 200, "y": 100, "rotation": 30}]), {IMG: image})
    turned = image.rotate(-30, resample=Image.Resampling.BICUBIC, expand=True)
    expected = Image.new("RGBA", (400, 200), "white")
    expected.alpha_composite(turned, (200 - turned.width // 2, 100 - turned.height // 2))
    assert_image_similar(result, expected, 2.0)


def test_flips_mirror_the_layer():
    result = render_scene(scene([{"image_id": IMG, "x": 200, "y": 100, "flip_x": True, "flip_y": True}]),
                          {IMG: marked()})
    assert result.getpixel((247, 100))[:3] == (0, 255, 0), "green moved to the right edge"
    assert result.getpixel((200, 122))[:3] == (0, 0, 255), "blue moved to the bottom edge"


def test_opacity_blends_and_order_stacks():
    black = Image.new("RGBA", (40, 40), (0, 0, 0, 255))
    blue = Image.new("RGBA", (20, 20), (0, 0, 255, 255))
    result = render_scene(
        scene([{"image_id": IMG, "x": 100, "y": 100, "opacity": 0.5}, {"image_id": TOP, "x": 100, "y": 100}]),
        {IMG: black, TOP: blue},
    )
    assert result.getpixel((85, 100))[:3] in {(127, 127, 127), (128, 128, 128)}, "half black over white"
    assert result.getpixel((100, 100)) == (0, 0, 255, 255), "the later layer is on top"


def test_transparency_of_the_image_is_kept():
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (10, 10, 40, 40))
    result = render_scene(scene([{"image_id": IMG, "x": 100, "y": 100}]), {IMG: image})
    assert result.getpixel((78, 78)) == (255, 255, 255, 255)
    assert result.getpixel((100, 100)) == (255, 0, 0, 255)


def test_a_render_at_preview_scale_is_the_full_render_made_small():
    layers = [{"image_id": IMG, "x": 130.5, "y": 90, "scale": 1.3, "rotation": 25, "opacity": 0.8},
              {"image_id": TOP, "x": 300, "y": 120, "scale": 0.7, "rotation": -70}]
    images = {IMG: marked(), TOP: marked((60, 90))}
    background = {"kind": "linear", "color_from": "#0f172a", "color_to": "#f472b6", "angle": 20}
    the_scene = scene(layers, 800, 400, background)
    full = render_scene(the_scene, images)
    small = render_scene(the_scene, images, scale=0.25)
    assert small.size == (200, 100)
    assert_image_similar(small, full.resize((200, 100), Image.Resampling.BOX), 3.0)


def test_layers_off_the_canvas_or_transparent_draw_nothing():
    image = marked()
    blank = render_scene(scene(), {})
    assert_image_equal(render_scene(scene([{"image_id": IMG, "x": -390, "y": -190}]), {IMG: image}), blank)
    assert_image_equal(render_scene(scene([{"image_id": IMG, "x": 200, "y": 100, "opacity": 0}]), {IMG: image}),
                       blank)


def test_bad_arguments_are_refused_before_any_work():
    the_scene = scene([{"image_id": IMG, "x": 200, "y": 100}])
    with pytest.raises(KeyError, match=IMG):
        render_scene(the_scene, {})
    with pytest.raises(ValueError, match="scale"):
        render_scene(the_scene, {IMG: marked()}, scale=0)
    with pytest.raises(ValueError, match="background"):
        render_scene(the_scene, {IMG: marked()}, background=Image.new("RGBA", (10, 10)))
