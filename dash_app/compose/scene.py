"""The scene: canvas, background and layers, as frozen pydantic models that refuse anything unexpected.

A scene arrives from the browser, so every field is checked strictly (no coercion, no unknown fields,
ranges enforced) before anything is rendered. The canvas limit comes from the settings through the
validation context (``{"max_side": n}``); without one the hard ceiling of the settings applies.

Coordinates are canvas pixels; a layer's ``x``/``y`` is its centre. Layers are listed bottom first:
their order in ``layers`` is their stacking order.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

HARD_MAX_SIDE = 16384  # the largest max_canvas_side the settings allow
MAX_LAYERS = 60
MIN_SCALE, MAX_SCALE = 0.01, 50.0
IMAGE_ID_PATTERN = r"^[0-9a-f]{32}$"
LAYER_ID_PATTERN = r"^[0-9a-f]{8,32}$"
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"

Color = Annotated[str, Field(pattern=COLOR_PATTERN, description="#rrggbb")]
ImageId = Annotated[str, Field(pattern=IMAGE_ID_PATTERN)]
Angle = Annotated[float, Field(ge=-360, le=360, allow_inf_nan=False)]


class SceneError(ValueError):
    """A scene that cannot be accepted; the message says which field is wrong and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Canvas(_Strict):
    width: int = Field(ge=16, le=HARD_MAX_SIDE)
    height: int = Field(ge=16, le=HARD_MAX_SIDE)

    @field_validator("width", "height")
    @classmethod
    def _within_limit(cls, value: int, info: ValidationInfo) -> int:
        limit = (info.context or {}).get("max_side", HARD_MAX_SIDE)
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


class Layer(_Strict):
    """One placed image: centre in canvas pixels, uniform scale of the stored image, clockwise degrees."""

    id: str = Field(pattern=LAYER_ID_PATTERN)
    image_id: ImageId
    name: str = Field("", max_length=120)
    x: float = Field(allow_inf_nan=False)
    y: float = Field(allow_inf_nan=False)
    scale: float = Field(1.0, ge=MIN_SCALE, le=MAX_SCALE, allow_inf_nan=False)
    rotation: Angle = 0.0
    opacity: float = Field(1.0, ge=0.0, le=1.0, allow_inf_nan=False)
    flip_x: bool = False
    flip_y: bool = False


class Scene(_Strict):
    version: Literal[1] = 1
    canvas: Canvas
    background: Background
    layers: tuple[Layer, ...] = Field((), max_length=MAX_LAYERS, strict=False)  # JSON has lists, not tuples

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

    def layer(self, layer_id: str) -> Layer | None:
        """The layer with this id, or None."""
        return next((layer for layer in self.layers if layer.id == layer_id), None)

    def image_ids(self) -> set[str]:
        """Every stored image the scene uses (layers and a photo background)."""
        used = {layer.image_id for layer in self.layers}
        if isinstance(self.background, PhotoBackground):
            used.add(self.background.image_id)
        return used


def _describe(error: ValidationError) -> str:
    """One readable line per problem: where in the scene, and what is wrong."""
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"] if not _is_union_tag(part)) or "scene"
        reason = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = "is not a known field"
        problems.append(f"{where}: {reason}")
    return "; ".join(problems)


def _is_union_tag(part: Any) -> bool:
    return part in {"solid", "linear", "radial", "grid", "dots", "photo"}


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


def background_from_dict(data: Any) -> BackgroundSpec:
    """Validate a background spec on its own (the preview route receives only this)."""
    try:
        return _BackgroundOnly.model_validate({"background": data}).background
    except ValidationError as error:
        raise SceneError(_describe(error)) from None


class _BackgroundOnly(_Strict):
    background: Background
