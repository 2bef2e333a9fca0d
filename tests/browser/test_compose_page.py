"""The Compose page in Chromium: preview equals export, drag without requests, bad files, shortcuts, export."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from browser_support import SCHEMES, WIDTHS, theme_of
from tests.browser.conftest import DEMO_ROWS, _clean_environment, _serve, free_port
from tests.unit.compose_support import bomb_png, difference_box, mean_abs_difference



@pytest.fixture(scope="module")
def compose_app(tmp_path_factory):
    """The app as a user starts it, with a data directory the test can read (stored images, saved scenes)."""
    data_dir = tmp_path_factory.mktemp("compose-data")
    port = free_port()
    command = [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(data_dir),
               "--demo-rows", DEMO_ROWS]
    url = f"http://127.0.0.1:{port}/"
    environment = _clean_environment(DASH_APP_MAX_UPLOAD_MB="2", DASH_APP_MAX_IMAGE_PIXELS="4000000")
    with _serve(command, url, environment, data_dir / "server.log"):
        yield url, data_dir


@pytest.fixture(scope="module")
def image_files(tmp_path_factory) -> dict[str, Path]:
    """Sample uploads: a logo with transparency, a photo, a second PNG, and the bad files."""
    folder = tmp_path_factory.mktemp("uploads")
    logo = Image.new("RGBA", (360, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.rounded_rectangle([8, 8, 352, 232], 36, fill=(236, 72, 153, 255))
    draw.ellipse([110, 50, 250, 190], fill=(255, 255, 255, 255))
    logo.save(folder / "logo.png")
    photo = Image.new("RGB", (480, 320), (40, 110, 190))
    ImageDraw.Draw(photo).rectangle([140, 90, 340, 230], fill=(250, 200, 40))
    photo.save(folder / "photo.jpg", quality=95)
    badge = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(badge).ellipse([0, 0, 199, 199], fill=(16, 185, 129, 255))
    badge.save(folder / "badge.png")
    (folder / "notes.png").write_text("these are notes, not an image\n")
    (folder / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    (folder / "broken.png").write_bytes((folder / "badge.png").read_bytes()[:300])
    (folder / "huge.png").write_bytes(bomb_png(30_000, 30_000))
    (folder / "large.png").write_bytes(bomb_png(2100, 2000))
    (folder / "heavy.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024))
    return {path.name: path for path in folder.iterdir()}


def open_compose(open_page, url: str, **kwargs):
    page = open_page(**kwargs)
    page.goto(url + "compose")
    page.wait_for_selector(".compose-surface")
    page.wait_for_load_state("networkidle")
    return page


def add_images(page, *paths: Path) -> None:
    """Pick files with the Add images button, as a user does, and wait for the page to take them."""
    before = page.locator(".compose-layer").count()
    with page.expect_file_chooser() as chooser:
        page.click("#compose-add")
    chooser.value.set_files([str(path) for path in paths])
    page.wait_for_function("document.querySelector('#compose-stage').getAttribute('data-busy') === null")
    page.wait_for_load_state("networkidle")
    assert page.locator(".compose-layer").count() >= before


def stored_scene(page) -> dict:
    """The scene the page holds (dcc.Store with session storage keeps it as JSON under its id)."""
    return json.loads(page.evaluate("window.sessionStorage.getItem('compose-scene')"))


def wait_for_scene(page, predicate: str) -> dict:
    page.wait_for_function(f"(s => s && ({predicate}))(JSON.parse(window.sessionStorage.getItem('compose-scene')))")
    return stored_scene(page)


def open_saved(page, data_dir: Path, name: str, scene: dict) -> None:
    """Save ``scene`` for the standalone user, then open it from the page's Saved list."""
    from dash_app.compose.scene import scene_from_dict
    from dash_app.compose.storage import save_scene

    save_scene(data_dir, None, name, scene_from_dict(scene))
    page.fill("#compose-save-name", "")
    page.click("#compose-save")  # refuses the empty name, and refreshes the list of saved compositions
    page.wait_for_selector(f"#compose-saved option[value='{name}']", state="attached")
    page.select_option("#compose-saved", name)
    page.click("#compose-open")
    page.wait_for_selector("#compose-alerts >> text=Opened")
    page.wait_for_load_state("networkidle")


