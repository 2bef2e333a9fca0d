"""The scene: canvas, background and layers, as frozen pydantic models that refuse anything unexpected.

A scene arrives from the browser, so every field is checked strictly (no coercion, no unknown fields,
ranges enforced) before anything is rendered. The canvas limit comes from the settings through the
validation context (``{"max_side": n}``); without one the hard ceiling of the settings applies.

Coordinates are canvas pixels; a layer's ``x``/``y`` is its centre. Layers are listed bottom first:
their order in ``layers`` is their stacking order. A layer is an image (``kind`` "image", the default, so
compositions saved before text layers existed still open) or a text (``kind`` "text"); either can be
hidden (not drawn in the preview nor the export) or locked (not moved, turned, scaled, cropped or deleted).
An image layer drawn from the app itself (a Training run's artifact, a chart of a Data table) remembers where
it came from in ``source``, so the page can draw it again from there (dash_app/compose/sources.py); the
image it shows is stored like an upload, so the renderer draws it as any image layer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dash_app.compose import text as text_rules

HARD_MAX_SIDE = 16384  # the largest max_canvas_side the settings allow
MIN_CANVAS_SIDE = 16
HARD_MAX_IMAGE_SIDE = 100_000  # no stored image is larger (intake limits the pixels); a crop stays within it
MAX_LAYERS = 60
MIN_SCALE, MAX_SCALE = 0.01, 50.0
IMAGE_ID_PATTERN = r"^[0-9a-f]{32}$"
LAYER_ID_PATTERN = r"^[0-9a-f]{8,32}$"
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
ARTIFACT_PICTURE_PATTERN = r"^[a-z][a-z0-9_]{0,60}\.png$"  # a run's picture (dash_app/runs/artifacts.py names)
CHART_AGGREGATES = ("count", "sum", "mean", "min", "max")  # dash_app/data/charts.py AGGREGATES
CHART_BUCKETS = ("day", "week", "month", "quarter", "year")  # dash_app/data/charts.py BUCKETS

Color = Annotated[str, Field(pattern=COLOR_PATTERN, description="#rrggbb")]
ImageId = Annotated[str, Field(pattern=IMAGE_ID_PATTERN)]
Angle = Annotated[float, Field(ge=-360, le=360, allow_inf_nan=False)]


class SceneError(ValueError):
    """A scene that cannot be accepted; the message says which field is wrong and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Canvas(_Strict):
    width: int
    height: int

    @field_validator("width", "height")
    @classmethod
    def _within_limit(cls, value: int, info: ValidationInfo) -> int:
        """The sides' range, with the limit this server is configured with (the one the page shows)."""
        limit = min((info.context or {}).get("max_side", HARD_MAX_SIDE), HARD_MAX_SIDE)
        if value < MIN_CANVAS_SIDE:
            msg = f"{value} px is smaller than the minimum of {MIN_CANVAS_SIDE} px"
            raise ValueError(msg)
        if value > limit:
            msg = f"{value} px is larger than the limit of {limit} px"
            raise ValueError(msg)
        return value

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


class SolidBackground(_Strict):
    kind: Literal["solid"]
    color: Color


class LinearBackground(_Strict):
    """Gradient from ``color_from`` to ``color_to`` along ``angle`` (0 = left to right, 90 = top to bottom)."""

    kind: Literal["linear"]
    color_from: Color
    color_to: Color
    angle: Angle = 0.0


class RadialBackground(_Strict):
    """Gradient from ``color_from`` at the centre to ``color_to`` at the corners."""

    kind: Literal["radial"]
    color_from: Color
    color_to: Color


class PatternBackground(_Strict):
    """A subtle grid of lines or of dots every ``spacing`` canvas pixels on ``color``."""

    kind: Literal["grid", "dots"]
    color: Color
    ink: Color
    spacing: int = Field(ge=8, le=1024)


class PhotoBackground(_Strict):
    """An uploaded photo covering the canvas (cropped) or contained in it (on ``color``)."""

    kind: Literal["photo"]
    image_id: ImageId
    fit: Literal["cover", "contain"] = "cover"
    color: Color = "#000000"


BackgroundSpec = SolidBackground | LinearBackground | RadialBackground | PatternBackground | PhotoBackground
Background = Annotated[BackgroundSpec, Field(discriminator="kind")]


