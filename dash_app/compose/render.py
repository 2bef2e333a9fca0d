"""Pure Pillow rendering of a scene: the preview background and the export come from the same functions.

Images are converted to RGBA at the boundary. A layer is drawn with one affine transform from the
output pixel grid back into the (pre-shrunk) source image, so its centre lands on the exact fractional
position the browser uses for ``translate(-50%, -50%) rotate(θ)``; CSS ``rotate()`` turns clockwise on
screen, and so does this mapping. Rotating with ``Image.rotate(expand=True)`` and pasting at a whole
pixel would shift each layer by up to half a pixel; the affine mapping does not.

A hidden layer is not drawn. A cropped layer draws only its crop of the stored image (cut before the flips,
as the browser's clipping box shows it). A text layer is drawn by dash_app/compose/text.py at canvas
resolution and then placed exactly like an image, so the preview (that drawing, scaled by the browser)
and the export agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from dash_app.compose import text as text_drawing
from dash_app.compose.scene import (
    Background,
    Crop,
    Layer,
    LinearBackground,
    PatternBackground,
    PhotoBackground,
    RadialBackground,
    Scene,
    SolidBackground,
    TextLayer,
)

EDGE_PAD = 2  # transparent pixels around a layer so its edges are interpolated (anti-aliased) like the browser's
SHRINK = Image.Resampling.LANCZOS  # downscaling: what a browser's high-quality image scaling approximates
TRANSFORM = Image.Resampling.BICUBIC  # rotation and the sub-pixel rest of the scale


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def output_size(scene: Scene, scale: float) -> tuple[int, int]:
    """Pixel size of a render of ``scene`` at ``scale`` (at least 1x1)."""
    if not (0 < scale <= 1.0):
        msg = f"scale must be in (0, 1], not {scale}"
        raise ValueError(msg)
    w, h = scene.canvas.size
    return max(1, round(w * scale)), max(1, round(h * scale))


def render_background(
    spec: Background, size: tuple[int, int], *, scale: float = 1.0, photo: Image.Image | None = None
) -> Image.Image:
    """Render an opaque RGBA background of ``size``; ``scale`` is output pixels per canvas pixel (patterns)."""
    width, height = size
    if width < 1 or height < 1:
        msg = f"size must be positive, not {size}"
        raise ValueError(msg)
    if isinstance(spec, SolidBackground):
        return Image.new("RGBA", size, _rgb(spec.color))
    if isinstance(spec, LinearBackground):
        return _blend(spec.color_from, spec.color_to, _linear_ramp(size, spec.angle))
    if isinstance(spec, RadialBackground):
        return _blend(spec.color_from, spec.color_to, _radial_ramp(size))
    if isinstance(spec, PatternBackground):
        return _pattern(spec, size, scale)
    if isinstance(spec, PhotoBackground):
        if photo is None:
            msg = "a photo background needs its photo"
            raise ValueError(msg)
        return _photo(spec, size, photo)
    msg = f"unknown background {type(spec).__name__}"
    raise TypeError(msg)


def _blend(color_from: str, color_to: str, ramp: np.ndarray) -> Image.Image:
    """Mix two colours by a 0..255 ramp: Image.composite does the per-pixel arithmetic in C."""
    mask = Image.fromarray(ramp, mode="L")
    start = Image.new("RGBA", mask.size, _rgb(color_from))
    end = Image.new("RGBA", mask.size, _rgb(color_to))
    return Image.composite(end, start, mask)


def _linear_ramp(size: tuple[int, int], angle: float) -> np.ndarray:
    """0 at the starting corner to 255 at the far one along ``angle`` (like CSS linear-gradient corners).

    Computed in place in one float32 array: a 4K canvas needs 33 MB for it, not several times that.
    """
    width, height = size
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    span = abs(width * dx) + abs(height * dy)
    xs = ((np.arange(width, dtype=np.float32) + 0.5) - width / 2) * (255 * dx / span)
    ys = ((np.arange(height, dtype=np.float32) + 0.5) - height / 2) * (255 * dy / span) + 127.5
    ramp = np.add.outer(ys, xs)
    np.clip(ramp, 0.0, 255.0, out=ramp)
    np.rint(ramp, out=ramp)
    return ramp.astype(np.uint8)


def _radial_ramp(size: tuple[int, int]) -> np.ndarray:
    """0 at the centre to 255 at the corners (computed in place, like the linear ramp)."""
    width, height = size
    scale = 255 / math.hypot(width / 2, height / 2)
    xs = (((np.arange(width, dtype=np.float32) + 0.5) - width / 2) * scale) ** 2
    ys = (((np.arange(height, dtype=np.float32) + 0.5) - height / 2) * scale) ** 2
    ramp = np.add.outer(ys, xs)
    np.sqrt(ramp, out=ramp)
    np.clip(ramp, 0.0, 255.0, out=ramp)
    np.rint(ramp, out=ramp)
    return ramp.astype(np.uint8)


def _pattern(spec: PatternBackground, size: tuple[int, int], scale: float) -> Image.Image:
    image = Image.new("RGBA", size, _rgb(spec.color))
    draw = ImageDraw.Draw(image)
    step = spec.spacing * scale
    ink = _rgb(spec.ink)
    width, height = size
    columns = [i * step for i in range(1, int(width / step) + 1)]
    rows = [j * step for j in range(1, int(height / step) + 1)]
    if spec.kind == "grid":
        line = max(1, round(scale * 2))
        for x in columns:
            draw.line([(round(x), 0), (round(x), height)], fill=ink, width=line)
        for y in rows:
            draw.line([(0, round(y)), (width, round(y))], fill=ink, width=line)
        return image
    radius = max(0.75, scale * 2.5)
    for y in rows:
        for x in columns:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=ink)
    return image


def _photo(spec: PhotoBackground, size: tuple[int, int], photo: Image.Image) -> Image.Image:
    photo = photo.convert("RGBA")
    if spec.fit == "cover":
        return ImageOps.fit(photo, size, method=SHRINK)
    canvas = Image.new("RGBA", size, _rgb(spec.color))
    fitted = ImageOps.contain(photo, size, method=SHRINK)
    canvas.alpha_composite(fitted, ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2))
    return canvas


def render_scene(
    scene: Scene, images: Mapping[str, Image.Image], scale: float = 1.0, *, background: Image.Image | None = None
) -> Image.Image:
    """Render ``scene`` at ``scale`` (1.0 = full canvas resolution) as an opaque RGBA image.

    ``images`` maps every image id the scene uses to its stored image. ``background`` may pass an
    already rendered background of the output size (the preview route renders it once).
    """
    size = output_size(scene, scale)
    missing = sorted(scene.image_ids() - set(images))
    if missing:
        msg = f"images missing for the scene: {', '.join(missing)}"
        raise KeyError(msg)
    if background is None:
        photo = images.get(scene.background.image_id) if isinstance(scene.background, PhotoBackground) else None
        background = render_background(scene.background, size, scale=scale, photo=photo)
    elif background.size != size:
        msg = f"background is {background.size}, the render is {size}"
        raise ValueError(msg)
    canvas = background.convert("RGBA") if background.mode != "RGBA" else background.copy()
    for layer in scene.layers:
        if not layer.visible:
            continue
        if isinstance(layer, TextLayer):
            draw_layer(canvas, layer, text_drawing.draw_text(layer.text), scale)
        else:
            draw_layer(canvas, layer, cropped(images[layer.image_id], layer.crop), scale)
    return canvas


def cropped(image: Image.Image, crop: Crop | None) -> Image.Image:
    """The part of ``image`` the layer shows: its crop, kept within the image (the whole image without one)."""
    if crop is None:
        return image
    left, top = min(crop.x, image.width - 1), min(crop.y, image.height - 1)
    right, bottom = min(crop.x + crop.width, image.width), min(crop.y + crop.height, image.height)
    return image.crop((left, top, max(right, left + 1), max(bottom, top + 1)))


def draw_layer(canvas: Image.Image, layer: Layer | TextLayer, image: Image.Image, scale: float) -> None:
    """Composite one layer onto ``canvas`` in place (the part of it that falls on the canvas)."""
    source = image if image.mode == "RGBA" else image.convert("RGBA")
    if layer.flip_x:
        source = ImageOps.mirror(source)
    if layer.flip_y:
        source = ImageOps.flip(source)
    factor = layer.scale * scale  # source pixels -> output pixels
    target_w, target_h = source.width * factor, source.height * factor
    box = _clipped_box(layer, target_w, target_h, scale, canvas.size)
    if box is None or layer.opacity <= 0:
        return
    shrunk = _shrink(source, target_w, target_h)
    padded = ImageOps.expand(shrunk, border=EDGE_PAD, fill=(0, 0, 0, 0))
    left, top, right, bottom = box
    data = _inverse_affine(layer, scale, (left, top), (target_w, target_h), shrunk.size)
    patch = padded.transform((right - left, bottom - top), Image.Transform.AFFINE, data, resample=TRANSFORM)
    if layer.opacity < 1:
        alpha = patch.getchannel("A").point([round(v * layer.opacity) for v in range(256)])
        patch.putalpha(alpha)
    canvas.alpha_composite(patch, (left, top))


def _shrink(source: Image.Image, target_w: float, target_h: float) -> Image.Image:
    """Downscale with LANCZOS to about the drawn size; the transform then only rotates and fine-tunes."""
    size = (max(1, math.ceil(target_w)), max(1, math.ceil(target_h)))
    if size[0] >= source.width and size[1] >= source.height:
        return source  # enlarging: bicubic in the transform does it in one step
    return source.resize(size, SHRINK, reducing_gap=3.0)


def _clipped_box(layer: Layer, target_w: float, target_h: float, scale: float, canvas_size: tuple[int, int]):
    """Whole-pixel box of the rotated layer in output pixels, clipped to the canvas; None when off it."""
    theta = math.radians(layer.rotation)
    half_w = (abs(target_w * math.cos(theta)) + abs(target_h * math.sin(theta))) / 2 + EDGE_PAD
    half_h = (abs(target_w * math.sin(theta)) + abs(target_h * math.cos(theta))) / 2 + EDGE_PAD
    cx, cy = layer.x * scale, layer.y * scale
    left, top = max(0, math.floor(cx - half_w)), max(0, math.floor(cy - half_h))
    right, bottom = min(canvas_size[0], math.ceil(cx + half_w)), min(canvas_size[1], math.ceil(cy + half_h))
    if right <= left or bottom <= top:
        return None
    return left, top, right, bottom


def _inverse_affine(layer, scale, origin, target, shrunk_size) -> tuple[float, ...]:
    """Coefficients mapping a point of the output patch to the padded, shrunk source (Pillow's AFFINE data).

    Output point p -> offset from the layer centre d -> un-rotate (CSS rotate is clockwise with y down)
    -> source coordinates, scaled from the drawn size to the shrunk image's size.
    """
    theta = math.radians(layer.rotation)
    cos, sin = math.cos(theta), math.sin(theta)
    rx, ry = shrunk_size[0] / target[0], shrunk_size[1] / target[1]
    ox, oy = origin[0] - layer.x * scale, origin[1] - layer.y * scale
    half_w, half_h = shrunk_size[0] / 2 + EDGE_PAD, shrunk_size[1] / 2 + EDGE_PAD
    return (
        cos * rx, sin * rx, (cos * ox + sin * oy) * rx + half_w,
        -sin * ry, cos * ry, (-sin * ox + cos * oy) * ry + half_h,
    )
