"""A corpus of malformed, unusual and mutated PNG, JPEG and WebP files, generated (issue 13, item 5).

Every file is made here, from Pillow's encoders and from PNG, JPEG and WebP structures written by hand, so
the corpus needs nothing from outside and is the same on every run: the mutations come from a fixed seed.
``corpus()`` returns ``(name, bytes)`` pairs; tests/unit/test_image_corpus.py sends each through the upload
route.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Iterator

from PIL import Image

from tests.unit.compose_support import _chunk, bomb_png

SEED = 13
MUTANTS_PER_FILE = 24
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _saved(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _gradient(mode: str = "RGB", size: tuple[int, int] = (48, 32)) -> Image.Image:
    image = Image.linear_gradient("L").resize(size)
    rgb = Image.merge("RGB", (image, image.rotate(90).resize(size), image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    return rgb.convert(mode) if mode != "RGB" else rgb


def raw_png(width: int, height: int, depth: int, colour_type: int, rows: bytes | None = None,
            extra: list[tuple[bytes, bytes]] = ()) -> bytes:
    """A PNG written chunk by chunk: any bit depth and colour type, extra chunks before IDAT."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    if rows is None:
        stride = (width * channels * depth + 7) // 8
        rows = b"".join(b"\x00" + bytes((x * 7 + y * 13) % 256 for x in range(stride)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    chunks = [_chunk(b"IHDR", header), *(_chunk(kind, data) for kind, data in extra)]
    return PNG_SIGNATURE + b"".join(chunks) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def largest_png(width: int, height: int) -> bytes:
    """A valid RGBA PNG of ``width`` x ``height`` (all transparent) that compresses to almost nothing."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = bytes(1 + 4 * width)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A valid small JPEG whose frame header (SOF0) is rewritten to claim ``width`` x ``height``."""
    data = bytearray(_saved(_gradient(), "JPEG", quality=80))
    at = data.index(b"\xff\xc0") + 5  # marker, length (2), precision (1), then height and width
    data[at:at + 4] = struct.pack(">HH", height, width)
    return bytes(data)


def webp_claiming(width: int, height: int) -> bytes:
    """A WebP with an extended header (VP8X) claiming a ``width`` x ``height`` canvas around a tiny image."""
    inner = _saved(_gradient("RGBA", (8, 8)), "WEBP", lossless=True)
    bitstream = inner[12:]
    flags = b"\x10\x00\x00\x00"  # alpha
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + struct.pack("<I", 10) + flags + canvas
    body = b"WEBP" + vp8x + bitstream
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _with_bad_crc(png: bytes, kind: bytes) -> bytes:
    at = png.index(kind)
    length = struct.unpack(">I", png[at - 4:at])[0]
    crc_at = at + 4 + length
    return png[:crc_at] + bytes(byte ^ 0xFF for byte in png[crc_at:crc_at + 4]) + png[crc_at + 4:]


def _exif_jpeg(orientation_blob: bytes) -> bytes:
    data = _saved(_gradient(), "JPEG")
    app1 = b"Exif\x00\x00" + orientation_blob
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]


def valid_files() -> list[tuple[str, bytes]]:
    """Well-formed files of every kind the product accepts, the seeds of the mutations too."""
    frames = [_gradient("RGBA").rotate(angle) for angle in (0, 90, 180)]
    palette = _gradient().convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    palette.info["transparency"] = 0
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees
    return [
        ("png-rgb", _saved(_gradient(), "PNG")),
        ("png-rgba", _saved(_gradient("RGBA"), "PNG")),
        ("png-palette-transparency", _saved(palette, "PNG")),
        ("png-grey-alpha", _saved(_gradient("LA"), "PNG")),
        ("png-1-bit", _saved(_gradient("1"), "PNG")),
        ("png-16-bit-grey", _saved(_gradient("L").convert("I;16"), "PNG")),
        ("png-16-bit-rgb", raw_png(40, 30, 16, 2)),
        ("png-16-bit-rgba", raw_png(40, 30, 16, 6)),
        ("png-animated", _saved(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100, loop=0)),
        ("jpeg-rgb", _saved(_gradient(), "JPEG", quality=85)),
        ("jpeg-progressive", _saved(_gradient(), "JPEG", progressive=True)),
        ("jpeg-grey", _saved(_gradient("L"), "JPEG")),
        ("jpeg-cmyk", _saved(_gradient("CMYK"), "JPEG")),
        ("jpeg-exif-rotated", _saved(_gradient(), "JPEG", exif=exif)),
        ("webp-lossy", _saved(_gradient(), "WEBP", quality=80)),
        ("webp-lossless-alpha", _saved(_gradient("RGBA"), "WEBP", lossless=True)),
        ("webp-animated", _saved(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)),
    ]


def crafted_files() -> list[tuple[str, bytes]]:
    """Files broken on purpose, each in one way."""
    png = _saved(_gradient(), "PNG")
    jpeg = _saved(_gradient(), "JPEG")
    webp = _saved(_gradient(), "WEBP")
    zip_bomb_text = zlib.compress(b"\x00" * 50_000_000, 9)  # 50 MB of text inflated from about 50 kB
    return [
        ("empty", b""),
        ("png-signature-only", PNG_SIGNATURE),
        ("png-truncated-header", png[:20]),
        ("png-truncated-half", png[:len(png) // 2]),
        ("png-truncated-last-byte", png[:-1]),
        ("png-no-iend", png[:png.index(b"IEND") - 4]),
        ("png-bad-ihdr-crc", _with_bad_crc(png, b"IHDR")),
        ("png-bad-idat-crc", _with_bad_crc(png, b"IDAT")),
        ("png-zero-width", raw_png(0, 10, 8, 2, rows=b"")),
        ("png-zero-height", raw_png(10, 0, 8, 2, rows=b"")),
        ("png-huge-dimensions", raw_png(100_000, 100_000, 8, 6, rows=b"\x00")),
        ("png-max-dimensions", raw_png(2**31 - 1, 2**31 - 1, 8, 2, rows=b"\x00")),
        ("png-bomb-30000", bomb_png(30_000, 30_000)),
        ("png-one-row-40-million", bomb_png(40_000_000, 1)),
        ("png-one-column-100-thousand", bomb_png(1, 100_000)),
        ("png-longest-side", bomb_png(65_535, 700)),
        ("png-rgba-largest-accepted", largest_png(7_000, 7_000)),  # 49,000,000 pixels: just under the limit
        ("png-bad-colour-type", raw_png(10, 10, 8, 2, extra=[])[:24] + b"\x07" + raw_png(10, 10, 8, 2)[25:]),
        ("png-palette-without-plte", raw_png(10, 10, 8, 3)),
        ("png-ztxt-bomb", raw_png(20, 20, 8, 2, extra=[(b"zTXt", b"comment\x00\x00" + zip_bomb_text)])),
        ("png-iccp-bomb", raw_png(20, 20, 8, 2, extra=[(b"iCCP", b"icc\x00\x00" + zip_bomb_text)])),
        ("png-idat-too-short", raw_png(200, 200, 8, 2, rows=b"\x00" * 100)),
        ("png-apng-bad-frame", _saved(_gradient(), "PNG")[:33] + _chunk(b"acTL", struct.pack(">II", 2**31, 0))
         + _saved(_gradient(), "PNG")[33:]),
        ("jpeg-soi-only", b"\xff\xd8\xff"),
        ("jpeg-truncated-half", jpeg[:len(jpeg) // 2]),
        ("jpeg-no-eoi", jpeg[:-2]),
        ("jpeg-huge-dimensions", jpeg_claiming(65_500, 65_500)),
        ("jpeg-zero-dimensions", jpeg_claiming(0, 0)),
        ("jpeg-wide-under-limit", jpeg_claiming(65_500, 700)),
        ("jpeg-garbage-exif", _exif_jpeg(b"MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(range(256)))),
        ("jpeg-exif-loop", _exif_jpeg(b"II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x08\x00")),
        ("webp-riff-only", b"RIFF\x00\x00\x00\x00WEBP"),
        ("webp-truncated-half", webp[:len(webp) // 2]),
        ("webp-wrong-riff-size", webp[:4] + struct.pack("<I", 2**32 - 1) + webp[8:]),
        ("webp-huge-canvas", webp_claiming(16_384, 16_384)),
        ("webp-canvas-under-limit", webp_claiming(7_000, 7_000)),
    ]


def mutants(name: str, data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    """Seeded random damage to a valid file: flipped bytes, cut and repeated spans, scrambled headers."""
    for number in range(MUTANTS_PER_FILE):
        mutated = bytearray(data)
        kind = number % 4
        if kind == 0:  # a few bytes anywhere past the signature
            for _ in range(rng.randint(1, 8)):
                mutated[rng.randrange(8, len(mutated))] = rng.randrange(256)
        elif kind == 1:  # a span cut out
            start = rng.randrange(8, len(mutated))
            del mutated[start:start + rng.randint(1, 64)]
        elif kind == 2:  # a span repeated
            start = rng.randrange(8, len(mutated))
            mutated[start:start] = mutated[start:start + rng.randint(1, 256)] * rng.randint(1, 4)
        else:  # the header area scrambled (dimensions, depth, chunk lengths)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(8, min(len(mutated), 64))] = rng.choice((0x00, 0x7F, 0x80, 0xFF))
        yield f"{name}-mutant-{number:02d}", bytes(mutated)


def corpus() -> list[tuple[str, bytes]]:
    """The whole corpus: valid files, crafted ones, then the seeded mutants of each valid file."""
    rng = random.Random(SEED)
    valid = valid_files()
    mutated = [item for name, data in valid for item in mutants(name, data, rng)]
    return [*valid, *crafted_files(), *mutated]
