"""Text layers: the fonts the app ships, the limits of a text, and its drawing with Pillow.

A text is drawn once, at canvas resolution (one canvas pixel per image pixel), into a transparent RGBA
image; the renderer then places that image like any other layer, so the preview (the same PNG scaled by
the browser) and the export come from one drawing. The fonts are vendored in ``dash_app/compose/fonts/``
with their licence files (Inter and Noto Serif: SIL Open Font License 1.1; DejaVu Sans Mono: the Bitstream
Vera licence); each has a regular and a bold face covering Latin, accented Latin and Cyrillic.

Every limit of a text is written here once; the scene's checks (dash_app/compose/scene.py) use them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS: dict[str, dict[int, str]] = {
    "Inter": {400: "Inter-Regular.otf", 700: "Inter-Bold.otf"},
    "Noto Serif": {400: "NotoSerif-Regular.ttf", 700: "NotoSerif-Bold.ttf"},
    "DejaVu Sans Mono": {400: "DejaVuSansMono.ttf", 700: "DejaVuSansMono-Bold.ttf"},
}
DEFAULT_FONT = "Inter"
WEIGHTS = {400: "Regular", 700: "Bold"}
ALIGNS = ("left", "center", "right")
MAX_CHARS = 2000  # a caption or a title, not a document
MAX_LINES = 100
MIN_SIZE, MAX_SIZE = 6, 1000  # font size, canvas px
MAX_PADDING = 1000  # box padding and corner radius, canvas px
MAX_SIDE = 8192  # the drawn text (with its box) may be at most this many canvas px a side
LINE_HEIGHT = 1.25  # line height, in font sizes
BLEED = 0.12  # transparent margin around a text without a box, in font sizes (glyphs overhang their advance)


class TextStyle(Protocol):
    """What drawing needs of a text layer's text (dash_app/compose/scene.py's TextSpec has these fields)."""

    content: str
    font: str
    size: int
    weight: int
    color: str
    align: str
    box: str | None
    padding: int
    radius: int


def _require(condition: bool, message: str) -> None:
    """ValueError with ``message`` (a sentence for the user) unless ``condition`` holds."""
    if not condition:
        raise ValueError(message)


def check_content(content: str) -> str:
    """The text, or ValueError saying why it cannot be drawn (empty, too long, too many lines)."""
    _require(bool(content.strip()), "the text is empty: type something, or delete the layer")
    _require(len(content) <= MAX_CHARS,
             f"the text has {len(content):,} characters; a text layer holds at most {MAX_CHARS:,}")
    lines = content.count("\n") + 1
    _require(lines <= MAX_LINES, f"the text has {lines} lines; a text layer holds at most {MAX_LINES}")
    return content


def check_font(name: str) -> str:
    _require(name in FONTS, f"the font {name[:60]!r} is not shipped with the app; choose {', '.join(FONTS)}")
    return name


def check_size(size: int) -> int:
    _require(MIN_SIZE <= size <= MAX_SIZE, f"a font size is {MIN_SIZE} to {MAX_SIZE} px, not {size}")
    return size


def check_weight(weight: int) -> int:
    allowed = f"{' or '.join(str(w) for w in WEIGHTS)} ({' or '.join(WEIGHTS.values())})"
    _require(weight in WEIGHTS, f"a weight is {allowed}, not {weight}")
    return weight


def check_spacing(value: int, what: str) -> int:
    _require(0 <= value <= MAX_PADDING, f"the box {what} is 0 to {MAX_PADDING} px, not {value}")
    return value


@lru_cache(maxsize=64)
def font(name: str, weight: int, size: int) -> ImageFont.FreeTypeFont:
    """A shipped font at ``size`` px (cached: opening a face costs more than laying out a caption)."""
    return ImageFont.truetype(str(FONT_DIR / FONTS[name][weight]), size)


def _lines(content: str) -> list[str]:
    return content.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _margin(spec: TextStyle) -> int:
    """Space around the lines: the box's padding, or a transparent bleed for overhanging glyphs."""
    return spec.padding if spec.box else math.ceil(spec.size * BLEED)


@lru_cache(maxsize=1024)
def _measure(content: str, name: str, weight: int, size: int, margin: int) -> tuple[int, int, tuple[float, ...]]:
    face = font(name, weight, size)
    widths = tuple(face.getlength(line) for line in _lines(content))
    line_height = round(size * LINE_HEIGHT)
    return math.ceil(max(widths)) + 2 * margin, line_height * len(widths) + 2 * margin, widths


def measure(spec: TextStyle) -> tuple[int, int]:
    """Size in canvas px of the drawn text with its box (or its bleed); cheap, and cached."""
    width, height, _ = _measure(spec.content, spec.font, spec.weight, spec.size, _margin(spec))
    return width, height


def check_fits(spec: TextStyle) -> None:
    """ValueError when the drawn text would be larger than MAX_SIDE a side."""
    width, height = measure(spec)
    if width > MAX_SIDE or height > MAX_SIDE:
        msg = (f"the text would be {width:,} × {height:,} px; at most {MAX_SIDE:,} px a side: "
               "use a smaller size, fewer characters a line or fewer lines")
        raise ValueError(msg)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _rounded_mask(size: tuple[int, int], radius: int) -> Image.Image:
    """An anti-aliased rounded rectangle filling ``size`` (coverage of each pixel by the exact shape)."""
    width, height = size
    mask = np.full((height, width), 255, dtype=np.uint8)
    radius = min(radius, width // 2, height // 2)
    if radius > 0:
        centres = np.arange(radius, dtype=np.float32) + 0.5  # pixel centres of a corner, from its outer edge
        dy, dx = np.meshgrid(radius - centres, radius - centres, indexing="ij")
        corner = np.clip(radius - np.hypot(dx, dy) + 0.5, 0.0, 1.0)
        corner = np.rint(corner * 255).astype(np.uint8)  # the top-left corner; the others are its mirrors
        mask[:radius, :radius] = corner
        mask[:radius, width - radius:] = corner[:, ::-1]
        mask[height - radius:, :radius] = corner[::-1, :]
        mask[height - radius:, width - radius:] = corner[::-1, ::-1]
    return Image.fromarray(mask, mode="L")


def draw_text(spec: TextStyle) -> Image.Image:
    """The text (and its box) as a transparent RGBA image of :func:`measure`'s size, in canvas px."""
    margin = _margin(spec)
    width, height, widths = _measure(spec.content, spec.font, spec.weight, spec.size, margin)
    face = font(spec.font, spec.weight, spec.size)
    ascent, descent = face.getmetrics()
    line_height = round(spec.size * LINE_HEIGHT)
    inner = width - 2 * margin
    ink = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(ink)
    for index, (line, line_width) in enumerate(zip(_lines(spec.content), widths, strict=True)):
        offset = {"left": 0.0, "center": (inner - line_width) / 2, "right": inner - line_width}[spec.align]
        top = margin + index * line_height + (line_height - ascent - descent) / 2
        draw.text((margin + offset, top), line, fill=255, font=face, anchor="la")
    text = Image.new("RGBA", (width, height), _rgb(spec.color))
    text.putalpha(ink)
    if not spec.box:
        return text
    box = Image.new("RGBA", (width, height), _rgb(spec.box))
    box.putalpha(_rounded_mask((width, height), spec.radius))
    return Image.alpha_composite(box, text)
