"""Helpers shared by the Compose tests: image comparison in Pillow's style and hostile files."""

from __future__ import annotations

import struct
import zlib

import numpy as np
from PIL import Image


def mean_abs_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0..255, of two images of the same size."""
    assert a.size == b.size, f"sizes differ: {a.size} != {b.size}"
    first = np.asarray(a.convert("RGBA"), dtype=np.float64)
    second = np.asarray(b.convert("RGBA"), dtype=np.float64)
    return float(np.abs(first - second).mean())


def assert_image_similar(a: Image.Image, b: Image.Image, epsilon: float) -> None:
    """Like Pillow's test helper: the mean absolute difference per channel is at most ``epsilon``."""
    difference = mean_abs_difference(a, b)
    assert difference <= epsilon, f"average pixel value difference {difference:.4f} > epsilon {epsilon:.4f}"


def assert_image_equal(a: Image.Image, b: Image.Image) -> None:
    assert a.mode == b.mode and a.size == b.size
    assert a.tobytes() == b.tobytes(), "images differ"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bomb_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of ``width`` x ``height`` that compresses to almost nothing, streamed row by row."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")


def png_header_only(width: int, height: int) -> bytes:
    """The first bytes of a PNG that claims ``width`` x ``height``, with no pixel data at all."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))


def difference_box(image: Image.Image, reference: Image.Image, threshold: int = 24) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of the pixels that differ by more than ``threshold``."""
    first = np.asarray(image.convert("RGB"), dtype=np.int16)
    second = np.asarray(reference.convert("RGB"), dtype=np.int16)
    changed = np.abs(first - second).max(axis=2) > threshold
    rows, columns = np.where(changed.any(axis=1))[0], np.where(changed.any(axis=0))[0]
    if not len(rows):
        return None
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1
