"""Uploads are checked before they are decoded, stored under new ids, and every bad file is refused clearly."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageFile

from dash_app.compose import intake
from tests.unit.compose_support import bomb_png, png_header_only

LIMITS = {"max_bytes": 2 * 1024 * 1024, "max_pixels": 4_000_000}


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded (Image.open alone reads only the header)."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def accept(data: bytes, tmp_path, **limits):
    return intake.accept_image(data, data_dir=tmp_path, **(LIMITS | limits))


def test_a_png_with_transparency_is_stored_as_rgba_under_a_new_id(tmp_path):
    image = Image.new("RGBA", (30, 20), (255, 0, 0, 128))
    stored = accept(encoded(image, "PNG"), tmp_path)
    assert re.fullmatch(r"[0-9a-f]{32}", stored.id)
    assert (stored.width, stored.height, stored.has_alpha) == (30, 20, True)
    files = [path.name for path in intake.images_dir(tmp_path).iterdir()]
    assert files == [f"{stored.id}.png"], "stored under the generated id only"
    assert intake.load_image(tmp_path, stored.id).getpixel((0, 0)) == (255, 0, 0, 128)


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "RGB"), ("WEBP", "RGB"), ("WEBP", "RGBA")])
def test_jpeg_and_webp_are_accepted(tmp_path, fmt, mode):
    colour = (0, 0, 255, 128) if mode == "RGBA" else (0, 0, 255)
    stored = accept(encoded(Image.new(mode, (40, 30), colour), fmt, lossless=True) if fmt == "WEBP"
                    else encoded(Image.new(mode, (40, 30), colour), fmt), tmp_path)
    assert (stored.width, stored.height, stored.has_alpha) == (40, 30, mode == "RGBA")


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (60, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 10, 20))  # blue on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    stored = accept(encoded(image, "JPEG", exif=exif, quality=95), tmp_path)
    assert (stored.width, stored.height) == (20, 60)
    upright = intake.load_image(tmp_path, stored.id)
    assert upright.getpixel((10, 3))[2] > 200, "the left edge is now at the top"


def test_a_large_image_gets_a_smaller_copy_for_the_browser(tmp_path):
    stored = accept(encoded(Image.new("RGB", (2500, 1000), "green"), "PNG"), tmp_path)
    display = intake.image_path(tmp_path, stored.id, display=True)
    assert display.name == f"{stored.id}.display.png"
    assert Image.open(display).size == (2048, 819)
    assert intake.image_size(tmp_path, stored.id) == (2500, 1000), "the export uses the full image"


@pytest.mark.parametrize(("data", "message"), [
    (b"hello, this is a text file named photo.png\n", "not an image"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG images are not supported"),
    (b"  <svg width='10' height='10'></svg>", "SVG images are not supported"),
    (b"GIF89a" + bytes(100), "GIF images are not supported"),
    (b"", "empty"),
])
def test_files_that_are_not_png_jpeg_or_webp_are_refused(tmp_path, no_decoding, data, message):
    with pytest.raises(intake.ImageRejected, match=message):
        accept(data, tmp_path)
    assert not intake.images_dir(tmp_path).exists()


def other_format(fmt: str) -> bytes:
    """A small real file of a format Pillow writes, or the first bytes of one it does not."""
    if fmt == "PSD":
        return b"8BPS\x00\x01" + bytes(6) + b"\x00\x03" + (20).to_bytes(4, "big") * 2 + b"\x00\x08\x00\x03" + bytes(64)
    if fmt == "AVIF":
        return (28).to_bytes(4, "big") + b"ftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(64)
    if fmt == "HEIC":
        return (24).to_bytes(4, "big") + b"ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    return encoded(Image.new("RGB", (20, 20), "red"), fmt)


@pytest.mark.parametrize("fmt", ["ICO", "GIF", "BMP", "TIFF", "PSD", "AVIF", "HEIC"])
def test_other_image_formats_are_named_and_refused_without_decoding(tmp_path, no_decoding, fmt):
    with pytest.raises(intake.ImageRejected) as refused:
        accept(other_format(fmt), tmp_path)
    assert str(refused.value) == f"{fmt} images are not supported: upload a PNG, JPEG or WebP file"
    assert not intake.images_dir(tmp_path).exists()


@pytest.mark.parametrize("text", [b"BM notes about the car\n" + bytes(40), b"\x00\x00\x00\x18ftypisom" + bytes(40),
                                  b"GIF is pronounced with a hard g\n"])
def test_files_that_only_start_like_an_image_format_are_not_called_images(tmp_path, text):
    with pytest.raises(intake.ImageRejected, match="this file is not an image"):
        accept(text, tmp_path)


def test_a_truncated_png_is_refused_as_damaged(tmp_path):
    whole = encoded(Image.effect_noise((200, 200), 64).convert("RGB"), "PNG")
    with pytest.raises(intake.ImageRejected, match="damaged"):
        accept(whole[: len(whole) // 2], tmp_path)


def test_a_png_with_a_bad_checksum_is_refused(tmp_path):
    whole = bytearray(encoded(Image.new("RGB", (20, 20), "red"), "PNG"))
    whole[-20] ^= 0xFF  # inside the IDAT chunk
    with pytest.raises(intake.ImageRejected, match="damaged"):
        accept(bytes(whole), tmp_path)


def test_a_30000_by_30000_png_bomb_is_refused_without_decoding(tmp_path, no_decoding):
    bomb = bomb_png(30_000, 30_000)
    assert len(bomb) < 200_000, "tiny on disk, 900 million pixels when decoded"
    with pytest.raises(intake.ImageRejected, match="900,000,000 pixels"):
        accept(bomb, tmp_path, max_pixels=50_000_000)


def test_a_header_that_claims_more_pixels_than_the_limit_is_refused_before_decoding(tmp_path, no_decoding):
    with pytest.raises(intake.ImageRejected, match="3,000 x 2,000 pixels; the limit is 4,000,000 pixels"):
        accept(png_header_only(3000, 2000), tmp_path)


def test_the_settings_limit_beats_pillows_own_bomb_limit(tmp_path, no_decoding):
    with pytest.raises(intake.ImageRejected, match="pixels"):
        accept(bomb_png(20_000, 20_000), tmp_path, max_pixels=500_000_000)


def test_a_file_over_the_byte_limit_is_refused_first(tmp_path, no_decoding):
    with pytest.raises(intake.ImageRejected, match=r"too large \(3.0 MB\); the limit is 2 MB"):
        accept(b"\x89PNG\r\n\x1a\n" + bytes(3 * 1024 * 1024), tmp_path)


@pytest.mark.parametrize("image_id", ["../../etc/passwd", "0123456789ABCDEF0123456789ABCDEF", "abc", "", None,
                                      "0123456789abcdef0123456789abcdef/../x"])
def test_only_generated_ids_name_files(tmp_path, image_id):
    with pytest.raises(ValueError, match="not an image id"):
        intake.image_path(tmp_path, image_id)
