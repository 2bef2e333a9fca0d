"""The Compose page in Chromium: preview equals export, drag without requests, bad files, shortcuts, export."""

from __future__ import annotations

import time

import io
import json
from pathlib import Path

from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw

from browser_support import SCHEMES, WIDTHS, serve_app, theme_of
from tests.unit.compose_support import bomb_png, difference_box, mean_abs_difference


@pytest.fixture(scope="module")
def compose_app(tmp_path_factory):
    """The app as a user starts it, with a data directory the test can read (stored images, saved scenes)."""
    data_dir = tmp_path_factory.mktemp("compose-data")
    with serve_app(data_dir, DASH_APP_MAX_UPLOAD_MB="2", DASH_APP_MAX_IMAGE_PIXELS="4000000") as process:
        yield process.base_url, data_dir


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
    badge.save(folder / "icon.ico")
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
    from dash_app.compose.storage import ComposeStorage

    ComposeStorage(data_dir, max_side=8192).save(None, name, scene_from_dict(scene))
    page.reload()  # the page lists saved compositions when it opens (the scene in progress is kept)
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


def _server_requests(page, base_url: str) -> list:
    return [request for request in page.requests if request.url.startswith(base_url)]


def _layer_centre(page, index: int = 0) -> tuple[float, float]:
    box = page.locator(".compose-layer").nth(index).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _screen_per_canvas_px(page) -> float:
    return page.evaluate("""(() => { const s = document.querySelector('.compose-surface');
        return s.getBoundingClientRect().width / parseFloat(s.dataset.width); })()""")


def test_dragging_a_layer_sends_nothing_until_release_then_one_request(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    before = wait_for_scene(page, "s.layers.length === 1")["layers"][0]
    page.wait_for_load_state("networkidle")
    k = _screen_per_canvas_px(page)
    start_x, start_y = _layer_centre(page)
    dx, dy = 200.0, -80.0

    page.mouse.move(start_x, start_y)
    page.mouse.down()
    during = len(_server_requests(page, url))
    for step in range(1, 61):
        page.mouse.move(start_x + dx * step / 60, start_y + dy * step / 60)
    moving = _server_requests(page, url)[during:]
    box = page.locator(".compose-layer").first.bounding_box()
    page.mouse.up()
    after = wait_for_scene(page, f"s.layers[0].x !== {before['x']}")["layers"][0]
    page.wait_for_load_state("networkidle")
    released = _server_requests(page, url)[during:]

    print(f"60-step drag: {len(moving)} requests while moving, {len(released)} on release")
    assert moving == [], [request.url for request in moving]
    assert [(r.method, urlsplit(r.url).path) for r in released] == [("POST", "/_dash-update-component")]
    assert after["x"] == pytest.approx(before["x"] + dx / k, abs=0.01)
    assert after["y"] == pytest.approx(before["y"] + dy / k, abs=0.01)
    settled = page.locator(".compose-layer").first.bounding_box()
    assert settled["x"] == pytest.approx(box["x"], abs=0.5), "the server's placement is where the layer was dropped"
    assert settled["y"] == pytest.approx(box["y"], abs=0.5)
    assert float(page.input_value("#compose-x")) == pytest.approx(after["x"], abs=0.01)
    assert page.console_errors == []


def _stage_top(page) -> float:
    """Where the stage starts on the page (not on the screen: scrolling does not count)."""
    return page.evaluate("document.querySelector('#compose-stage').getBoundingClientRect().top + window.scrollY")


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_a_message_coming_or_going_never_moves_the_stage(compose_app, open_page, image_files, width_name):
    url, _ = compose_app
    page = open_compose(open_page, url, width=WIDTHS[width_name])
    top = _stage_top(page)
    add_images(page, image_files["badge.png"], image_files["logo.png"])
    page.wait_for_selector("#compose-alerts >> text=Added 2 layers.")
    assert _stage_top(page) == pytest.approx(top, abs=1), "the message appeared without moving the stage"
    before = wait_for_scene(page, "s.layers.length === 2")["layers"][1]
    page.locator(".compose-layer").nth(1).scroll_into_view_if_needed()
    start_x, start_y = _layer_centre(page, 1)
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 40, start_y + 30, steps=10)
    dropped = page.locator(".compose-layer").nth(1).bounding_box()
    page.mouse.up()
    wait_for_scene(page, f"s.layers[1].x !== {before['x']}")
    page.wait_for_selector("#compose-alerts .alert", state="detached")  # the release's answer clears the message
    assert _stage_top(page) == pytest.approx(top, abs=1), "the message went without moving the stage"
    settled = page.locator(".compose-layer").nth(1).bounding_box()
    assert (settled["x"], settled["y"]) == (pytest.approx(dropped["x"], abs=1), pytest.approx(dropped["y"], abs=1)), \
        "the layer stays where it was dropped, under the pointer"
    assert page.console_errors == []


def test_snap_guides_catch_the_canvas_centre(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    start_x, start_y = _layer_centre(page)
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 40, start_y + 30, steps=5)
    page.mouse.move(start_x + 2, start_y + 30, steps=5)  # 2 screen px from the vertical centre line
    assert page.locator(".compose-guide-v.is-visible").count() == 1
    page.mouse.up()
    layer = wait_for_scene(page, "s.layers[0].y !== 540")["layers"][0]
    assert layer["x"] == 960, "snapped to the canvas centre"
    assert page.locator(".compose-guide.is-visible").count() == 0


def _drag_corner_out(page, factor: float) -> tuple[float, float]:
    """Drag the first layer's bottom-right corner ``factor`` times as far from its centre; return the centre."""
    cx, cy = _layer_centre(page)
    corner = page.locator(".compose-layer .compose-handle-se").bounding_box()
    hx, hy = corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(cx + (hx - cx) * factor, cy + (hy - cy) * factor, steps=10)
    page.mouse.up()
    return cx, cy


