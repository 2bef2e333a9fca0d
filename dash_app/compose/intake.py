"""Accept an uploaded image only after checking it: size, real type, pixel count, integrity.

Order matters: the byte size is checked first, then the type is sniffed from the bytes (never from the
name or the browser's content type), then the dimensions are read from the header (``Image.open`` is
lazy) and refused above the limit BEFORE any pixel is decoded; only then is the image verified and
decoded. The accepted image is stored as PNG under a new uuid4 id, never under the browser's name.
"""

from __future__ import annotations

import io
import os
import re
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from dash_app.compose.scene import IMAGE_ID_PATTERN

DISPLAY_SIDE = 2048  # the browser gets a copy at most this big; the export always uses the full image
# The longest side an upload may have, whatever its pixel count: JPEG's own maximum (WebP's is 16,383). Only a
# PNG can claim more, and a 1 x 40,000,000 strip within the pixel limit takes Pillow half a minute to decode
# row by row (tests/unit/test_image_corpus.py) while no composition could show it.
MAX_SIDE = 65_535
SIGNATURES = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",)}
_IMAGE_ID = re.compile(IMAGE_ID_PATTERN)
# Pillow errors a broken file can raise while opening or decoding (it has no single base class for them).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, Image.DecompressionBombError)


class ImageRejected(ValueError):
    """An upload that is not accepted; the message is for the user."""


@dataclass(frozen=True)
class StoredImage:
    """An accepted image: its new id and its size after EXIF orientation."""

    id: str
    width: int
    height: int
    has_alpha: bool


def images_dir(data_dir: Path) -> Path:
    """Where stored images live."""
    return data_dir / "compose" / "images"


def sniff(head: bytes) -> str:
    """The image format named by the first bytes; ImageRejected naming what it is otherwise."""
    for name, signatures in SIGNATURES.items():
        if head.startswith(signatures):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    other = other_image_format(head)
    if other:
        msg = f"{other} images are not supported: upload a PNG, JPEG or WebP file"
        raise ImageRejected(msg)
    msg = "this file is not an image: upload a PNG, JPEG or WebP file"
    raise ImageRejected(msg)


