"""Every file of a generated corpus of malformed PNG, JPEG and WebP (tests/unit/image_corpus.py) goes through
the real upload route: each is refused with a message or accepted cleanly, never a 5xx, and the server keeps
working after all of them (issue 13, item 5; SECURITY.md "5. Images").

The server's peak memory for each upload is measured (Linux: the process's peak resident size, reset before
each upload) and the worst case is printed, not asserted: it depends on the machine's allocator.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from dash_app import create_app
from dash_app.compose.intake import DISPLAY_SIDE
from dash_app.settings import load_settings
from tests.unit.image_corpus import corpus, crafted_files, valid_files

STATUS = Path("/proc/self/status")
REFUSED = {  # crafted files that must be refused, and a word the message has
    "empty": "empty", "png-signature-only": "damaged", "png-truncated-header": "damaged",
    "png-truncated-half": "damaged", "png-no-iend": "damaged", "png-bad-ihdr-crc": "damaged",
    "png-bad-idat-crc": "damaged", "png-zero-width": "damaged", "png-zero-height": "damaged",
    "png-huge-dimensions": "the limit is 50,000,000 pixels", "png-max-dimensions": "the limit is 50,000,000 pixels",
    "png-bomb-30000": "900,000,000 pixels", "png-one-row-40-million": "a side may be at most 65,535 pixels",
    "png-one-column-100-thousand": "a side may be at most 65,535 pixels", "png-ztxt-bomb": "damaged",
    "png-iccp-bomb": "damaged", "png-idat-too-short": "damaged", "jpeg-soi-only": "damaged",
    "jpeg-truncated-half": "damaged", "jpeg-huge-dimensions": "the limit is 50,000,000 pixels",
    "jpeg-zero-dimensions": "damaged", "webp-riff-only": "damaged", "webp-truncated-half": "damaged",
    "webp-wrong-riff-size": "damaged", "webp-huge-canvas": "268,435,456 pixels",
}
ACCEPTED = {name for name, _ in valid_files()} | {"png-rgba-largest-accepted", "png-longest-side"}


def _kilobytes(field: str) -> int | None:
    try:
        match = re.search(rf"^{field}:\s+(\d+) kB", STATUS.read_text(), re.M)
    except OSError:
        return None
    return int(match.group(1)) if match else None


def _reset_peak() -> bool:
    """Reset the process's peak resident size (Linux 4.0+); False where it cannot be."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def upload(client, data: bytes, name: str):
    return client.post("/compose/upload", data={"file": (io.BytesIO(data), f"{name}.bin")},
                       headers={"X-Compose-Upload": "1"})


@pytest.fixture
def server(tmp_path):
    """The standalone app with the default limits; only the upload rate is raised to let the corpus through."""
    settings = load_settings(data_dir=tmp_path / "data", uploads_per_minute=10_000)
    return create_app(settings).server.test_client(), settings


def test_every_file_is_refused_with_a_message_or_accepted_cleanly_and_the_server_keeps_working(server, capsys):
    client, settings = server
    files = corpus()
    assert {name for name, _ in crafted_files()} >= set(REFUSED)
    outcomes: dict[str, str] = {}
    worst = (0, "", 0, 0)
    measured = _reset_peak()
    for name, data in files:
        before = _kilobytes("VmRSS") if measured and _reset_peak() else None
        answer = upload(client, data, name)
        peak = _kilobytes("VmHWM")
        if before is not None and peak is not None and peak - before > worst[0]:
            worst = (peak - before, name, len(data), before)
        assert answer.status_code in (200, 400, 413), (name, answer.status_code, answer.data[:300])
        if answer.status_code == 200:
            _assert_stored_cleanly(client, name, answer.json["image"])
            outcomes[name] = "accepted"
        else:
            message = answer.json["error"]
            assert message and "Traceback" not in message and len(message) < 200, (name, message)
            outcomes[name] = message
    for name, word in REFUSED.items():
        assert word in outcomes[name], (name, outcomes[name])
    for name in ACCEPTED:
        assert outcomes[name] == "accepted", (name, outcomes[name])
    images = settings.data_dir / "compose" / "images"
    stored = [path for path in images.iterdir() if not path.name.endswith(".display.png")]
    assert len(stored) == list(outcomes.values()).count("accepted"), "a refused file left nothing behind"
    assert not [path for path in images.iterdir() if path.suffix == ".partial"]

    after = upload(client, valid_files()[0][1], "after-the-corpus")
    assert after.status_code == 200, "the server keeps working"
    assert client.get(f"/compose/image?id={after.json['image']['id']}").status_code == 200

    refused = sum(1 for outcome in outcomes.values() if outcome != "accepted")
    with capsys.disabled():
        print(f"\nimage corpus: {len(files)} files, {len(files) - refused} accepted, {refused} refused with a message,"
              " no 5xx")
        if worst[1]:
            print(f"image corpus: peak server memory of the worst case: {worst[0] / 1024:.0f} MB above the"
                  f" {worst[3] / 1024:.0f} MB before it ({worst[1]}, {worst[2]:,} bytes uploaded)")
        else:
            print("image corpus: peak memory not measured (no /proc/self/clear_refs on this system)")


def _assert_stored_cleanly(client, name: str, image: dict) -> None:
    assert image["width"] > 0 and image["height"] > 0, name
    shown = client.get(f"/compose/image?id={image['id']}")
    assert shown.status_code == 200, name
    with Image.open(io.BytesIO(shown.data)) as picture:
        assert picture.format == "PNG" and picture.mode in ("RGB", "RGBA"), name
        assert max(picture.size) <= max(DISPLAY_SIDE, 1), name