def test_corner_and_rotation_handles_scale_and_turn_the_layer(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    wait_for_scene(page, "s.layers.length === 1")
    cx, cy = _drag_corner_out(page, 1.5)
    layer = wait_for_scene(page, "s.layers[0].scale !== 1")["layers"][0]
    assert layer["scale"] == pytest.approx(1.5, abs=0.01), "keeps the aspect: one uniform scale"

    knob = page.locator(".compose-layer .compose-rotate-knob").bounding_box()
    kx, ky = knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2
    page.keyboard.down("Shift")
    page.mouse.move(kx, ky)
    page.mouse.down()
    page.mouse.move(cx + 300, cy - 260, steps=10)  # about 49 degrees clockwise from straight up
    page.mouse.up()
    page.keyboard.up("Shift")
    layer = wait_for_scene(page, "s.layers[0].rotation !== 0")["layers"][0]
    assert layer["rotation"] == 45, "Shift snaps to 15 degree steps"
    assert page.input_value("#compose-rotation") == "45"


def test_keyboard_nudges_deletes_and_undoes(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    wait_for_scene(page, "s.layers.length === 1")
    page.locator(".compose-layer").first.click()  # focuses the stage
    page.keyboard.press("ArrowRight")
    wait_for_scene(page, "s.layers[0].x === 961")
    page.keyboard.press("Shift+ArrowDown")
    wait_for_scene(page, "s.layers[0].y === 550")
    assert page.evaluate("window.scrollY") == 0, "arrow keys move the layer, not the page"
    page.keyboard.press("Control+z")
    wait_for_scene(page, "s.layers[0].y === 540 && s.layers[0].x === 961")
    page.keyboard.press("Control+Shift+Z")
    wait_for_scene(page, "s.layers[0].y === 550")
    page.keyboard.press("Delete")
    wait_for_scene(page, "s.layers.length === 0")
    page.click("#compose-undo")
    wait_for_scene(page, "s.layers.length === 1")
    page.click("#compose-redo")
    wait_for_scene(page, "s.layers.length === 0")
    page.click(".app-page-title")  # focus outside the stage: the shortcut still works on the page
    page.keyboard.press("Control+z")
    wait_for_scene(page, "s.layers.length === 1")
    page.fill("#compose-save-name", "draft")
    page.keyboard.press("Control+z")  # inside a text field it is the field's own undo
    page.wait_for_load_state("networkidle")
    assert len(stored_scene(page)["layers"]) == 1
    assert page.console_errors == []


@pytest.mark.parametrize("first_answer", ["before", "after"])
def test_two_fields_typed_before_the_first_answer_both_apply(compose_app, open_page, image_files, first_answer):
    """Rotation's request is answered only once X's has left (which carries the scene without the rotation);
    whichever answer lands last, the layer ends with both values."""
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    wait_for_scene(page, "s.layers.length === 1")
    held, sent = [], []

    def hold_rotation(route):
        changed = route.request.post_data_json.get("changedPropIds", []) if route.request.post_data else []
        if "compose-rotation.value" in changed and not held:
            held.append((route, route.fetch()))
            return
        if "compose-x.value" in changed:
            sent.append(route.request)
            if first_answer == "after":
                answer = route.fetch()
                sent.append(answer)
                route.fulfill(response=answer)
                return
        route.continue_()

    page.route("**/_dash-update-component*", hold_rotation)
    page.fill("#compose-rotation", "30")
    page.press("#compose-rotation", "Enter")
    page.fill("#compose-x", "400")
    page.press("#compose-x", "Enter")
    deadline = time.monotonic() + 60
    while not (held and sent):  # route handlers run only while Playwright waits
        assert time.monotonic() < deadline, "the two requests never left"
        page.evaluate("() => new Promise(resolve => setTimeout(resolve, 20))")
    route, answer = held[0]
    route.fulfill(response=answer)
    wait_for_scene(page, "s.layers[0].rotation === 30 && s.layers[0].x === 400")
    page.unroute("**/_dash-update-component*")
    page.click("#compose-flip-x")  # the next edit starts from that scene
    wait_for_scene(page, "s.layers[0].flip_x === true && s.layers[0].rotation === 30 && s.layers[0].x === 400")
    assert page.console_errors == []


def test_panel_controls_transform_restack_duplicate_and_flip(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"], image_files["logo.png"])
    scene = wait_for_scene(page, "s.layers.length === 2")
    top = scene["layers"][1]["id"]
    page.fill("#compose-rotation", "30")
    page.press("#compose-rotation", "Enter")
    page.fill("#compose-x", "400")
    page.press("#compose-x", "Enter")
    scene = wait_for_scene(page, "s.layers[1].rotation === 30 && s.layers[1].x === 400")
    page.click("#compose-flip-x")
    wait_for_scene(page, "s.layers[1].flip_x === true")
    page.click("#compose-backward")
    scene = wait_for_scene(page, f"s.layers[0].id === '{top}'")
    page.click("#compose-duplicate")
    scene = wait_for_scene(page, "s.layers.length === 3")
    copy = scene["layers"][1]
    assert copy["image_id"] == scene["layers"][0]["image_id"] and copy["x"] == 424 and copy["flip_x"]
    assert page.locator(".compose-layer-item").count() == 3
    page.locator(".compose-layer-item").last.click()  # the bottom layer, listed last
    page.wait_for_selector(f".compose-layer-item.is-selected[data-compose-select='{top}']")
    assert page.console_errors == []


BAD_FILES = {
    "notes.png": "not an image",
    "drawing.svg": "SVG images are not supported",
    "icon.ico": "ICO images are not supported: upload a PNG, JPEG or WebP file",
    "broken.png": "damaged",
    "huge.png": "900,000,000 pixels",
    "large.png": "2,100 x 2,000 pixels; the limit is 4,000,000 pixels",
    "heavy.png": "too large (3.0 MB); the limit is 2 MB",
}


def test_bad_files_are_refused_with_a_message_and_nothing_else_changes(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    kept = wait_for_scene(page, "s.layers.length === 1")
    for name, message in BAD_FILES.items():
        add_images(page, image_files[name])
        page.wait_for_selector(f"#compose-alerts >> text={name}")
        alert = page.inner_text("#compose-alerts")
        assert message in alert, alert
        assert stored_scene(page)["layers"] == kept["layers"], "other layers untouched"
    add_images(page, image_files["logo.png"])  # the server still serves
    wait_for_scene(page, "s.layers.length === 2")
    refused = [e for e in page.console_errors if "status of 400" not in e]
    assert refused == [], "only the refused uploads' own 400 answers"


def test_a_tampered_scene_from_the_browser_is_refused(compose_app, open_page):
    url, _ = compose_app
    page = open_compose(open_page, url)
    answer = page.evaluate("""async (url) => {
        const scene = JSON.parse(sessionStorage.getItem('compose-scene'));
        scene.canvas.width = 999999; scene.layers = [{id: 'abcdef12', image_id: '../../etc/passwd', x: 1, y: 2}];
        scene.script = '<img onerror=alert(1)>';
        const r = await fetch(url + 'compose/export', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                       body: JSON.stringify({scene: scene, format: 'png'})});
        return {status: r.status, body: await r.json()};
    }""", url)
    assert answer["status"] == 400
    for part in ("canvas width", "layers.0.image_id", "script: is not a known field"):
        assert part in answer["body"]["error"]
    page.evaluate("""() => { const s = JSON.parse(sessionStorage.getItem('compose-scene'));
        s.layers = [{id: 'abcdef12', image_id: 'a'.repeat(32), x: 1, y: 2, opacity: 7}];
        sessionStorage.setItem('compose-scene', JSON.stringify(s)); }""")
    page.reload()
    page.wait_for_selector("#compose-alerts >> text=opacity")
    assert page.locator(".compose-layer").count() == 0, "nothing of the refused scene is rendered"


def test_export_downloads_the_full_resolution_render(compose_app, open_page, image_files):
    url, data_dir = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["logo.png"], image_files["photo.jpg"])
    page.fill("#compose-rotation", "20")
    page.press("#compose-rotation", "Enter")
    scene = wait_for_scene(page, "s.layers.length === 2 && s.layers[1].rotation === 20")
    from dash_app.compose.export import load_images
    from dash_app.compose.render import render_scene
    from dash_app.compose.scene import scene_from_dict

    model = scene_from_dict(scene)
    expected = render_scene(model, load_images(data_dir, model.image_ids())).convert("RGB")
    for fmt, suffix in (("png", ".png"), ("jpeg", ".jpg"), ("webp", ".webp")):
        page.select_option("#compose-format", fmt)
        with page.expect_download() as download:
            page.click("#compose-export")
        path = download.value.path()
        assert download.value.suggested_filename == f"composition-1920x1080{suffix}"
        exported = Image.open(path)
        assert exported.size == (1920, 1080) and exported.format == fmt.upper()
        if fmt == "png":
            assert exported.convert("RGB").tobytes() == expected.tobytes(), "the export is the server's render"
        else:
            assert mean_abs_difference(exported, expected) < 3, "lossy, but the same picture"
    assert page.console_errors == []


def test_save_and_reopen_a_composition(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["logo.png"], image_files["badge.png"])
    saved = wait_for_scene(page, "s.layers.length === 2")
    page.fill("#compose-save-name", "x" * 60)  # a long name with nowhere to break wraps inside its message
    page.click("#compose-save")
    page.wait_for_selector("#compose-alerts >> text=Saved “xxxx")
    assert page.evaluate("(m => m.scrollWidth <= m.clientWidth)(document.querySelector('#compose-alerts .alert'))"), \
        "the name stays inside its message"
    page.fill("#compose-save-name", "Launch visual")
    page.click("#compose-save")
    page.wait_for_selector("#compose-alerts >> text=Saved “Launch visual”")
    page.locator(".compose-layer").last.click()
    page.keyboard.press("Delete")
    wait_for_scene(page, "s.layers.length === 1")
    page.fill("#compose-save-name", "../../etc")
    page.click("#compose-save")
    page.wait_for_selector("#compose-alerts >> text=A name is 1 to 60")
    page.select_option("#compose-saved", "Launch visual")
    page.click("#compose-open")
    reopened = wait_for_scene(page, "s.layers.length === 2")
    assert reopened == saved
    assert page.locator(".compose-layer").count() == 2

    # Deleting is for good, so the trash button asks first; Cancel keeps the composition.
    page.click("#compose-delete-saved")
    page.wait_for_selector("#compose-delete-dialog .modal-body:has-text('Delete “Launch visual”?')")
    page.click("#compose-delete-cancel")
    page.wait_for_selector("#compose-delete-dialog", state="hidden")
    assert page.locator("#compose-saved option[value='Launch visual']").count() == 1
    page.click("#compose-delete-saved")
    page.click("#compose-delete-confirmed")
    page.wait_for_selector("#compose-alerts >> text=Deleted “Launch visual”")
    page.wait_for_selector("#compose-saved option[value='Launch visual']", state="detached")
    assert page.locator(".compose-layer").count() == 2, "the canvas keeps what it shows"
    assert page.console_errors == []


SHOWCASE = {
    "canvas": {"width": 1920, "height": 1080},
    "background": {"kind": "radial", "color_from": "#fdf2f8", "color_to": "#818cf8"},
    "layers": [
        {"id": "b0000001", "image_id": "", "name": "photo.jpg", "x": 760, "y": 560, "scale": 2.1, "rotation": -6},
        {"id": "b0000002", "image_id": "", "name": "logo.png", "x": 1380, "y": 330, "scale": 1.1, "rotation": 12,
         "opacity": 0.9},
        {"id": "b0000003", "image_id": "", "name": "badge.png", "x": 1400, "y": 760, "scale": 1.2},
    ],
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_with_a_scene(compose_app, open_page, image_files, screenshot_dir, scheme, width_name):
    url, data_dir = compose_app
    page = open_compose(open_page, url, width=WIDTHS[width_name], scheme=scheme)
    add_images(page, image_files["photo.jpg"], image_files["logo.png"], image_files["badge.png"])
    ids = [layer["image_id"] for layer in wait_for_scene(page, "s.layers.length === 3")["layers"]]
    scene = json.loads(json.dumps(SHOWCASE))
    for layer, image_id in zip(scene["layers"], ids, strict=True):
        layer["image_id"] = image_id
    open_saved(page, data_dir, "Spring launch", scene)
    page.locator(".compose-layer-item").nth(1).click()
    page.wait_for_selector(".compose-layer.is-selected")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    assert theme_of(page) == scheme
    page.screenshot(path=screenshot_dir / f"compose-scene-{scheme}-{width_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width_name], "no sideways scrolling"
    if width_name == "narrow":
        for selector in ("#compose-add", "#compose-undo", "#compose-export", "#compose-delete", ".compose-layer-item"):
            box = page.locator(selector).first.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (selector, box)
    assert page.console_errors == []


def test_a_finger_drags_a_layer_on_a_narrow_screen(compose_app, browser, image_files):
    url, _ = compose_app
    context = browser.new_context(viewport={"width": WIDTHS["narrow"], "height": 844}, has_touch=True)
    try:
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request))
        page.goto(url + "compose")
        page.wait_for_selector(".compose-surface")
        hint = page.locator(".compose-empty strong")  # drawn on the stage, which is shrunk to fit: still readable
        page.wait_for_function("() => document.querySelector('.compose-surface').style.transform.startsWith('scale')")
        assert hint.bounding_box()["height"] >= 14 and hint.bounding_box()["width"] <= WIDTHS["narrow"]
        add_images(page, image_files["badge.png"])
        before = wait_for_scene(page, "s.layers.length === 1")["layers"][0]
        page.locator(".compose-layer").first.scroll_into_view_if_needed()
        k = _screen_per_canvas_px(page)
        assert k < 0.5, "the stage is shrunk to the narrow screen"
        x, y = _layer_centre(page)
        scrolled = page.evaluate("window.scrollY")
        touch = page.context.new_cdp_session(page)
        touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        count = len(_server_requests(page, url))
        for step in range(1, 31):
            touch.send("Input.dispatchTouchEvent",
                       {"type": "touchMove", "touchPoints": [{"x": x + 60 * step / 30, "y": y + 25 * step / 30}]})
        assert len(_server_requests(page, url)) == count, "no request while the finger moves"
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        after = wait_for_scene(page, f"s.layers[0].x !== {before['x']}")["layers"][0]
        assert after["x"] == pytest.approx(before["x"] + 60 / k, abs=0.05)
        assert after["y"] == pytest.approx(before["y"] + 25 / k, abs=0.05)
        assert page.evaluate("window.scrollY") == scrolled, "the finger moved the layer, not the page"
    finally:
        context.close()


def test_an_uploaded_photo_becomes_the_background(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    with page.expect_file_chooser() as chooser:
        page.click("#compose-photo-button")
    chooser.value.set_files(str(image_files["photo.jpg"]))
    scene = wait_for_scene(page, "s.background.kind === 'photo'")
    assert scene["background"]["fit"] == "cover"
    assert page.input_value("#compose-bg-kind") == "photo"
    page.select_option("#compose-fit", "contain")
    wait_for_scene(page, "s.background.fit === 'contain'")
    page.wait_for_load_state("networkidle")
    src = page.get_attribute(".compose-bg", "src")
    assert "photo" in src and "contain" in src
    page.wait_for_function("(i => i.complete && i.naturalWidth === 880)(document.querySelector('.compose-bg'))")
    assert page.console_errors == []


def test_inside_the_host_the_page_works_under_the_prefix_and_saves_per_user(live_host, open_page, image_files):
    from browser_support import HOST_USER

    username, password, _name = HOST_USER
    page = open_page()
    page.goto(live_host + "dashboard/compose")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(".compose-surface")
    add_images(page, image_files["logo.png"])
    wait_for_scene(page, "s.layers.length === 1")
    assert page.get_attribute(".compose-layer-img", "src").startswith("/dashboard/compose/image?id=")
    page.fill("#compose-save-name", "Alice board")
    page.click("#compose-save")
    page.wait_for_selector("#compose-alerts >> text=Saved “Alice board”")
    with page.expect_download() as download:
        page.click("#compose-export")
    assert Image.open(download.value.path()).size == (1920, 1080)
    saved = page.evaluate("() => [...document.querySelectorAll('#compose-saved option')].map(o => o.value)")
    assert "Alice board" in saved
    assert page.console_errors == []


def test_high_density_screens_get_a_sharper_background(compose_app, browser):
    url, _ = compose_app
    context = browser.new_context(viewport={"width": WIDTHS["wide"], "height": 900}, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(url + "compose")
        page.wait_for_function("(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('.compose-bg'))")
        chosen = page.evaluate("document.querySelector('.compose-bg').currentSrc")
        assert "density=2" in chosen
        assert Image.open(io.BytesIO(page.request.get(chosen).body())).size == (1760, 990)
        assert page.locator(".compose-bg").bounding_box()["width"] == 880
    finally:
        context.close()


def test_files_dropped_from_the_desktop_become_layers(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    files = [{"name": name, "type": "image/png", "bytes": list(image_files[name].read_bytes())}
             for name in ("badge.png", "logo.png")]
    page.evaluate("""(files) => {
        const transfer = new DataTransfer();
        for (const f of files) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name, {type: f.type}));
        const stage = document.querySelector('#compose-stage');
        for (const type of ['dragenter', 'dragover', 'drop']) {
            stage.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
        }
    }""", files)
    scene = wait_for_scene(page, "s.layers.length === 2")
    assert [layer["name"] for layer in scene["layers"]] == ["badge.png", "logo.png"]
    assert page.inner_text("#compose-alerts") == "Added 2 layers."
    assert page.console_errors == []


def test_the_scale_and_opacity_sliders_change_the_selected_layer(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    wait_for_scene(page, "s.layers.length === 1")
    page.locator("#compose-scale [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    layer = wait_for_scene(page, "s.layers[0].scale !== 1")["layers"][0]
    assert layer["scale"] == 1.01
    page.locator("#compose-opacity [role=slider]").focus()
    page.keyboard.press("PageDown")
    layer = wait_for_scene(page, "s.layers[0].opacity !== 1")["layers"][0]
    assert 0 < layer["opacity"] < 1
    box = page.locator(".compose-layer").first.bounding_box()
    assert box["width"] == pytest.approx(200 * 1.01 * 880 / 1920, abs=0.5), "one scale for both sides"


def test_two_quick_drags_add_up(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"])
    before = wait_for_scene(page, "s.layers.length === 1")["layers"][0]
    k = _screen_per_canvas_px(page)
    x, y = _layer_centre(page)
    for step in range(2):  # the second drag starts before the first one's answer has been drawn
        page.mouse.move(x + 100 * step, y)
        page.mouse.down()
        page.mouse.move(x + 100 * (step + 1), y + 40, steps=8)
        page.mouse.move(x + 100 * (step + 1), y, steps=4)
        page.mouse.up()
    after = wait_for_scene(page, f"Math.abs(s.layers[0].x - {before['x'] + 200 / k}) < 0.05")["layers"][0]
    assert after["y"] == pytest.approx(before["y"], abs=0.05)


def test_canvas_presets_custom_sizes_and_backgrounds(compose_app, open_page):
    url, _ = compose_app
    page = open_compose(open_page, url)
    page.select_option("#compose-preset", "1080x1080")
    wait_for_scene(page, "s.canvas.width === 1080 && s.canvas.height === 1080")
    page.wait_for_function("document.querySelector('.compose-surface').style.width === '620px'")
    page.fill("#compose-width", "9000")
    page.press("#compose-width", "Enter")
    page.wait_for_selector("#compose-alerts >> text=larger than the limit of 8192 px")
    assert stored_scene(page)["canvas"]["width"] == 1080, "refused, not applied"
    page.select_option("#compose-bg-kind", "dots")
    scene = wait_for_scene(page, "s.background.kind === 'dots'")
    assert scene["background"]["spacing"] == 40
    assert page.locator("#compose-spacing-group").is_visible() and not page.locator("#compose-angle-group").is_visible()
    page.wait_for_function("(i => i.complete && i.naturalWidth === 620)(document.querySelector('.compose-bg'))")
    assert page.console_errors == []


# Layer panel, crop and text (issue 15: items 1, 5, 6 and 8)


def _list_item(page, position: int):
    """The layer list's entry at ``position`` (the list shows the top layer first)."""
    return page.locator(".compose-layer-item").nth(position)


def test_layers_are_hidden_locked_renamed_and_reordered_from_the_list(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["badge.png"], image_files["logo.png"])
    scene = wait_for_scene(page, "s.layers.length === 2")
    bottom, top = (layer["id"] for layer in scene["layers"])

    _list_item(page, 0).locator("[data-compose-toggle=visible]").click()  # hide the top layer (logo)
    wait_for_scene(page, "!s.layers[1].visible")
    page.wait_for_function("document.querySelectorAll('.compose-layer').length === 1")
    assert page.get_attribute(".compose-layer", "data-id") == bottom, "a hidden layer is not on the canvas"
    assert "hidden" in _list_item(page, 0).inner_text()
    page.click("#compose-undo")  # one step per action
    wait_for_scene(page, "s.layers[1].visible")
    page.click("#compose-redo")
    wait_for_scene(page, "!s.layers[1].visible")
    # The same eye again shows it: a click the same as the last one is still a click (the page once dropped it).
    _list_item(page, 0).locator("[data-compose-toggle=visible]").click()
    wait_for_scene(page, "s.layers[1].visible")
    _list_item(page, 0).locator("[data-compose-toggle=visible]").click()
    wait_for_scene(page, "!s.layers[1].visible")

    _list_item(page, 1).locator("[data-compose-toggle=locked]").click()  # lock the badge
    locked = wait_for_scene(page, "s.layers[0].locked")["layers"][0]
    page.wait_for_selector(".compose-layer.is-locked")
    x, y = _layer_centre(page, 0)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y + 40, steps=6)
    page.mouse.up()
    page.wait_for_load_state("networkidle")
    assert stored_scene(page)["layers"][0]["x"] == locked["x"], "a locked layer does not move on the canvas"
    assert page.locator(".compose-layer.is-selected").count() == 0, "nor can it be selected there"
    _list_item(page, 1).locator(".compose-layer-pick").click()  # the list still selects it
    page.wait_for_selector(".compose-layer.is-locked.is-selected")
    page.focus("#compose-stage")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#compose-alerts >> text=is locked: unlock it in the Layers list")
    assert stored_scene(page)["layers"][0]["x"] == locked["x"]

    page.fill("#compose-name", "Green badge")
    page.press("#compose-name", "Enter")
    wait_for_scene(page, "s.layers[0].name === 'Green badge'")
    page.wait_for_selector(".compose-layer-item >> text=Green badge")

    grip = _list_item(page, 1).locator("[data-compose-grip]").bounding_box()  # drag the badge above the logo
    target = _list_item(page, 0).bounding_box()
    gx, gy = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    page.mouse.move(gx, gy)
    page.mouse.down()
    count = len(_server_requests(page, url))
    page.mouse.move(gx, target["y"] + 4, steps=8)
    assert len(_server_requests(page, url)) == count, "no request while the row is dragged"
    page.mouse.up()
    wait_for_scene(page, f"s.layers[1].id === '{bottom}'")
    assert page.inner_text(".compose-layer-item >> nth=0").startswith("Green badge")
    page.focus(f"[data-compose-grip='{bottom}']")  # the keyboard moves it back down
    page.keyboard.press("ArrowDown")
    wait_for_scene(page, f"s.layers[0].id === '{bottom}'")
    page.click("#compose-undo")
    wait_for_scene(page, f"s.layers[1].id === '{bottom}'")
    assert page.console_errors == []


def test_a_text_layer_is_added_styled_dragged_and_undone(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    page.click("#compose-add-text")
    layer = wait_for_scene(page, "s.layers.length === 1 && s.layers[0].kind === 'text'")["layers"][0]
    assert layer["text"]["content"] == "Your text" and page.input_value("#compose-text") == "Your text"
    assert page.locator("#compose-text-group").is_visible() and not page.locator("#compose-image-group").is_visible()
    page.wait_for_function("(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('.compose-layer-img'))")

    page.fill("#compose-text", "Ёлка & Crème brûlée")
    page.locator("#compose-text").blur()
    wait_for_scene(page, "s.layers[0].text.content === 'Ёлка & Crème brûlée'")
    page.select_option("#compose-font", "Noto Serif")
    wait_for_scene(page, "s.layers[0].text.font === 'Noto Serif'")
    page.select_option("#compose-weight", "700")
    wait_for_scene(page, "s.layers[0].text.weight === 700")
    page.fill("#compose-font-size", "120")
    page.press("#compose-font-size", "Enter")
    wait_for_scene(page, "s.layers[0].text.size === 120")
    page.locator("#compose-align label").first.click()
    wait_for_scene(page, "s.layers[0].text.align === 'left'")
    page.locator("#compose-box").check()
    boxed = wait_for_scene(page, "s.layers[0].text.box !== null")["layers"][0]["text"]
    assert boxed["box"] == "#ffffff" and boxed["padding"] == 24
    page.wait_for_function("(i => i.complete && i.naturalWidth > 0 && i.src.includes('Noto'))"
                           "(document.querySelector('.compose-layer-img'))")

    page.click("#compose-undo")  # each change was one step
    wait_for_scene(page, "s.layers[0].text.box === null && s.layers[0].text.align === 'left'")
    page.click("#compose-redo")
    wait_for_scene(page, "s.layers[0].text.box !== null")

    before = stored_scene(page)
    for content, message in (("", "The text is empty"), ("x" * 100_000, "100,000 characters")):
        page.fill("#compose-text", content)
        page.locator("#compose-text").blur()
        page.wait_for_selector(f"#compose-alerts >> text={message}")
        assert stored_scene(page) == before, "refused: nothing changes"

    page.locator(".compose-layer").first.scroll_into_view_if_needed()  # a text drags like an image
    x, y = _layer_centre(page)
    page.mouse.move(x, y)
    page.mouse.down()
    during = len(_server_requests(page, url))
    page.mouse.move(x + 60, y + 30, steps=20)
    moving = _server_requests(page, url)[during:]
    page.mouse.up()
    wait_for_scene(page, f"s.layers[0].x !== {before['layers'][0]['x']}")
    page.wait_for_load_state("networkidle")
    released = _server_requests(page, url)[during:]
    assert moving == [] and [urlsplit(r.url).path for r in released] == ["/_dash-update-component"]

    answer = page.evaluate("""async (url) => {
        const scene = JSON.parse(sessionStorage.getItem('compose-scene'));
        scene.layers[0].text.font = 'Comic Sans MS';
        const r = await fetch(url + 'compose/export', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                       body: JSON.stringify({scene: scene, format: 'png'})});
        return {status: r.status, body: await r.json()};
    }""", url)
    assert answer["status"] == 400 and "'Comic Sans MS' is not shipped" in answer["body"]["error"]
    assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_an_image_is_cropped_with_the_fields_and_on_the_canvas(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_compose(open_page, url)
    add_images(page, image_files["photo.jpg"])  # 480 x 320, shown at scale 1
    layer = wait_for_scene(page, "s.layers.length === 1")["layers"][0]
    assert [page.input_value(f"#compose-crop-{name}") for name in "xywh"] == ["0", "0", "480", "320"]
    page.fill("#compose-crop-w", "240")
    page.press("#compose-crop-w", "Enter")
    cropped = wait_for_scene(page, "s.layers[0].crop !== null")["layers"][0]
    assert cropped["crop"] == {"x": 0, "y": 0, "width": 240, "height": 320}
    assert cropped["x"] == pytest.approx(layer["x"] - 120), "the kept half stays where it was"
    page.wait_for_function("document.querySelector('.compose-layer').dataset.w === '240'")
    k = _screen_per_canvas_px(page)
    assert page.locator(".compose-layer").first.bounding_box()["width"] == pytest.approx(240 * k, abs=1)

    page.fill("#compose-crop-w", "999")  # outside the image: refused, nothing changes
    page.press("#compose-crop-w", "Enter")
    page.wait_for_selector("#compose-alerts >> text=reaches outside the 480 × 320 px image")
    assert stored_scene(page)["layers"][0]["crop"]["width"] == 240
    page.wait_for_function("document.querySelector('#compose-crop-w').value === '240'")

    page.click("#compose-crop-mode")
    page.wait_for_selector("#compose-stage.is-cropping")
    page.wait_for_selector(".compose-layer.is-selected .compose-handle-n", state="visible")
    assert page.locator(".compose-layer-ghost").is_visible(), "the rest of the image shows faintly"
    edge = page.locator(".compose-layer.is-selected .compose-handle-s").bounding_box()
    ex, ey = edge["x"] + edge["width"] / 2, edge["y"] + edge["height"] / 2
    page.mouse.move(ex, ey)
    page.mouse.down()
    during = len(_server_requests(page, url))
    page.mouse.move(ex, ey - 100 * k, steps=20)  # the bottom edge up by 100 canvas px
    moving = _server_requests(page, url)[during:]
    page.mouse.up()
    after = wait_for_scene(page, "s.layers[0].crop.height !== 320")["layers"][0]
    page.wait_for_load_state("networkidle")
    released = _server_requests(page, url)[during:]
    assert moving == [] and [urlsplit(r.url).path for r in released] == ["/_dash-update-component"]
    assert after["crop"]["height"] == pytest.approx(220, abs=2) and after["crop"]["y"] == 0
    assert after["y"] == pytest.approx(cropped["y"] - (320 - after["crop"]["height"]) / 2, abs=0.6)
    page.keyboard.press("Escape")
    page.wait_for_selector("#compose-stage:not(.is-cropping)")

    page.click("#compose-crop-reset")
    restored = wait_for_scene(page, "s.layers[0].crop === null")["layers"][0]
    assert restored["x"] == pytest.approx(layer["x"], abs=0.6) and restored["y"] == pytest.approx(layer["y"], abs=0.6)
    page.click("#compose-undo")
    wait_for_scene(page, "s.layers[0].crop !== null")
    assert page.console_errors == []


TOOLS_SCENE = {
    "canvas": {"width": 1920, "height": 1080},
    "background": {"kind": "linear", "color_from": "#0f172a", "color_to": "#6366f1", "angle": 25},
    "layers": [
        {"id": "c0000001", "image_id": "photo", "name": "Product shot", "x": 620, "y": 560, "scale": 1.6,
         "rotation": -5, "crop": {"x": 60, "y": 40, "width": 360, "height": 250}},
        {"id": "c0000002", "image_id": "logo", "name": "Logo", "x": 1500, "y": 250, "scale": 0.8, "locked": True,
         "crop": {"x": 0, "y": 0, "width": 300, "height": 240}},
        {"id": "c0000003", "image_id": "badge", "name": "Draft badge", "x": 1500, "y": 800, "visible": False},
        {"id": "c0000004", "kind": "text", "name": "Title", "x": 1360, "y": 560, "rotation": 0,
         "text": {"content": "Spring launch\nВесна · Printemps", "size": 88, "weight": 700, "color": "#0f172a",
                  "align": "center", "box": "#f8fafc", "padding": 36, "radius": 28}},
        {"id": "c0000005", "kind": "text", "name": "Caption", "x": 1360, "y": 820, "opacity": 0.9,
         "text": {"content": "Available from 1 April — à partir du 1er avril", "font": "Noto Serif", "size": 40,
                  "color": "#e0e7ff", "align": "left"}},
    ],
}


def tools_scene(ids: dict[str, str], template: dict = TOOLS_SCENE) -> dict:
    """``template`` with the uploaded images' ids in place of their names."""
    scene = json.loads(json.dumps(template))
    for layer in scene["layers"]:
        if "image_id" in layer:
            layer["image_id"] = ids[layer["image_id"]]
    return scene


def _uploaded_ids(page, image_files) -> dict[str, str]:
    add_images(page, image_files["photo.jpg"], image_files["logo.png"], image_files["badge.png"])
    layers = wait_for_scene(page, "s.layers.length === 3")["layers"]
    return {name: layer["image_id"] for name, layer in zip(("photo", "logo", "badge"), layers, strict=True)}


def test_preview_equals_export_with_text_crop_locked_and_hidden_layers(compose_app, open_page, image_files):
    url, data_dir = compose_app
    page = open_compose(open_page, url, height=1200)
    scene = tools_scene(_uploaded_ids(page, image_files))
    open_saved(page, data_dir, "tools check", scene)
    page.mouse.move(5, 5)
    assert page.locator(".compose-layer").count() == 4, "the hidden layer is not on the canvas"
    _assert_preview_and_export_match(page, data_dir, scene, "tools scene")


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_the_selected_layers_number_fields_show_their_values_whole(compose_app, open_page, image_files, width_name):
    url, data_dir = compose_app
    page = open_compose(open_page, url, width=WIDTHS[width_name])
    image_id = _uploaded_ids(page, image_files)["logo"]
    layer = {"id": "c0000001", "image_id": image_id, "name": "logo.png", "x": -1234.56, "y": 1041.38,
             "rotation": -179.99, "crop": {"x": 0, "y": 0, "width": 360, "height": 240}}
    open_saved(page, data_dir, "wide numbers", {"canvas": {"width": 1920, "height": 1080},
                                              "background": {"kind": "solid", "color": "#ffffff"}, "layers": [layer]})
    page.locator(".compose-layer-item").first.click()
    page.wait_for_selector(".compose-layer-item.is-selected")
    fields = {"#compose-x": "-1234.56", "#compose-y": "1041.38", "#compose-rotation": "-179.99"}
    for selector, value in fields.items():
        page.wait_for_function("([s, v]) => document.querySelector(s).value === v", arg=[selector, value])
        assert page.eval_on_selector(selector, "e => e.scrollWidth <= e.clientWidth"), f"{selector} cuts {value}"
    assert page.console_errors == []


def _assert_preview_and_export_match(page, data_dir: Path, scene: dict, what: str) -> None:
    """The stage shows the server's render of ``scene`` (within the first parity test's threshold), and Export
    downloads its full-resolution render."""
    from dash_app.compose.export import load_images, preview_scale
    from dash_app.compose.render import render_scene
    from dash_app.compose.scene import scene_from_dict

    model = scene_from_dict(scene)
    images = load_images(data_dir, model.image_ids())
    server = render_scene(model, images, scale=preview_scale(1920, 1080)).convert("RGB")
    browser = surface_shot(page)
    assert browser.size == server.size
    difference = mean_abs_difference(browser, server)
    print(f"{what}: preview vs server render {difference:.3f}/255 per channel")
    assert difference <= 4  # the threshold of the first parity test above

    with page.expect_download() as download:
        page.click("#compose-export")
    exported = Image.open(download.value.path()).convert("RGB")
    expected = render_scene(model, images).convert("RGB")
    assert exported.size == (1920, 1080) and exported.tobytes() == expected.tobytes(), "export is the full render"
    assert mean_abs_difference(exported.resize(server.size, Image.Resampling.BOX), server) <= 4
    assert page.console_errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_of_the_new_tools(compose_app, open_page, image_files, screenshot_dir, scheme, width_name):
    url, data_dir = compose_app
    page = open_compose(open_page, url, width=WIDTHS[width_name], scheme=scheme)
    open_saved(page, data_dir, "Tools showcase", tools_scene(_uploaded_ids(page, image_files)))
    page.locator(".compose-layer-item").nth(1).locator(".compose-layer-pick").click()  # the title (text)
    page.wait_for_selector("#compose-text-group:not([hidden])")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"compose-text-{scheme}-{width_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width_name], "no sideways scrolling"
    page.locator(".compose-layer-item").nth(4).locator(".compose-layer-pick").click()  # the product shot
    page.wait_for_selector("#compose-image-group:not([hidden])")
    page.click("#compose-crop-mode")
    page.wait_for_selector("#compose-stage.is-cropping")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(5, 5)  # after the scroll the pointer would rest on a layer row and tint it, as a hover does
    page.screenshot(path=screenshot_dir / f"compose-crop-{scheme}-{width_name}.png", full_page=True)
    if width_name == "narrow":
        for selector in ("#compose-add-text", "[data-compose-toggle]", "[data-compose-grip]", "#compose-crop-mode"):
            box = page.locator(selector).first.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (selector, box)
    assert page.console_errors == []


def test_a_corner_drag_grows_a_text_by_its_font_size_and_a_double_click_edits_it(compose_app, open_page):
    url, _ = compose_app
    page = open_compose(open_page, url)
    page.click("#compose-add-text")
    wait_for_scene(page, "s.layers.length === 1")
    page.wait_for_function("(i => i && i.complete && i.naturalWidth > 0)(document.querySelector('.compose-layer-img'))")
    _drag_corner_out(page, 1.5)
    text = wait_for_scene(page, "s.layers[0].text.size !== 86")["layers"][0]["text"]
    assert text["size"] == pytest.approx(129, abs=1), "the font grows; the drawing is made again, sharp"
    page.wait_for_function("document.querySelector('#compose-font-size').value === String("
                           f"{text['size']})")
    page.locator(".compose-layer").first.dblclick()
    assert page.evaluate("document.activeElement.id") == "compose-text"
    assert page.console_errors == []


def _finished_run_with_a_picture(data_dir: Path) -> tuple[int, Image.Image]:
    """A succeeded run with its curves picture on disk, written into the store as a job leaves it (no training)."""
    from training_support import store_of

    from dash_app.runs.executor import run_folder
    from dash_app.runs.store import ProcessRef

    picture = Image.new("RGB", (800, 600), "white")
    ImageDraw.Draw(picture).line([(60, 540), (380, 200), (740, 90)], fill=(37, 99, 235), width=8)
    store = store_of(data_dir)
    try:
        run_id = store.create_run({"dataset": "digits", "epochs": 2}, "Digits · MLP", user=None, backend="diskcache")
        folder = run_folder(data_dir, run_id)
        folder.mkdir(parents=True)
        picture.save(folder / "curves.png")
        store.claim_slot(run_id, 8, ProcessRef("test-host", 4242, 1.0))
        assert store.finish(run_id, "succeeded", artifacts=[("curves.png", 1)])
    finally:
        store.dispose()
    return run_id, picture


def _delete_run(data_dir: Path, run_id: int) -> None:
    from sqlalchemy import delete
    from training_support import store_of

    from dash_app.runs import schema

    store = store_of(data_dir)
    try:
        with store.engine.begin() as connection:
            connection.execute(delete(schema.runs).where(schema.runs.c.id == run_id))
    finally:
        store.dispose()


def _open_from_the_app(page) -> None:
    page.click("#compose-add-source")
    page.wait_for_selector("#compose-source-dialog .modal-body", state="visible")


def _choose(page, select: str, value: str) -> None:
    """Pick ``value`` in a select of the dialog once the server has offered it."""
    page.wait_for_selector(f"{select}:not([disabled]) option[value='{value}']", state="attached")
    page.select_option(select, value)


def test_a_run_picture_and_a_data_chart_become_layers_that_refresh_and_export(compose_app, open_page):
    url, data_dir = compose_app
    run_id, picture = _finished_run_with_a_picture(data_dir)
    page = open_compose(open_page, url, height=1200)

    _open_from_the_app(page)
    _choose(page, "#compose-source-run", str(run_id))
    _choose(page, "#compose-source-picture", "curves.png")
    page.click("#compose-add-artifact")
    page.wait_for_selector("#compose-source-dialog .modal-body", state="hidden")
    artifact = wait_for_scene(page, "s.layers.length === 1")["layers"][0]
    assert artifact["source"] == {"kind": "run_artifact", "run_id": run_id, "name": "curves.png"}
    page.wait_for_selector(f"#compose-source-text >> text=Loss and accuracy of Training run #{run_id}")

    _open_from_the_app(page)
    _choose(page, "#compose-chart-db", "demo")
    _choose(page, "#compose-chart-table", "products")
    _choose(page, "#compose-chart-x", "category")
    page.select_option("#compose-chart-agg", "mean")
    _choose(page, "#compose-chart-y", "unit_price")
    page.click("#compose-add-chart")
    chart = wait_for_scene(page, "s.layers.length === 2")["layers"][1]
    assert chart["source"] == {"kind": "data_chart", "database": "demo", "table": "products", "x": "category",
                               "aggregate": "mean", "y": "unit_price", "bucket": None}
    page.wait_for_selector("#compose-source-text >> text=Chart of demo › products: mean of unit_price by category")
    assert "chart" in page.inner_text(".compose-layer-item.is-selected")

    page.click("#compose-refresh")  # one undo step: the chart drawn again from the table
    refreshed = wait_for_scene(page, f"s.layers[1].image_id !== '{chart['image_id']}'")["layers"][1]
    page.wait_for_selector("#compose-alerts >> text=Refreshed")
    kept = ("x", "y", "scale", "source")
    assert {key: refreshed[key] for key in kept} == {key: chart[key] for key in kept}
    page.click("#compose-undo")
    wait_for_scene(page, f"s.layers[1].image_id === '{chart['image_id']}'")
    page.click("#compose-redo")
    scene = wait_for_scene(page, f"s.layers[1].image_id === '{refreshed['image_id']}'")
    page.wait_for_load_state("networkidle")
    page.mouse.move(5, 5)

    from dash_app.compose.export import load_images, preview_scale
    from dash_app.compose.render import render_scene
    from dash_app.compose.scene import scene_from_dict

    model = scene_from_dict(scene)
    images = load_images(data_dir, model.image_ids())
    assert images[artifact["image_id"]].convert("RGB").tobytes() == picture.tobytes(), "the run's picture, as is"
    preview = render_scene(model, images, scale=preview_scale(1920, 1080)).convert("RGB")
    difference = mean_abs_difference(surface_shot(page), preview)
    print(f"run picture and chart: preview vs server render {difference:.3f}/255 per channel")
    assert difference <= 4  # the threshold of the first parity test above
    with page.expect_download() as download:
        page.click("#compose-export")
    exported = Image.open(download.value.path()).convert("RGB")
    assert exported.tobytes() == render_scene(model, images).convert("RGB").tobytes(), "export is the full render"

    _delete_run(data_dir, run_id)  # the run is gone: its layer cannot be refreshed, and nothing changes
    page.locator(".compose-layer-item").nth(1).locator(".compose-layer-pick").click()
    page.wait_for_selector(f"#compose-source-text >> text=Training run #{run_id}")
    page.click("#compose-refresh")
    page.wait_for_selector(f"#compose-alerts >> text=Run #{run_id} no longer exists")
    page.wait_for_load_state("networkidle")
    assert stored_scene(page) == scene
    assert page.console_errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_of_a_chart_layer_and_the_dialog(compose_app, open_page, screenshot_dir, scheme, width_name):
    url, _ = compose_app
    page = open_compose(open_page, url, width=WIDTHS[width_name], scheme=scheme)
    _open_from_the_app(page)
    _choose(page, "#compose-chart-table", "orders")
    _choose(page, "#compose-chart-x", "ordered_at")
    page.select_option("#compose-chart-bucket", "month")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshot_dir / f"compose-from-the-app-{scheme}-{width_name}.png")
    page.click("#compose-add-chart")
    wait_for_scene(page, "s.layers.length === 1 && s.layers[0].source")
    page.wait_for_selector("#compose-source-group:not([hidden])")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"compose-chart-{scheme}-{width_name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width_name], "no sideways scrolling"
    if width_name == "narrow":
        for selector in ("#compose-add-source", "#compose-refresh"):
            box = page.locator(selector).bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (selector, box)


# Several layers selected, align and distribute, smart guides (issue 15: items 2, 3 and 4)

A, B, C, D = "d0000001", "d0000002", "d0000003", "d0000004"
SELECT_SCENE = {  # boxes (canvas px): A 300..500 x 200..400, B 816..1104 x 604..796, C 1350..1650 x 250..450
    "canvas": {"width": 1920, "height": 1080},
    "background": {"kind": "linear", "color_from": "#ecfeff", "color_to": "#a5b4fc", "angle": 120},
    "layers": [
        {"id": A, "image_id": "badge", "name": "Badge", "x": 400, "y": 300},
        {"id": B, "image_id": "logo", "name": "Logo", "x": 960, "y": 700, "scale": 0.8},
        {"id": C, "image_id": "photo", "name": "Photo", "x": 1500, "y": 350,
         "crop": {"x": 90, "y": 60, "width": 300, "height": 200}},
        {"id": D, "kind": "text", "name": "Locked title", "x": 1500, "y": 900, "locked": True,
         "text": {"content": "Spring", "size": 60, "weight": 700, "color": "#1e1b4b"}},
    ],
}


def open_selection_scene(compose_app, open_page, image_files, name: str = "Selection", **kwargs):
    """The Compose page (``kwargs``: its viewport and colour scheme) showing SELECT_SCENE, with nothing selected."""
    url, data_dir = compose_app
    page = open_compose(open_page, url, **({"height": 1200} | kwargs))
    open_saved(page, data_dir, name, tools_scene(_uploaded_ids(page, image_files), SELECT_SCENE))
    page.evaluate("window.scrollTo(0, 0)")  # the whole stage in view, below the navbar and the message
    return page


def _canvas_point(page, x: float, y: float) -> tuple[float, float]:
    """Where the canvas point (x, y) is on the screen (read at once: Dash may be redrawing the stage)."""
    return tuple(page.evaluate("""([x, y]) => { const s = document.querySelector('.compose-surface');
        const r = s.getBoundingClientRect(), k = r.width / parseFloat(s.dataset.width);
        return [r.left + x * k, r.top + y * k]; }""", [x, y]))


def _click_canvas(page, x: float, y: float, modifiers: tuple[str, ...] = ()) -> None:
    """Click the canvas point (x, y), holding ``modifiers`` (the mouse takes the keys held on the keyboard)."""
    for key in modifiers:
        page.keyboard.down(key)
    page.mouse.click(*_canvas_point(page, x, y))
    for key in modifiers:
        page.keyboard.up(key)


def _band(page, start: tuple[float, float], end: tuple[float, float], *, shift: bool = False) -> None:
    """Drag a rubber band on the stage between two canvas points."""
    if shift:
        page.keyboard.down("Shift")
    page.mouse.move(*_canvas_point(page, *start))
    page.mouse.down()
    page.mouse.move(*_canvas_point(page, *end), steps=8)
    page.mouse.up()
    if shift:
        page.keyboard.up("Shift")


def wait_for_selection(page, expected: list[str]) -> None:
    """The page's store holds the selection (one id, or a list), and the stage outlines exactly those layers."""
    stored = expected[0] if len(expected) == 1 else expected
    page.wait_for_function("""(want) => {
        const held = JSON.parse(window.sessionStorage.getItem('compose-selected'));
        const shown = [...document.querySelectorAll('.compose-layer.is-selected')].map(l => l.dataset.id);
        return JSON.stringify(held) === JSON.stringify(want[0]) && JSON.stringify(shown) === JSON.stringify(want[1]);
    }""", arg=[stored if expected else None, expected])


def _drag_canvas(page, start: tuple[float, float], by: tuple[float, float], steps: int = 20) -> None:
    """Press at a canvas point and move the pointer by ``by`` canvas px (the button stays down)."""
    k = _screen_per_canvas_px(page)
    x, y = _canvas_point(page, *start)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + by[0] * k, y + by[1] * k, steps=steps)


def _undo_steps(page) -> int:
    return len(json.loads(page.evaluate("window.sessionStorage.getItem('compose-history')"))["past"])


def select_on_canvas(page, *picks: tuple[str, float, float]) -> None:
    """Click the first layer and Shift-click the others (each an id and a canvas point on it, bottom layer first)."""
    chosen = []
    for layer_id, x, y in picks:
        _click_canvas(page, x, y, modifiers=("Shift",) if chosen else ())
        chosen.append(layer_id)
        wait_for_selection(page, chosen)


def _layer(scene: dict, layer_id: str) -> dict:
    return next(layer for layer in scene["layers"] if layer["id"] == layer_id)


def test_shift_click_and_a_rubber_band_select_several_layers(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_selection_scene(compose_app, open_page, image_files)
    steps = _undo_steps(page)
    select_on_canvas(page, (A, 400, 300), (B, 960, 700))
    page.wait_for_selector("#compose-selection-note >> text=2 layers selected")
    assert not page.locator("#compose-single-group").is_visible(), "only what applies to all of them"
    assert page.locator(".compose-layer.is-selected .compose-handle-se:visible").count() == 0, "no handles"
    assert page.locator("#compose-distribute-x").is_disabled()
    _list_item(page, 1).locator(".compose-layer-pick").click(modifiers=["Shift"])  # the photo, in the list
    wait_for_selection(page, [A, B, C])
    assert page.locator(".compose-layer-item.is-selected").count() == 3
    assert page.locator("#compose-distribute-x").is_enabled()
    _list_item(page, 1).locator(".compose-layer-pick").click(modifiers=["Shift"])  # the same Shift-click: out
    wait_for_selection(page, [A, B])
    _list_item(page, 1).locator(".compose-layer-pick").click(modifiers=["Shift"])  # and in again
    wait_for_selection(page, [A, B, C])
    _click_canvas(page, 400, 300, modifiers=("Shift",))  # out again
    wait_for_selection(page, [B, C])
    _click_canvas(page, 100, 1000)  # the empty canvas: nothing
    wait_for_selection(page, [])
    page.wait_for_selector("#compose-layer-empty:visible")

    count = len(_server_requests(page, url))
    _band(page, (60, 60), (1000, 650))
    wait_for_selection(page, [A, B])
    assert len(_server_requests(page, url)) == count + 1, "one request for the band, on release"
    _band(page, (1700, 1000), (1400, 300), shift=True)  # touches the photo and the locked title
    wait_for_selection(page, [A, B, C])
    page.wait_for_selector("#compose-selection-note >> text=3 layers selected")
    assert page.locator(".compose-marquee.is-visible").count() == 0
    assert _undo_steps(page) == steps, "selecting is not an edit to undo"
    assert page.console_errors == []


def test_several_layers_move_nudge_and_delete_together_one_undo_step_each(compose_app, open_page, image_files):
    url, _ = compose_app
    page = open_selection_scene(compose_app, open_page, image_files)
    start = stored_scene(page)
    select_on_canvas(page, (A, 400, 300), (B, 960, 700))
    page.wait_for_load_state("networkidle")

    k = _screen_per_canvas_px(page)
    x, y = _canvas_point(page, 400, 300)
    page.mouse.move(x, y)
    page.mouse.down()
    during = len(_server_requests(page, url))
    for step in range(1, 31):
        page.mouse.move(x + 200 * k * step / 30, y + 100 * k * step / 30)
    moving = _server_requests(page, url)[during:]
    page.mouse.up()
    moved = wait_for_scene(page, "s.layers[0].x !== 400 && s.layers[1].x !== 960")
    page.wait_for_load_state("networkidle")
    released = _server_requests(page, url)[during:]
    print(f"drag of two layers: {len(moving)} requests while moving, {len(released)} on release")
    assert moving == [], [request.url for request in moving]
    assert [(r.method, urlsplit(r.url).path) for r in released] == [("POST", "/_dash-update-component")]
    shift = (_layer(moved, A)["x"] - 400, _layer(moved, A)["y"] - 300)
    assert shift == (pytest.approx(200, abs=0.05), pytest.approx(100, abs=0.05))
    assert (_layer(moved, B)["x"] - 960, _layer(moved, B)["y"] - 700) == (pytest.approx(shift[0], abs=0.011),
                                                                          pytest.approx(shift[1], abs=0.011))
    assert _layer(moved, C) == _layer(start, C) and _layer(moved, D) == _layer(start, D)
    wait_for_selection(page, [A, B])

    page.keyboard.press("Shift+ArrowRight")
    nudged = wait_for_scene(page, f"s.layers[0].x === {_layer(moved, A)['x'] + 10}")
    assert _layer(nudged, B)["x"] == pytest.approx(_layer(moved, B)["x"] + 10)
    page.keyboard.press("Delete")
    wait_for_scene(page, "s.layers.length === 2")
    for expected in (nudged, moved, start):  # one step each
        page.click("#compose-undo")
        shown = wait_for_scene(page, f"s.layers.length === 4 && s.layers[0].x === {_layer(expected, A)['x']}")
        assert shown == expected
    assert page.console_errors == []


def test_align_left_and_distribute_the_selection_one_undo_step_each(compose_app, open_page, image_files):
    page = open_selection_scene(compose_app, open_page, image_files)
    _band(page, (5, 5), (1915, 1075))  # everything but the locked title
    wait_for_selection(page, [A, B, C])
    page.click("#compose-arrange-left")
    aligned = wait_for_scene(page, "s.layers[1].x !== 960")
    assert [layer["x"] for layer in aligned["layers"]] == [400, 444, 450, 1500], "left edges at 300 (the badge's)"
    page.click("#compose-undo")
    wait_for_scene(page, "s.layers[1].x === 960 && s.layers[2].x === 1500")
    page.click("#compose-distribute-x")
    spread = wait_for_scene(page, "s.layers[1].x !== 960")
    assert [layer["x"] for layer in spread["layers"]] == [400, 925, 1500, 1500], "gaps of 281 px either side"
    page.click("#compose-undo")
    wait_for_scene(page, "s.layers[1].x === 960")
    page.click("#compose-redo")
    wait_for_scene(page, "s.layers[1].x === 925")
    select_on_canvas(page, (B, 925, 700))  # one layer: to the canvas
    page.click("#compose-arrange-bottom")
    wait_for_scene(page, "s.layers[1].y === 984")  # 1080 - 192 / 2
    assert page.console_errors == []


def test_a_drag_snaps_to_another_layers_edge_with_a_guide_and_alt_places_freely(compose_app, open_page, image_files):
    page = open_selection_scene(compose_app, open_page, image_files)
    select_on_canvas(page, (B, 960, 700))
    scale = float(page.get_attribute(".compose-surface", "data-scale"))
    _drag_canvas(page, (960, 700), (241, 0))  # the logo's right edge 5 px short of the photo's left edge (1350)
    guide = page.locator(".compose-guide-v.is-visible")
    assert guide.count() == 1 and page.locator(".compose-guide-h.is-visible").count() == 0
    assert float(guide.evaluate("g => parseFloat(g.style.left)")) == pytest.approx(1350 * scale, abs=0.01)
    page.mouse.up()
    snapped = _layer(wait_for_scene(page, "s.layers[1].x !== 960"), B)
    assert snapped["x"] + 288 / 2 == 1350 and snapped["y"] == 700, "lands exactly on the photo's left edge"
    assert page.locator(".compose-guide.is-visible").count() == 0

    page.click("#compose-undo")
    wait_for_scene(page, "s.layers[1].x === 960")
    page.keyboard.down("Alt")
    _drag_canvas(page, (960, 700), (241, 0))
    assert page.locator(".compose-guide.is-visible").count() == 0, "Alt: no guide"
    page.mouse.up()
    page.keyboard.up("Alt")
    free = _layer(wait_for_scene(page, "s.layers[1].x !== 960"), B)
    assert free["x"] == pytest.approx(960 + 241, abs=0.05), "placed where the pointer left it"
    assert page.console_errors == []


def test_preview_equals_export_after_several_layers_are_moved(compose_app, open_page, image_files):
    _, data_dir = compose_app
    page = open_selection_scene(compose_app, open_page, image_files)
    select_on_canvas(page, (A, 400, 300), (C, 1500, 350))
    _drag_canvas(page, (400, 300), (123, 217))
    page.mouse.up()
    scene = wait_for_scene(page, "s.layers[0].x !== 400 && s.layers[2].x !== 1500")
    assert _layer(scene, C)["x"] - 1500 == pytest.approx(_layer(scene, A)["x"] - 400, abs=0.011)
    _click_canvas(page, 100, 1000)  # nothing selected: no outlines on the preview
    wait_for_selection(page, [])
    page.mouse.move(5, 5)
    _assert_preview_and_export_match(page, data_dir, scene, "several layers moved")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_screenshots_of_a_selection_snapping_to_a_guide(compose_app, open_page, image_files, screenshot_dir, scheme,
                                                        width_name):
    page = open_selection_scene(compose_app, open_page, image_files, "Selection showcase", width=WIDTHS[width_name],
                                scheme=scheme)
    select_on_canvas(page, (A, 400, 300), (B, 960, 700))
    page.wait_for_selector("#compose-selection-note >> text=2 layers selected")
    page.wait_for_load_state("networkidle")
    _drag_canvas(page, (400, 300), (241, 0))  # the selection's right edge to the photo's left edge
    assert page.locator(".compose-guide-v.is-visible").count() == 1
    page.evaluate("window.scrollTo(0, 0)")  # the drag holds: scrolling sends it no pointer event
    page.screenshot(path=screenshot_dir / f"compose-select-{scheme}-{width_name}.png", full_page=True)
    page.mouse.up()
    moved = wait_for_scene(page, "s.layers[0].x !== 400")
    assert _layer(moved, B)["x"] + 144 == 1350 and _layer(moved, A)["x"] == 400 + 246
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width_name], "no sideways scrolling"
    if width_name == "narrow":
        box = page.locator("#compose-arrange-left").bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box
    assert page.console_errors == []


def test_preview_equals_export_with_every_tool_in_one_scene(compose_app, open_page, image_files):
    """Text, a crop, a locked and a hidden layer, a chart of the demo database, and two layers moved together
    (no request while they are dragged, one on release): the preview and the export show the same scene."""
    url, data_dir = compose_app
    page = open_compose(open_page, url, height=1200)
    open_saved(page, data_dir, "Every tool", tools_scene(_uploaded_ids(page, image_files)))
    _open_from_the_app(page)
    _choose(page, "#compose-chart-db", "demo")
    _choose(page, "#compose-chart-table", "products")
    _choose(page, "#compose-chart-x", "category")
    page.click("#compose-add-chart")
    page.wait_for_selector("#compose-source-dialog .modal-body", state="hidden")
    before = wait_for_scene(page, "s.layers.length === 6")
    chart, caption = before["layers"][5], before["layers"][4]
    assert chart["source"]["kind"] == "data_chart" and caption["name"] == "Caption"
    _list_item(page, 1).locator(".compose-layer-pick").click(modifiers=["Shift"])  # the caption joins the chart
    page.wait_for_selector("#compose-selection-note >> text=2 layers selected")
    page.wait_for_load_state("networkidle")

    page.evaluate("window.scrollTo(0, 0)")  # the whole stage in view
    k = _screen_per_canvas_px(page)
    x, y = _canvas_point(page, chart["x"], chart["y"])
    page.mouse.move(x, y)
    page.mouse.down()
    during = len(_server_requests(page, url))
    for step in range(1, 31):
        page.mouse.move(x - 90 * k * step / 30, y + 60 * k * step / 30)
    moving = _server_requests(page, url)[during:]
    page.mouse.up()
    scene = wait_for_scene(page, f"s.layers[5].x !== {chart['x']}")
    page.wait_for_load_state("networkidle")
    released = _server_requests(page, url)[during:]
    assert moving == [], [request.url for request in moving]
    assert [(r.method, urlsplit(r.url).path) for r in released] == [("POST", "/_dash-update-component")]
    moved_chart, moved_caption = scene["layers"][5], scene["layers"][4]
    assert moved_chart["x"] - chart["x"] == pytest.approx(moved_caption["x"] - caption["x"], abs=0.011)
    assert moved_chart["y"] - chart["y"] == pytest.approx(moved_caption["y"] - caption["y"], abs=0.011)
    assert moved_chart["x"] != chart["x"] and scene["layers"][1]["locked"] and not scene["layers"][2]["visible"]

    _click_canvas(page, 100, 1000)  # nothing selected: no outlines on the preview
    wait_for_selection(page, [])
    page.mouse.move(5, 5)
    _assert_preview_and_export_match(page, data_dir, scene, "every tool")
