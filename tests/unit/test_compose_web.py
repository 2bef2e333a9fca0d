"""The Compose routes through Flask's test client: upload, stored images, preview background, export."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from dash_app import create_app
from dash_app.settings import load_settings
from tests.unit.compose_support import bomb_png


@pytest.fixture
def compose_client(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data", max_upload_mb=1, max_image_pixels=1_000_000)
    return create_app(settings).server.test_client(), settings


def png(size=(120, 80), colour=(255, 0, 0, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, data: bytes, name="logo.png"):
    return client.post("/compose/upload", data={"file": (io.BytesIO(data), name)}, headers={"X-Compose-Upload": "1"})


def test_an_upload_is_stored_under_a_new_id_and_served_back(compose_client):
    client, settings = compose_client
    answer = upload(client, png(), name="../../evil name.png")
    assert answer.status_code == 200
    image = answer.json["image"]
    assert (image["width"], image["height"], image["name"]) == (120, 80, "evil name.png")
    stored = list((settings.data_dir / "compose" / "images").iterdir())
    assert [path.name for path in stored] == [f"{image['id']}.png"]
    served = client.get(f"/compose/image?id={image['id']}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert "immutable" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.data)).size == (120, 80)


@pytest.mark.parametrize(("data", "status", "message"), [
    (b"just text", 400, "not an image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 400, "SVG"),
    (bomb_png(30_000, 30_000), 400, "900,000,000 pixels"),
    (bomb_png(1100, 1000), 400, "1,100 x 1,000 pixels; the limit is 1,000,000 pixels"),
    (png()[:60], 400, "damaged"),
    (b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024), 413, "too large (1.0 MB); the limit is 1 MB"),
    (b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024), 413, "too large (3.0 MB); the limit is 1 MB"),
])
def test_bad_uploads_get_a_clear_message_and_the_server_keeps_serving(compose_client, data, status, message):
    client, settings = compose_client
    answer = upload(client, data)
    assert answer.status_code == status
    assert message in answer.json["error"]
    assert not (settings.data_dir / "compose" / "images").exists() or not any(
        (settings.data_dir / "compose" / "images").iterdir())
    assert upload(client, png()).status_code == 200


def test_an_upload_without_a_file_is_refused(compose_client):
    client, _ = compose_client
    answer = client.post("/compose/upload", data={}, headers={"X-Compose-Upload": "1"})
    assert answer.json == {"error": "no file was sent"}


def test_an_upload_from_anywhere_but_the_page_is_refused(compose_client):
    client, settings = compose_client
    answer = client.post("/compose/upload", data={"file": (io.BytesIO(png()), "x.png")})
    assert answer.status_code == 403
    assert not (settings.data_dir / "compose" / "images").exists()


@pytest.mark.parametrize("image_id", ["../../etc/passwd", "%2e%2e%2fsettings", "0" * 32, ""])
def test_only_stored_images_are_served(compose_client, image_id):
    client, _ = compose_client
    assert client.get(f"/compose/image?id={image_id}").status_code == 404


def background_query(spec, w=1920, h=1080) -> dict:
    return {"spec": json.dumps(spec), "w": w, "h": h}


def test_the_preview_background_is_rendered_at_preview_size(compose_client):
    client, _ = compose_client
    spec = {"kind": "linear", "color_from": "#000000", "color_to": "#ffffff", "angle": 0}
    for (w, h), size in {(1920, 1080): (880, 495), (3840, 2160): (880, 495), (2480, 3508): (438, 620),
                         (400, 300): (400, 300)}.items():
        answer = client.get("/compose/background", query_string=background_query(spec, w, h))
        assert answer.status_code == 200
        assert Image.open(io.BytesIO(answer.data)).size == size
    sharp = client.get("/compose/background", query_string=background_query(spec) | {"density": 2})
    assert Image.open(io.BytesIO(sharp.data)).size == (1760, 990), "twice the pixels for high-density screens"
    small = client.get("/compose/background", query_string=background_query(spec, 400, 300) | {"density": 2})
    assert Image.open(io.BytesIO(small.data)).size == (400, 300), "never more than the canvas has"


@pytest.mark.parametrize(("query", "message"), [
    (background_query({"kind": "solid", "color": "#fff"}), "background.color"),
    (background_query({"kind": "solid", "color": "#ffffff", "x": 1}), "x: is not a known field"),
    (background_query({"kind": "solid", "color": "#ffffff"}, w=99999), "canvas width"),
    ({"spec": "{", "w": 10, "h": 10}, "bad background"),
    ({"spec": json.dumps({"kind": "solid", "color": "#ffffff"})}, "bad background"),
    (background_query({"kind": "solid", "color": "#ffffff"}) | {"density": 9}, "density"),
])
def test_a_bad_background_request_is_refused(compose_client, query, message):
    client, _ = compose_client
    answer = client.get("/compose/background", query_string=query)
    assert answer.status_code == 400 and message in answer.json["error"]


def a_scene(image_id: str) -> dict:
    return {"canvas": {"width": 1600, "height": 900},
            "background": {"kind": "radial", "color_from": "#ffffff", "color_to": "#334155"},
            "layers": [{"id": "abcdef12", "image_id": image_id, "x": 800, "y": 450, "scale": 2, "rotation": 30,
                        "opacity": 0.5}]}


@pytest.mark.parametrize(("fmt", "pillow_format", "extension"), [("png", "PNG", "png"), ("jpeg", "JPEG", "jpg"),
                                                                 ("webp", "WEBP", "webp")])
def test_export_returns_the_full_resolution_image_as_a_download(compose_client, fmt, pillow_format, extension):
    client, _ = compose_client
    image_id = upload(client, png()).json["image"]["id"]
    answer = client.post("/compose/export", json={"scene": a_scene(image_id), "format": fmt, "filename": "Q3 / hero"})
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == f"attachment; filename=Q3-hero-1600x900.{extension}"
    exported = Image.open(io.BytesIO(answer.data))
    assert (exported.format, exported.size, exported.mode) == (pillow_format, (1600, 900), "RGB")


def test_export_also_takes_a_form_post(compose_client):
    client, _ = compose_client
    image_id = upload(client, png()).json["image"]["id"]
    answer = client.post("/compose/export", data={"scene": json.dumps(a_scene(image_id)), "format": "png"})
    assert answer.status_code == 200 and answer.mimetype == "image/png"


@pytest.mark.parametrize(("change", "status", "message"), [
    (lambda s: s.update(evil=1), 400, "evil: is not a known field"),
    (lambda s: s["layers"][0].update(opacity=3), 400, "layers.0.opacity"),
    (lambda s: s["canvas"].update(width=100_000), 400, "canvas width"),
    (lambda s: s["layers"][0].update(image_id="f" * 32), 404, "no longer stored"),
])
def test_export_refuses_a_bad_scene_and_renders_nothing(compose_client, change, status, message):
    client, _ = compose_client
    scene = a_scene(upload(client, png()).json["image"]["id"])
    change(scene)
    answer = client.post("/compose/export", json={"scene": scene, "format": "png"})
    assert answer.status_code == status and message in answer.json["error"]


def test_export_refuses_an_unknown_format(compose_client):
    client, _ = compose_client
    scene = a_scene(upload(client, png()).json["image"]["id"])
    answer = client.post("/compose/export", json={"scene": scene, "format": "gif"})
    assert answer.status_code == 400 and "format must be one of png, jpeg, webp" in answer.json["error"]


def test_a_text_is_served_as_the_drawing_the_export_uses(compose_client):
    from dash_app.compose.scene import text_spec_from_dict
    from dash_app.compose.text import draw_text

    client, _ = compose_client
    spec = {"content": "Привет, Zoë", "font": "Noto Serif", "size": 48, "box": "#111827", "color": "#ffffff"}
    answer = client.get("/compose/text", query_string={"spec": json.dumps(spec)})
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert "immutable" in answer.headers["Cache-Control"]
    served = Image.open(io.BytesIO(answer.data))
    assert served.tobytes() == draw_text(text_spec_from_dict(spec)).tobytes()


@pytest.mark.parametrize(("spec", "message"), [
    ("{", "bad text"),
    (json.dumps({"content": ""}), "the text is empty"),
    (json.dumps({"content": "Hi", "font": "../../etc/passwd"}), "is not shipped with the app"),
    (json.dumps({"content": "Hi", "size": 10**9}), "a font size is 6 to 1000 px"),
])
def test_a_bad_text_request_is_refused(compose_client, spec, message):
    client, _ = compose_client
    answer = client.get("/compose/text", query_string={"spec": spec})
    assert answer.status_code == 400 and message in answer.json["error"]
