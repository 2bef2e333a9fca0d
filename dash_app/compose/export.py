"""Full-resolution export and the preview background: load the scene's images, render, encode.

Both go through :func:`dash_app.compose.render.render_scene` / ``render_background``, so what the
browser previews and what the user downloads come from one description of the scene.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from dash_app.compose.intake import load_image
from dash_app.compose.render import render_background, render_scene
from dash_app.compose.scene import Background, PhotoBackground, Scene

PREVIEW_BOX = (880, 620)  # CSS px the stage shows the canvas in on a wide screen
DENSITIES = (1, 2)  # device pixels per CSS pixel the preview background is served at
FORMATS = {
    "png": ("PNG", "image/png", {"compress_level": 6}),
    "jpeg": ("JPEG", "image/jpeg", {"quality": 92, "subsampling": 0}),
    "webp": ("WEBP", "image/webp", {"quality": 90}),
}


@dataclass(frozen=True)
class Encoded:
    data: bytes
    mimetype: str
    extension: str


class MissingImage(LookupError):
    """A scene names an image that is not stored (deleted, or an id from elsewhere)."""


def preview_scale(width: int, height: int) -> float:
    """Preview pixels per canvas pixel: the canvas fits PREVIEW_BOX and is never enlarged."""
    return min(1.0, PREVIEW_BOX[0] / width, PREVIEW_BOX[1] / height)


def preview_size(width: int, height: int) -> tuple[int, int]:
    """Pixel size of the preview background of a canvas."""
    scale = preview_scale(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def load_images(data_dir: Path, image_ids: set[str]) -> dict[str, Image.Image]:
    """Decode every stored image a scene uses; MissingImage names the first that is gone."""
    images = {}
    for image_id in sorted(image_ids):
        try:
            images[image_id] = load_image(data_dir, image_id)
        except FileNotFoundError:
            msg = f"the image {image_id} used by this composition is no longer stored"
            raise MissingImage(msg) from None
    return images


def preview_background(data_dir: Path, spec: Background, width: int, height: int, density: int = 1) -> Image.Image:
    """The background of a ``width`` x ``height`` canvas rendered directly at preview size (not downscaled).

    ``density`` 2 serves high-density screens (twice the pixels, never more than the canvas has).
    """
    if density not in DENSITIES:
        msg = f"density must be one of {DENSITIES}"
        raise ValueError(msg)
    scale = min(1.0, preview_scale(width, height) * density)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    photo = None
    if isinstance(spec, PhotoBackground):
        photo = load_images(data_dir, {spec.image_id})[spec.image_id]
    return render_background(spec, size, scale=scale, photo=photo)


def export_scene(data_dir: Path, scene: Scene, fmt: str) -> Encoded:
    """The scene rendered at full canvas resolution and encoded as ``fmt`` (png, jpeg or webp)."""
    if fmt not in FORMATS:
        msg = f"format must be one of {', '.join(FORMATS)}, not {fmt!r}"
        raise ValueError(msg)
    image = render_scene(scene, load_images(data_dir, scene.image_ids()))
    return encode(image, fmt)


def encode(image: Image.Image, fmt: str) -> Encoded:
    """Encode an opaque render; it is flattened to RGB (every background is opaque, JPEG has no alpha)."""
    pillow_format, mimetype, options = FORMATS[fmt]
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format=pillow_format, **options)
    return Encoded(buffer.getvalue(), mimetype, fmt if fmt != "jpeg" else "jpg")