def surface_shot(page) -> Image.Image:
    """The stage's canvas exactly as drawn on screen (scrolled clear of the sticky navbar)."""
    page.wait_for_function("[...document.querySelectorAll('.compose-surface img')].every(i => i.complete)")
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator(".compose-surface").bounding_box()
    shot = page.screenshot(clip=box, animations="disabled")
    return Image.open(io.BytesIO(shot)).convert("RGB")


def show_only(page, index: int | None) -> None:
    """Hide every layer but one (None: hide all) for a screenshot."""
    page.evaluate("""(keep) => document.querySelectorAll('.compose-layer').forEach(
        (el, i) => { el.style.visibility = i === keep ? '' : 'hidden'; })""", index)


def test_the_preview_matches_the_server_render_of_the_same_scene(compose_app, open_page, image_files):
    url, data_dir = compose_app
    page = open_compose(open_page, url, height=1200)
    add_images(page, image_files["logo.png"], image_files["photo.jpg"], image_files["badge.png"])
    ids = [layer["image_id"] for layer in wait_for_scene(page, "s.layers.length === 3")["layers"]]
    scene = {
        "canvas": {"width": 1920, "height": 1080},
        "background": {"kind": "linear", "color_from": "#1e3a8a", "color_to": "#f9a8d4", "angle": 30},
        "layers": [
            {"id": "a0000001", "image_id": ids[1], "x": 700.5, "y": 480, "scale": 1.7, "rotation": -12,
             "opacity": 1.0},
            {"id": "a0000002", "image_id": ids[0], "x": 980, "y": 560.25, "scale": 1.25, "rotation": 33,
             "opacity": 0.6},
            {"id": "a0000003", "image_id": ids[2], "x": 1320, "y": 610, "scale": 0.8, "rotation": 71,
             "opacity": 0.8, "flip_x": True},
            {"id": "a0000004", "image_id": ids[0], "x": 1500, "y": 300, "scale": 0.55, "rotation": 145,
             "opacity": 1.0, "flip_y": True},
        ],
    }
    open_saved(page, data_dir, "preview check", scene)
    page.mouse.move(5, 5)  # no hover outline

    from dash_app.compose.export import load_images, preview_scale
    from dash_app.compose.render import render_scene
    from dash_app.compose.scene import scene_from_dict

    model = scene_from_dict(scene)
    images = load_images(data_dir, model.image_ids())
    scale = preview_scale(1920, 1080)
    server = render_scene(model, images, scale=scale).convert("RGB")
    browser = surface_shot(page)
    assert browser.size == server.size, "the background preview is shown at 1:1 device pixels"
    difference = mean_abs_difference(browser, server)

    show_only(page, None)
    browser_background = surface_shot(page)
    server_background = render_scene(model.model_copy(update={"layers": ()}), images, scale=scale).convert("RGB")
    offsets = []
    for index, layer in enumerate(model.layers):
        show_only(page, index)
        browser_box = difference_box(surface_shot(page), browser_background)
        alone = model.model_copy(update={"layers": (layer,)})
        server_box = difference_box(render_scene(alone, images, scale=scale).convert("RGB"), server_background)
        offsets.append(max(abs(a - b) for a, b in zip(browser_box, server_box, strict=True)))
        print(f"layer {index}: browser box {browser_box}, server box {server_box}")
    print(f"preview vs server render at scale {scale:.4f}: mean absolute difference {difference:.3f}/255 per channel,"
          f" largest bounding-box offset {max(offsets)} preview px")
    assert max(offsets) <= 1
    assert difference <= 4
    assert page.console_errors == []
