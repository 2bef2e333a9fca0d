"""Compose benchmark: export a 3840x2160 scene (six image layers, two cropped image layers, three text layers
and a chart layer) through the app's real HTTP path, against a bare Pillow pipeline for the same scene in the
same run; the preview background against the full-resolution render; and the server process's peak memory
during exports.

Run from the repository root: ``.venv/bin/python benchmarks/compose.py``. The last line is one JSON object.
Targets: export_vs_pillow <= 1.2, preview_vs_full <= 0.3.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests
from PIL import Image, ImageDraw, ImageFont, ImageOps

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from dash_app.compose.chart import draw_chart  # noqa: E402
from dash_app.compose.export import preview_background  # noqa: E402
from dash_app.compose.render import render_background  # noqa: E402
from dash_app.compose.scene import background_from_dict  # noqa: E402
from dash_app.compose.text import FONT_DIR, FONTS  # noqa: E402

DATA = REPO_ROOT / "benchmarks" / ".data" / "compose"
RUNS = 7
WIDTH, HEIGHT = 3840, 2160
BACKGROUND = {"kind": "linear", "color_from": "#0f172a", "color_to": "#f472b6", "angle": 30.0}
# (source size, centre x, centre y, scale, rotation, opacity, flip_x): scaled, rotated, semi-transparent
PLACEMENTS = [
    ((1600, 1200), 1100, 1000, 1.2, -8, 1.0, False),
    ((1200, 800), 2700, 700, 0.9, 17, 0.85, True),
    ((800, 800), 2900, 1600, 0.8, 45, 0.7, False),
    ((1024, 512), 800, 1750, 1.1, -25, 0.9, False),
    ((600, 900), 1900, 1200, 1.5, 80, 0.6, True),
    ((1400, 700), 2000, 400, 0.75, 160, 0.8, False),
]
# (source index, crop (x, y, width, height) in source px, centre x, centre y, scale, rotation, opacity, flip_x)
CROPPED = [
    (0, (200, 150, 900, 700), 3300, 1850, 0.7, 12, 1.0, False),
    (3, (0, 0, 512, 512), 500, 500, 1.3, -15, 0.9, True),
]
# (text spec, centre x, centre y, rotation, opacity): a boxed title, a Cyrillic serif subtitle, a mono caption
TEXTS = [
    ({"content": "Quarterly results\nRésultats trimestriels", "size": 160, "weight": 700, "color": "#ffffff",
      "align": "center", "box": "#0f172a", "padding": 48, "radius": 36}, 1920, 420, 0.0, 1.0),
    ({"content": "Отчёт о продажах — 2025", "font": "Noto Serif", "size": 96, "color": "#fdf2f8",
      "align": "left"}, 1500, 1900, -4.0, 1.0),
    ({"content": "export_vs_pillow <= 1.2", "font": "DejaVu Sans Mono", "size": 64, "color": "#e0e7ff",
      "align": "right"}, 3100, 2050, 0.0, 0.85),
]

# A chart layer as "From the app" adds it (dash_app/compose/sources.py): drawn by the server once, stored like an
# upload, remembered with its source; the export draws it as an image, and so does the Pillow baseline.
CHART_SOURCE = {"kind": "data_chart", "database": "demo", "table": "order_lines", "x": "product_id",
                "aggregate": "sum", "y": "line_total"}
CHART = ((2304, 1728), 2950, 1150, 0.6, 6.0, 0.95)  # (drawn size, centre x, centre y, scale, rotation, opacity)


def make_chart(folder: Path) -> Path:
    """The chart layer's picture, drawn by the app's chart renderer at the size a 4K canvas asks for."""
    size, *_rest = CHART
    groups = [f"product {index}" for index in range(1, 25)]
    picture = draw_chart(groups, [1000 + 137 * (index % 7) * index for index in range(24)],
                         title="sum of line_total by product_id", x_label="product_id", y_label="sum of line_total",
                         dated=False, size=size)
    path = folder / "chart.png"
    picture.save(path)
    return path


def make_sources(folder: Path) -> list[Path]:
    """Six PNGs with transparency and some texture (noise), like product shots and logos."""
    paths = []
    for index, (size, *_rest) in enumerate(PLACEMENTS):
        image = Image.new("RGBA", size, (0, 0, 0, 0))
        texture = Image.effect_noise(size, 40).convert("RGBA")
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).rounded_rectangle([10, 10, size[0] - 10, size[1] - 10], radius=min(size) // 6, fill=255)
        tint = Image.new("RGBA", size, ((70 * index) % 255, 120, 255 - 30 * index, 255))
        image.paste(Image.blend(tint, texture, 0.25), (0, 0), mask)
        path = folder / f"source-{index}.png"
        image.save(path)
        paths.append(path)
    return paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(data_dir),
               "--demo-rows", "1000"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            requests.get(url, timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the app did not start")


def build_scene(image_ids: list[str], chart_id: str) -> dict:
    layers = []
    for index, ((_size, x, y, scale, rotation, opacity, flip), image_id) in enumerate(zip(PLACEMENTS, image_ids)):
        layers.append({"id": f"{index:08x}", "image_id": image_id, "x": x, "y": y, "scale": scale,
                       "rotation": rotation, "opacity": opacity, "flip_x": flip})
    for index, (source, (cx, cy, cw, ch), x, y, scale, rotation, opacity, flip) in enumerate(CROPPED):
        layers.append({"id": f"c{index:07x}", "image_id": image_ids[source], "x": x, "y": y, "scale": scale,
                       "rotation": rotation, "opacity": opacity, "flip_x": flip,
                       "crop": {"x": cx, "y": cy, "width": cw, "height": ch}})
    for index, (spec, x, y, rotation, opacity) in enumerate(TEXTS):
        layers.append({"id": f"d{index:07x}", "kind": "text", "text": spec, "x": x, "y": y, "rotation": rotation,
                       "opacity": opacity})
    _size, x, y, scale, rotation, opacity = CHART
    layers.append({"id": "e0000000", "image_id": chart_id, "x": x, "y": y, "scale": scale, "rotation": rotation,
                   "opacity": opacity, "flip_x": False, "source": CHART_SOURCE})
    return {"canvas": {"width": WIDTH, "height": HEIGHT}, "background": BACKGROUND, "layers": layers}


def plain_text(spec: dict) -> Image.Image:
    """A text written plainly with Pillow: measure, an optional rounded box, multiline text on top."""
    path = FONT_DIR / FONTS[spec.get("font", "Inter")][spec.get("weight", 400)]
    font = ImageFont.truetype(str(path), spec["size"])
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    box = measure.multiline_textbbox((0, 0), spec["content"], font=font, align=spec["align"])
    left, top, right, bottom = math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]), math.ceil(box[3])
    pad = spec.get("padding", 24) if spec.get("box") else spec["size"] // 8
    image = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if spec.get("box"):
        draw.rounded_rectangle([0, 0, image.width - 1, image.height - 1], spec.get("radius", 16), fill=spec["box"])
    draw.multiline_text((pad - left, pad - top), spec["content"], font=font, fill=spec["color"], align=spec["align"])
    return image


def bare_pillow(scene: dict, paths: dict[str, Path]) -> bytes:
    """The same scene written plainly with Pillow: gradient, then resize, rotate, fade and paste each layer."""
    side = math.ceil(math.hypot(WIDTH, HEIGHT))  # a square that still covers the canvas once turned
    ramp = Image.linear_gradient("L").rotate(90).resize((side, side))  # left to right
    ramp = ramp.rotate(-BACKGROUND["angle"], resample=Image.Resampling.BILINEAR)
    left, top = (side - WIDTH) // 2, (side - HEIGHT) // 2
    ramp = ramp.crop((left, top, left + WIDTH, top + HEIGHT))
    canvas = Image.composite(Image.new("RGBA", (WIDTH, HEIGHT), BACKGROUND["color_to"]),
                             Image.new("RGBA", (WIDTH, HEIGHT), BACKGROUND["color_from"]), ramp)
    for layer in scene["layers"]:
        if layer.get("kind") == "text":
            image = plain_text(layer["text"])
        else:
            image = Image.open(paths[layer["image_id"]]).convert("RGBA")
            if "crop" in layer:
                crop = layer["crop"]
                image = image.crop((crop["x"], crop["y"], crop["x"] + crop["width"], crop["y"] + crop["height"]))
            if layer["flip_x"]:
                image = ImageOps.mirror(image)
            size = (round(image.width * layer["scale"]), round(image.height * layer["scale"]))
            image = image.resize(size, Image.Resampling.LANCZOS)
        image = image.rotate(-layer["rotation"], resample=Image.Resampling.BICUBIC, expand=True)
        if layer["opacity"] < 1:
            image.putalpha(image.getchannel("A").point([round(v * layer["opacity"]) for v in range(256)]))
        canvas.alpha_composite(image, (round(layer["x"] - image.width / 2), round(layer["y"] - image.height / 2)))
    buffer = io.BytesIO()
    canvas.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


class PeakMemory:
    """Sample a process's resident memory every few milliseconds while a block runs."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self._running = False

    def __enter__(self):
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.003)

    def __exit__(self, *exc):
        self._running = False
        self._thread.join()


