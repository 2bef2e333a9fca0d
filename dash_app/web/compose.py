"""Flask routes of the Compose page: upload, stored images, preview background, export.

Registered by ``init_app`` before it snapshots its endpoints, so the host's login guards them. Ids
and specs from the browser are validated by the domain modules before any file is touched. At request
time the routes take settings and the Compose storage from the app's workbench (dash_app/workbench.py),
which acts for the signed-in user: an upload is recorded as theirs, and another user's image is refused
with 404 wherever an id names it (image, background, export).
"""

from __future__ import annotations

import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import PurePosixPath

from flask import Flask, Response, jsonify, request, send_file
from werkzeug.exceptions import RequestEntityTooLarge

from dash_app.auth import current_identity
from dash_app.compose import export, intake, quota
from dash_app.compose.scene import (
    SceneError,
    background_from_dict,
    scene_from_dict,
    scene_from_json,
    text_spec_from_dict,
)
from dash_app.compose.text import draw_text
from dash_app.exports import TooManyExports
from dash_app.settings import Settings
from dash_app.workbench import get_workbench

UPLOAD_HEADER = "X-Compose-Upload"
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and headers around a file at exactly the limit
PRIVATE_FOREVER = "private, max-age=31536000, immutable"  # ids and specs name content that never changes
_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _display_name(filename: str | None) -> str:
    """The file's own name as a label for the layer panel (never used as a path)."""
    return PurePosixPath((filename or "").replace("\\", "/")).name[:120]


def _error(message: str, status: int = 400) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def register(server: Flask, settings: Settings) -> None:
    """Add the Compose page's routes to ``server`` under ``settings.url_prefix``."""
    base = f"{settings.url_prefix}compose/"
    # Full-resolution exports run one at a time on one thread: a 4K render holds a few hundred MB while it
    # works, so N simultaneous exports would need N times that, and allocating on one thread lets the next
    # export reuse the memory of the last instead of growing one malloc arena per server thread.
    renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compose-export")
    server.add_url_rule(f"{base}upload", "compose_upload", upload, methods=["POST"])
    server.add_url_rule(f"{base}image", "compose_image", image, methods=["GET"])
    server.add_url_rule(f"{base}background", "compose_background", background, methods=["GET"])
    server.add_url_rule(f"{base}text", "compose_text", text_image, methods=["GET"])
    server.add_url_rule(f"{base}export", "compose_export", partial(export_view, renderer), methods=["GET", "POST"])


def upload() -> Response:
    """Store one uploaded image (PNG, JPEG or WebP) after checking it; its id, size and name as JSON."""
    workbench = get_workbench()
    limit = workbench.settings.max_upload_bytes
    if request.headers.get(UPLOAD_HEADER) != "1":  # a cross-site form cannot set it (CSRF defence)
        return _error("uploads come from the Compose page", 403)
    # The app-wide limit (MAX_CONTENT_LENGTH) is the file limit itself; multipart adds a little.
    request.max_content_length = limit + MULTIPART_OVERHEAD
    try:
        file = request.files.get("file")
    except RequestEntityTooLarge:
        size = request.content_length or 0
        megabytes = workbench.settings.max_upload_mb
        return _error(f"the file is too large ({size / 1048576:.1f} MB); the limit is {megabytes} MB", 413)
    if file is None:
        return _error("no file was sent")
    data = file.read(limit + 1)
    try:
        stored = workbench.compose.accept_image(data, max_bytes=limit,
                                                max_pixels=workbench.settings.max_image_pixels)
    except quota.UploadLimitReached as error:
        return _error(str(error), 429)
    except intake.ImageRejected as error:
        return _error(str(error), 413 if len(data) > limit else 400)
    return jsonify(image={"id": stored.id, "width": stored.width, "height": stored.height,
                          "name": _display_name(file.filename)})


def image() -> Response:
    """A stored image (the display copy unless ``variant`` says otherwise)."""
    display = request.args.get("variant", "display") == "display"
    try:
        path = get_workbench().compose.image_path(request.args.get("id", ""), display=display)
    except ValueError:
        return _error("not an image id", 404)
    except export.MissingImage as error:  # another user's image: refused as if it were not there
        return _error(str(error), 404)
    if not path.is_file():
        return _error("no such image", 404)
    response = send_file(path, mimetype="image/png", conditional=True)
    response.headers["Cache-Control"] = PRIVATE_FOREVER
    return response


def background() -> Response:
    """The preview background of a spec and canvas size, rendered at preview size."""
    workbench = get_workbench()
    try:
        spec = background_from_dict(json.loads(request.args.get("spec", "")))
        width, height = int(request.args["w"]), int(request.args["h"])
        scene_from_dict({"canvas": {"width": width, "height": height}, "background": spec.model_dump()},
                        max_side=workbench.settings.max_canvas_side)
        density = int(request.args.get("density", "1"))
        picture = workbench.compose.preview_background(spec, width, height, density)
    except (ValueError, KeyError) as error:  # bad JSON, bad spec, bad size: the browser sent garbage
        return _error(f"bad background: {error}")
    except export.MissingImage as error:
        return _error(str(error), 404)
    buffer = io.BytesIO()
    picture.convert("RGB").save(buffer, format="PNG", compress_level=1)
    response = Response(buffer.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = PRIVATE_FOREVER
    return response


def text_image() -> Response:
    """A text layer's drawing at canvas resolution (what the export draws), for the stage to show scaled."""
    try:
        spec = text_spec_from_dict(json.loads(request.args.get("spec", "")))
    except (ValueError, SceneError) as error:  # bad JSON or a text the rules refuse
        return _error(f"bad text: {error}")
    buffer = io.BytesIO()
    draw_text(spec).save(buffer, format="PNG", compress_level=1)
    response = Response(buffer.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = PRIVATE_FOREVER
    return response


def export_view(renderer: ThreadPoolExecutor) -> Response:
    """The posted scene rendered at full resolution on ``renderer``, as a download."""
    workbench = get_workbench()
    max_side = workbench.settings.max_canvas_side
    fields = request.get_json(silent=True) if request.is_json else request.values
    fields = fields if isinstance(fields, dict) or hasattr(fields, "get") else {}
    fmt = str(fields.get("format", "png")).lower()
    raw = fields.get("scene", "")
    try:
        scene = (scene_from_dict(raw, max_side=max_side) if isinstance(raw, dict)
                 else scene_from_json(raw or "", max_side=max_side))
        give_back = workbench.exports.take(current_identity().id)  # one of the user's export slots
        try:
            encoded = renderer.submit(workbench.compose.export_scene, scene, fmt).result()
        finally:
            give_back()
    except TooManyExports as error:
        return _error(str(error), 429)
    except SceneError as error:
        return _error(f"the composition is not valid: {error}")
    except export.MissingImage as error:
        return _error(str(error), 404)
    except ValueError as error:  # an unknown format
        return _error(str(error))
    name = _FILENAME.sub("-", str(fields.get("filename", "")))[:60].strip(".-") or "composition"
    filename = f"{name}-{scene.canvas.width}x{scene.canvas.height}.{encoded.extension}"
    return send_file(io.BytesIO(encoded.data), mimetype=encoded.mimetype, as_attachment=True,
                     download_name=filename, max_age=0)
