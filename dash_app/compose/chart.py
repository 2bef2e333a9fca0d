"""A chart of aggregated rows drawn by the server as a picture, at the pixel size the layer shows it.

matplotlib's Agg canvas draws without a display or a browser (the run artifacts of jobs/artifacts.py are
drawn the same way). Only the object API is used (a ``Figure`` on its own ``FigureCanvasAgg``, never
pyplot), so nothing global is touched and two requests may draw at once.

The figure keeps one design size (:data:`DESIGN_WIDTH` px wide at 100 dpi) and is drawn at the requested
size by raising its dpi: a chart twice as large has the same layout, twice as sharp. Text uses the app's
vendored Inter (dash_app/compose/fonts/), so labels in accented Latin or Cyrillic draw like text layers do.
The bars and line take the Data page's colour (callbacks/data_chart.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import lru_cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from PIL import Image

from dash_app.compose.text import FONT_DIR, FONTS

DESIGN_WIDTH = 960  # px at 100 dpi: the layout every chart is drawn from, whatever its pixel size
MIN_SIDE, MAX_SIDE = 160, 4096  # pixel sides a chart is drawn at (larger layers show it scaled)
INK, MUTED, GRID, BAR = "#1c2130", "#5b6275", "#e3e6ee", "#4f46e5"
MAX_LABEL = 24  # characters of a category shown under its bar


@lru_cache(maxsize=2)
def _font(weight: int) -> FontProperties:
    return FontProperties(fname=str(FONT_DIR / FONTS["Inter"][weight]))


def chart_size(width: float, height: float) -> tuple[int, int]:
    """The pixel size to draw a chart shown at ``width`` x ``height``: within MIN_SIDE..MAX_SIDE, same shape."""
    if not (width > 0 and height > 0):
        msg = f"a chart needs a positive size, not {width} x {height}"
        raise ValueError(msg)
    factor = min(1.0, MAX_SIDE / max(width, height))
    if min(width, height) * factor < MIN_SIDE:  # too small to read: drawn larger, shown scaled down
        factor = MIN_SIDE / min(width, height)
    return max(1, min(MAX_SIDE, round(width * factor))), max(1, min(MAX_SIDE, round(height * factor)))


def _label(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def draw_chart(xs: Sequence, ys: Sequence, *, title: str, x_label: str, y_label: str, dated: bool,
               size: tuple[int, int]) -> Image.Image:
    """A bar chart (categories) or a line chart (dates, in x order) as an opaque RGBA image of ``size``."""
    width, height = chart_size(*size)
    dpi = 100 * width / DESIGN_WIDTH
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor="#ffffff", layout="constrained")
    axes = figure.add_subplot()
    values = [float(y) if isinstance(y, (int, float)) else 0.0 for y in ys]
    positions = range(len(values))
    if dated:
        axes.plot(positions, values, color=BAR, linewidth=2, marker="o", markersize=4)
    else:
        axes.bar(positions, values, color=BAR, width=0.72)
    _ticks(axes, [_label(x) for x in xs])
    regular, bold = _font(400), _font(700)
    axes.set_title(title, fontproperties=bold, fontsize=15, color=INK, loc="left", pad=12)
    axes.set_xlabel(x_label, fontproperties=regular, fontsize=11, color=MUTED)
    axes.set_ylabel(y_label, fontproperties=regular, fontsize=11, color=MUTED)
    axes.grid(axis="y", color=GRID, linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#c9cedb")
    axes.tick_params(colors=MUTED, labelsize=10)
    for tick in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        tick.set_fontproperties(regular)
        tick.set_fontsize(10)
    if not values:
        axes.text(0.5, 0.5, "No rows to chart", transform=axes.transAxes, ha="center", va="center",
                  fontproperties=regular, fontsize=13, color=MUTED)
    canvas = FigureCanvasAgg(figure)
    with warnings.catch_warnings():  # a very flat chart has no room for its layout: drawn as it comes
        warnings.simplefilter("ignore", UserWarning)
        canvas.draw()
    drawn = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).copy()
    return drawn if drawn.size == (width, height) else drawn.resize((width, height), Image.Resampling.LANCZOS)


def _ticks(axes, labels: list[str]) -> None:
    """One tick per group when they fit, else about a dozen evenly spread; long or many labels turned."""
    count = len(labels)
    if not count:
        axes.set_xticks([])
        return
    step = max(1, -(-count // 12))
    shown = list(range(0, count, step))
    axes.set_xticks(shown, [labels[index] for index in shown])
    if len(shown) > 6 or max(len(labels[index]) for index in shown) > 8:
        for tick in axes.get_xticklabels():
            tick.set_rotation(35)
            tick.set_horizontalalignment("right")
    axes.set_xlim(-0.6, count - 0.4)