class Crop(_Strict):
    """The part of the stored image a layer shows, in the image's own pixels (the image itself is kept)."""

    x: int = Field(ge=0, le=HARD_MAX_IMAGE_SIDE)
    y: int = Field(ge=0, le=HARD_MAX_IMAGE_SIDE)
    width: int = Field(le=HARD_MAX_IMAGE_SIDE)
    height: int = Field(le=HARD_MAX_IMAGE_SIDE)

    @field_validator("width", "height")
    @classmethod
    def _not_empty(cls, value: int) -> int:
        if value < 1:
            msg = "the crop is empty: its width and height are at least 1 px"
            raise ValueError(msg)
        return value

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom), as Pillow's ``crop`` takes it."""
        return self.x, self.y, self.x + self.width, self.y + self.height


class RunArtifactSource(_Strict):
    """A picture a finished Training run left behind (curves, confusion matrix, predictions...)."""

    kind: Literal["run_artifact"]
    run_id: int = Field(ge=1, le=2**53)
    name: str = Field(pattern=ARTIFACT_PICTURE_PATTERN)


class DataChartSource(_Strict):
    """A chart of a Data table, as the Data page's Chart tab draws it: rows grouped by ``x``, ``y`` aggregated.

    Only the names are checked here; whether the database, table and columns still exist is checked
    when the chart is drawn (dash_app/compose/sources.py).
    """

    kind: Literal["data_chart"]
    database: str = Field(min_length=1, max_length=120)
    table: str = Field(min_length=1, max_length=200)
    x: str = Field(min_length=1, max_length=200)
    aggregate: Literal[CHART_AGGREGATES] = "count"
    y: str | None = Field(None, min_length=1, max_length=200)
    bucket: Literal[CHART_BUCKETS] | None = None

    @model_validator(mode="after")
    def _y_when_needed(self) -> DataChartSource:
        if self.aggregate != "count" and self.y is None:
            msg = f"y: the {self.aggregate} of which column? Only count needs none"
            raise ValueError(msg)
        if self.aggregate == "count" and self.y is not None:
            msg = "y: a count of rows takes no column"
            raise ValueError(msg)
        return self


Source = Annotated[RunArtifactSource | DataChartSource, Field(discriminator="kind")]


class _Placed(_Strict):
    """What every layer has: where it is, how it is turned and faded, and whether it is shown or locked."""

    id: str = Field(pattern=LAYER_ID_PATTERN)
    name: str = Field("", max_length=120)
    x: float = Field(allow_inf_nan=False)
    y: float = Field(allow_inf_nan=False)
    rotation: Angle = 0.0
    opacity: float = Field(1.0, ge=0.0, le=1.0, allow_inf_nan=False)
    visible: bool = True
    locked: bool = False


class Layer(_Placed):
    """One placed image: centre in canvas pixels, uniform scale of the stored image, clockwise degrees."""

    kind: Literal["image"] = "image"
    image_id: ImageId
    scale: float = Field(1.0, ge=MIN_SCALE, le=MAX_SCALE, allow_inf_nan=False)
    flip_x: bool = False
    flip_y: bool = False
    crop: Crop | None = None
    source: Source | None = None  # where the image came from, when the app drew it (refreshable)


class TextSpec(_Strict):
    """What a text layer draws: the limits and their messages are in dash_app/compose/text.py."""

    content: str
    font: str = text_rules.DEFAULT_FONT
    size: int = 96
    weight: int = 400
    color: Color = "#111827"
    align: Literal["left", "center", "right"] = "center"
    box: Color | None = None  # a background box of this colour, or none
    padding: int = 24
    radius: int = 16

    @field_validator("content", "font", "size", "weight", "padding", "radius")
    @classmethod
    def _within_limits(cls, value: Any, info: ValidationInfo) -> Any:
        checks = {"content": text_rules.check_content, "font": text_rules.check_font, "size": text_rules.check_size,
                  "weight": text_rules.check_weight}
        if info.field_name in checks:
            return checks[info.field_name](value)
        return text_rules.check_spacing(value, info.field_name)

    @model_validator(mode="after")
    def _fits(self) -> TextSpec:
        text_rules.check_fits(self)
        return self


class TextLayer(_Placed):
    """A text drawn by the server (dash_app/compose/text.py), placed like an image at its natural size."""

    kind: Literal["text"]
    text: TextSpec

    scale: ClassVar[float] = 1.0  # a text is resized by its font size, never stretched
    flip_x: ClassVar[bool] = False
    flip_y: ClassVar[bool] = False
    crop: ClassVar[None] = None


def _layer_kind(value: Any) -> str:
    """The layer's kind: "image" when it says none (compositions saved before text layers existed)."""
    kind = value.get("kind", "image") if isinstance(value, dict) else getattr(value, "kind", "image")
    return kind if kind in ("image", "text") else "unknown"


AnyLayer = Annotated[Annotated[Layer, Tag("image")] | Annotated[TextLayer, Tag("text")],
                     Discriminator(_layer_kind, custom_error_type="layer_kind",
                                   custom_error_message="kind must be 'image' or 'text'")]