# Formats refused by name, recognised from their first bytes only (nothing is parsed or decoded).
OTHER_SIGNATURES = (
    ("GIF", (b"GIF87a", b"GIF89a")),
    ("TIFF", (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")),
    ("ICO", (b"\x00\x00\x01\x00",)),
    ("CUR", (b"\x00\x00\x02\x00",)),
    ("PSD", (b"8BPS",)),
    ("JPEG 2000", (b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")),
    ("JPEG XL", (b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")),
    ("QOI", (b"qoif",)),
    ("DDS", (b"DDS ",)),
    ("OpenEXR", (b"\x76\x2f\x31\x01",)),
)
BMP_HEADER_SIZES = (12, 16, 40, 52, 56, 64, 108, 124)  # BITMAPCOREHEADER .. BITMAPV5HEADER
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


def other_image_format(head: bytes) -> str | None:
    """The name of a known image format other than PNG, JPEG and WebP that ``head`` starts, or None."""
    for name, signatures in OTHER_SIGNATURES:
        if head.startswith(signatures):
            return name
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in BMP_HEADER_SIZES:
        return "BMP"
    if head[4:8] == b"ftyp":  # ISO base media file: the major and compatible brands say which
        box = head[8:max(16, min(int.from_bytes(head[:4], "big"), 256))]
        if b"avif" in box or b"avis" in box:
            return "AVIF"
        if any(brand in box for brand in HEIF_BRANDS):
            return "HEIC"
    text = head[:512].lstrip().lower()
    if text.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in text:
        return "SVG"
    return None


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file larger than the upload limit."""
    if size > max_bytes:
        msg = f"the file is too large ({size / 1048576:.1f} MB); the limit is {max_bytes / 1048576:.0f} MB"
        raise ImageRejected(msg)
    if size == 0:
        msg = "the file is empty"
        raise ImageRejected(msg)


def open_checked(data: bytes, *, max_pixels: int) -> Image.Image:
    """Open, check dimensions from the header, verify, then decode; ImageRejected for anything wrong."""
    kind = sniff(data[:1024])
    width, height = _header_size(data, kind, max_pixels)
    if width * height > max_pixels:
        raise ImageRejected(_too_many_pixels(width, height, max_pixels))
    if max(width, height) > MAX_SIDE:
        msg = f"the image is {width:,} x {height:,} pixels; a side may be at most {MAX_SIDE:,} pixels"
        raise ImageRejected(msg)
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as probe:
            probe.verify()  # checks chunk CRCs and structure without decoding pixels
        image = Image.open(io.BytesIO(data), formats=[kind])
        image.load()
    except Image.DecompressionBombError:
        raise ImageRejected(_too_many_pixels(width, height, max_pixels)) from None
    except _DECODE_ERRORS:  # a broken or truncated file: Pillow has no single error type for these
        msg = f"the file is damaged or incomplete and cannot be read as {kind}"
        raise ImageRejected(msg) from None
    return image


def _header_size(data: bytes, kind: str, max_pixels: int) -> tuple[int, int]:
    """Width and height from the header only (Image.open reads no pixels)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit decides below
            with Image.open(io.BytesIO(data), formats=[kind]) as header:
                return header.size
    except Image.DecompressionBombError as error:
        size = _size_from_message(str(error))
        raise ImageRejected(_too_many_pixels(*size, max_pixels) if size else "the image has too many pixels") from None
    except _DECODE_ERRORS:  # not even a readable header
        msg = f"the file is damaged and cannot be read as {kind}"
        raise ImageRejected(msg) from None


def _size_from_message(text: str) -> tuple[int, int] | None:
    match = re.search(r"Image size \((\d+) pixels\)", text)
    return (int(match.group(1)), 1) if match else None


def _too_many_pixels(width: int, height: int, max_pixels: int) -> str:
    shown = f"{width:,} x {height:,} pixels" if height > 1 else f"{width:,} pixels"
    return f"the image is {shown}; the limit is {max_pixels:,} pixels"


def normalised(image: Image.Image) -> Image.Image:
    """First frame, EXIF orientation applied, as RGBA when it has transparency and RGB otherwise.

    Copies only where something changes (a turn, another mode): a copy of a 50-megapixel RGBA image is 200 MB,
    and the peak memory of an upload is printed by tests/unit/test_image_corpus.py.
    """
    image.seek(0)
    ImageOps.exif_transpose(image, in_place=True)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    wanted = "RGBA" if has_alpha else "RGB"
    return image if image.mode == wanted else image.convert(wanted)


def accept_image(data: bytes, *, data_dir: Path, max_bytes: int, max_pixels: int,
                 owner: str | None = None) -> StoredImage:
    """Check an upload and store it as ``owner``'s (a stable user id); ImageRejected with a message for the user."""
    check_size(len(data), max_bytes)
    decoded = open_checked(data, max_pixels=max_pixels)
    try:
        image = normalised(decoded)
    except _DECODE_ERRORS:  # malformed EXIF or palette data surfaces only here
        msg = "the file's metadata is damaged and it cannot be read"
        raise ImageRejected(msg) from None
    return store_image(image, data_dir=data_dir, owner=owner)


def store_image(image: Image.Image, *, data_dir: Path, owner: str | None = None) -> StoredImage:
    """Store a checked (or server-drawn) RGB or RGBA image as ``owner``'s under a new id, with its display copy."""
    image_id = uuid.uuid4().hex
    folder = images_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if owner is not None:  # written first: the image is never there without its owner
        set_owner(data_dir, image_id, owner)
    _write_png(image, folder / f"{image_id}.png")
    if max(image.size) > DISPLAY_SIDE:  # resized straight from the image, as thumbnail() would, without a copy
        scale = DISPLAY_SIDE / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        display = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        _write_png(display, folder / f"{image_id}.display.png")
    return StoredImage(image_id, image.width, image.height, image.mode == "RGBA")


def _write_png(image: Image.Image, path: Path) -> None:
    """Write atomically: a reader never sees half a file."""
    partial = path.with_suffix(".partial")
    image.save(partial, format="PNG", compress_level=3)
    os.replace(partial, path)


def image_path(data_dir: Path, image_id: str, *, display: bool = False) -> Path:
    """Path of a stored image; ValueError for anything but a generated id (no path from outside)."""
    if not isinstance(image_id, str) or not _IMAGE_ID.fullmatch(image_id):
        msg = "not an image id"
        raise ValueError(msg)
    folder = images_dir(data_dir)
    if display and (folder / f"{image_id}.display.png").is_file():
        return folder / f"{image_id}.display.png"
    return folder / f"{image_id}.png"


def owner_path(data_dir: Path, image_id: str) -> Path:
    """The file that names an image's owner (ValueError for anything but a generated id)."""
    return image_path(data_dir, image_id).with_suffix(".owner")


def set_owner(data_dir: Path, image_id: str, owner: str) -> None:
    """Record ``owner`` (a stable user id) as the owner of an image, atomically."""
    path = owner_path(data_dir, image_id)
    partial = path.with_suffix(".owner-partial")
    partial.write_text(owner, encoding="utf-8")
    os.replace(partial, path)


def image_owner(data_dir: Path, image_id: str) -> str | None:
    """The owner of an image, or None when none was recorded (standalone, or uploaded before owners were kept)."""
    try:
        return owner_path(data_dir, image_id).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def load_image(data_dir: Path, image_id: str) -> Image.Image:
    """A stored image, decoded, as RGBA (FileNotFoundError when there is none)."""
    with Image.open(image_path(data_dir, image_id), formats=["PNG"]) as image:
        return image.convert("RGBA")


def image_size(data_dir: Path, image_id: str) -> tuple[int, int]:
    """Size of a stored image from its header."""
    with Image.open(image_path(data_dir, image_id), formats=["PNG"]) as image:
        return image.size