def timed(function, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    shutil.rmtree(DATA, ignore_errors=True)
    (DATA / "sources").mkdir(parents=True)
    sources = make_sources(DATA / "sources")
    chart = make_chart(DATA / "sources")
    process, url = start_app(DATA / "app")
    session = requests.Session()
    try:
        image_ids = []
        for path in [*sources, chart]:
            answer = session.post(url + "compose/upload", files={"file": (path.name, path.read_bytes(), "image/png")},
                                  headers={"X-Compose-Upload": "1"})
            answer.raise_for_status()
            image_ids.append(answer.json()["image"]["id"])
        stored = {image_id: DATA / "app" / "compose" / "images" / f"{image_id}.png" for image_id in image_ids}
        scene = build_scene(image_ids[:-1], image_ids[-1])

        def export() -> bytes:
            answer = session.post(url + "compose/export", json={"scene": scene, "format": "png"})
            answer.raise_for_status()
            return answer.content

        export(), bare_pillow(scene, stored)  # warm both up (imports, numpy, file cache)
        idle_mb = psutil.Process(process.pid).memory_info().rss / 2**20
        export_times, pillow_times, peak = [], [], 0
        for _ in range(RUNS):  # alternated, so both see the same load on a shared machine
            with PeakMemory(process.pid) as memory:  # sampling only while the server exports
                export_s, exported = timed(export, 1)
            peak = max(peak, memory.peak)
            export_times.append(export_s)
            pillow_s, bare = timed(lambda: bare_pillow(scene, stored), 1)
            pillow_times.append(pillow_s)
        export_s, pillow_s = statistics.median(export_times), statistics.median(pillow_times)
        peak_mb = peak / 2**20
        size = Image.open(io.BytesIO(exported)).size

        spec = background_from_dict(BACKGROUND)
        full_s, _ = timed(lambda: render_background(spec, (WIDTH, HEIGHT)))
        preview_s, preview = timed(lambda: preview_background(DATA / "app", spec, WIDTH, HEIGHT))
        route_s, _ = timed(lambda: session.get(url + "compose/background", params={
            "spec": json.dumps(BACKGROUND), "w": WIDTH, "h": HEIGHT}).content)
    finally:
        process.terminate()
        process.wait(timeout=15)

    export_ratio, preview_ratio = export_s / pillow_s, preview_s / full_s
    print(f"scene: {WIDTH}x{HEIGHT}, {len(PLACEMENTS)} image layers (scaled, rotated, semi-transparent), "
          f"{len(CROPPED)} cropped image layers, {len(TEXTS)} text layers, 1 chart layer, linear gradient")
    print(f"export over HTTP (POST compose/export, PNG {size[0]}x{size[1]}, {len(exported) / 2**20:.1f} MB): "
          f"{export_s * 1000:.0f} ms median of {RUNS}")
    print(f"bare Pillow pipeline, same scene, same PNG encoding ({len(bare) / 2**20:.1f} MB): "
          f"{pillow_s * 1000:.0f} ms median of {RUNS}")
    print(f"export_vs_pillow: {export_ratio:.2f} (target <= 1.2)")
    print(f"background at full resolution: {full_s * 1000:.1f} ms; preview background {preview.size[0]}x"
          f"{preview.size[1]}: {preview_s * 1000:.1f} ms (preview route over HTTP, PNG: {route_s * 1000:.1f} ms)")
    print(f"preview_vs_full: {preview_ratio:.3f} (target <= 0.3)")
    print(f"server process memory: {idle_mb:.0f} MB idle, {peak_mb:.0f} MB peak during exports "
          f"(+{peak_mb - idle_mb:.0f} MB)")
    layers = scene["layers"]
    print(json.dumps({"benchmark": "compose", "export_vs_pillow": round(export_ratio, 3),
                      "preview_vs_full": round(preview_ratio, 3), "export_peak_mb": round(peak_mb, 1),
                      "image_layers": sum(layer.get("kind", "image") == "image" and "source" not in layer
                                          for layer in layers),
                      "text_layers": sum(layer.get("kind") == "text" for layer in layers),
                      "cropped_layers": sum("crop" in layer for layer in layers),
                      "chart_layers": sum(layer.get("source", {}).get("kind") == "data_chart" for layer in layers)}))


if __name__ == "__main__":
    main()