class Scene(_Strict):
    version: Literal[1] = 1
    canvas: Canvas
    background: Background
    layers: tuple[AnyLayer, ...] = Field((), max_length=MAX_LAYERS, strict=False)  # JSON has lists, not tuples

    @model_validator(mode="after")
    def _layers_fit(self) -> Scene:
        """Refuse duplicate layer ids and centres more than one canvas away (nothing could show)."""
        ids = [layer.id for layer in self.layers]
        if len(ids) != len(set(ids)):
            msg = "layers: two layers have the same id"
            raise ValueError(msg)
        w, h = self.canvas.size
        for index, layer in enumerate(self.layers):
            if not (-w <= layer.x <= 2 * w and -h <= layer.y <= 2 * h):
                msg = f"layers.{index}: centre ({layer.x:g}, {layer.y:g}) is too far outside the {w}x{h} canvas"
                raise ValueError(msg)
        return self

    def layer(self, layer_id: str) -> Layer | TextLayer | None:
        """The layer with this id, or None."""
        return next((layer for layer in self.layers if layer.id == layer_id), None)

    def image_ids(self) -> set[str]:
        """Every stored image the scene uses (layers and a photo background)."""
        used = {layer.image_id for layer in self.layers if isinstance(layer, Layer)}
        if isinstance(self.background, PhotoBackground):
            used.add(self.background.image_id)
        return used


def _describe(error: ValidationError) -> str:
    """One readable line per problem: where in the scene, and what is wrong."""
    problems = []
    for item in error.errors(include_url=False):
        loc = item["loc"]
        where = ".".join(str(part) for index, part in enumerate(loc)
                         if not (index and _is_union_tag(part) and _is_union_owner(loc[index - 1]))) or "scene"
        if loc[:1] == ("canvas",):  # the fields the page shows as the canvas's width and height
            where = " ".join(str(part) for part in loc)
        reason = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "is not a known field"
        problems.append(f"{where}: {reason}")
    return "; ".join(problems)


def _is_union_tag(part: Any) -> bool:
    return part in {"solid", "linear", "radial", "grid", "dots", "photo", "image", "text", "run_artifact",
                    "data_chart"}


def _is_union_owner(part: Any) -> bool:
    """A background, a source, or a layer (its index), is where pydantic names which kind it tried."""
    return part in ("background", "source") or isinstance(part, int)


def scene_from_dict(data: Any, *, max_side: int = HARD_MAX_SIDE) -> Scene:
    """Validate a decoded scene; raise SceneError naming each bad field."""
    try:
        return Scene.model_validate(data, context={"max_side": max_side})
    except ValidationError as error:
        raise SceneError(_describe(error)) from None


def scene_from_json(text: str | bytes, *, max_side: int = HARD_MAX_SIDE) -> Scene:
    """Parse and validate a scene sent as JSON."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON at all: say so rather than show a parser trace
        msg = "the scene is not valid JSON"
        raise SceneError(msg) from None
    return scene_from_dict(data, max_side=max_side)


def scene_to_dict(scene: Scene) -> dict[str, Any]:
    """The scene as plain JSON-ready data (what the browser keeps in its store)."""
    return scene.model_dump(mode="json")


def scene_to_json(scene: Scene) -> str:
    """The scene as compact JSON."""
    return scene.model_dump_json()


def text_spec_from_dict(data: Any) -> TextSpec:
    """Validate a text layer's text on its own (the text route, and edits from the panel).

    The rules' own messages (dash_app/compose/text.py) say what is wrong in words; the others are
    prefixed with the field they concern.
    """
    try:
        return TextSpec.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            reason = str(item["msg"]).removeprefix("Value error, ")
            field = ".".join(str(part) for part in item["loc"])
            problems.append(reason if item["type"] == "value_error" or not field else f"{field}: {reason}")
        raise SceneError("; ".join(problems)) from None


def source_from_dict(data: Any) -> RunArtifactSource | DataChartSource:
    """Validate a layer's source on its own (what the page's form asks to add)."""
    return _alone(_SourceOnly, "source", data)


class _SourceOnly(_Strict):
    source: Source


def background_from_dict(data: Any) -> BackgroundSpec:
    """Validate a background spec on its own (the preview route receives only this)."""
    return _alone(_BackgroundOnly, "background", data)


def _alone(holder: type[_Strict], field: str, data: Any) -> Any:
    """Validate ``data`` as the one field of ``holder`` (so errors name it as a scene would)."""
    try:
        return getattr(holder.model_validate({field: data}), field)
    except ValidationError as error:
        raise SceneError(_describe(error)) from None


class _BackgroundOnly(_Strict):
    background: Background
