"""Turn a scene into what the Compose page shows: the stage, the layer list, the panel's values.

The stage uses the renderer's coordinate model: a layer's centre (canvas px) times the preview scale
is the CSS position, ``translate(-50%, -50%) rotate(θ)`` turns it about that centre (clockwise, like
the renderer), and its CSS size is the stored image's size times its scale times the preview scale.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import dash
from dash import html

from dash_app.compose import edit, history
from dash_app.compose.export import preview_scale, preview_size
from dash_app.compose.scene import Layer, Scene
from dash_app.compose.storage import ComposeStorage

HANDLES = ("nw", "ne", "sw", "se")


def background_url(scene: Scene) -> str:
    """URL of the preview background: a pure function of the spec and canvas size, so browsers cache it."""
    query = urlencode({"spec": json.dumps(scene.background.model_dump(mode="json"), separators=(",", ":")),
                       "w": scene.canvas.width, "h": scene.canvas.height})
    return dash.get_relative_path("/compose/background") + "?" + query


def image_url(image_id: str) -> str:
    return dash.get_relative_path("/compose/image") + "?" + urlencode({"id": image_id})


def _px(value: float) -> str:
    return f"{value:.3f}px"


def layer_view(layer: Layer, size: tuple[int, int], scale: float, order: int, selected: bool) -> html.Div:
    """One layer on the stage, with its transform handles (shown when selected)."""
    flips = f"scale({-1 if layer.flip_x else 1}, {-1 if layer.flip_y else 1})"
    handles = [html.Span(className=f"compose-handle compose-handle-{corner}", **{"data-handle": corner})
               for corner in HANDLES]
    handles.append(html.Span(html.Span(className="compose-rotate-knob"), className="compose-handle-rotate",
                             **{"data-handle": "rotate"}, title="Rotate (Shift: 15° steps)"))
    return html.Div(
        [html.Img(src=image_url(layer.image_id), alt=layer.name or "layer", draggable="false",
                  className="compose-layer-img", style={"opacity": layer.opacity, "transform": flips}),
         *handles],
        key=layer.id,
        className="compose-layer is-selected" if selected else "compose-layer",
        style={"left": _px(layer.x * scale), "top": _px(layer.y * scale),
               "width": _px(size[0] * layer.scale * scale), "height": _px(size[1] * layer.scale * scale),
               "transform": f"translate(-50%, -50%) rotate({layer.rotation:g}deg)", "zIndex": order + 1},
        **{"data-id": layer.id, "data-x": layer.x, "data-y": layer.y, "data-w": size[0], "data-h": size[1],
           "data-scale": layer.scale, "data-rotation": layer.rotation},
    )


def stage_view(scene: Scene, selected: str | None, sizes: dict[str, tuple[int, int]]) -> html.Div:
    """The canvas surface: background preview, layers, snap guides, empty-state hint.

    Its data attributes give assets/js/compose.js the preview scale and canvas size.
    """
    scale = preview_scale(*scene.canvas.size)
    width, height = preview_size(*scene.canvas.size)
    url = background_url(scene)
    children = [html.Img(src=url, srcSet=f"{url} 1x, {url}&density=2 2x", alt="", draggable="false",
                         className="compose-bg", width=str(width), height=str(height))]
    children += [layer_view(layer, sizes[layer.image_id], scale, order, layer.id == selected)
                 for order, layer in enumerate(scene.layers)]
    children += [html.Div(className=f"compose-guide compose-guide-{axis}") for axis in ("v", "h")]
    if not scene.layers:
        children.append(html.Div([html.I(className="bi bi-cloud-arrow-up"),
                                  html.Strong("Drop PNG, JPEG or WebP images here"),
                                  html.Span("or use Add images above")], className="compose-empty"))
    return html.Div(
        children,
        className="compose-surface",
        style={"width": f"{width}px", "height": f"{height}px"},
        **{"data-scale": repr(scale), "data-width": scene.canvas.width, "data-height": scene.canvas.height},
    )


def layer_list(scene: Scene, selected: str | None) -> list:
    """Layer panel entries, top layer first."""
    if not scene.layers:
        return [html.P("No layers yet. Add images or drop them on the canvas.", className="compose-muted")]
    items = []
    for number, layer in reversed(list(enumerate(scene.layers, start=1))):
        items.append(html.Button(
            [html.Span(html.Img(src=image_url(layer.image_id), alt=""), className="compose-thumb"),
             html.Span([html.Span(layer.name or f"Layer {number}", className="compose-layer-name"),
                        html.Span(_summary(layer), className="compose-layer-meta")], className="compose-layer-text")],
            type="button", key=layer.id,
            className="compose-layer-item is-selected" if layer.id == selected else "compose-layer-item",
            **{"data-compose-select": layer.id, "aria-pressed": "true" if layer.id == selected else "false"},
        ))
    return items


def _summary(layer: Layer) -> str:
    parts = [f"{layer.scale * 100:.0f}%"]
    if layer.rotation:
        parts.append(f"{layer.rotation:g}°")
    if layer.opacity < 1:
        parts.append(f"opacity {layer.opacity * 100:.0f}%")
    if layer.flip_x or layer.flip_y:
        parts.append("flipped")
    return " · ".join(parts)


def image_sizes(compose: ComposeStorage, scene: Scene) -> dict[str, tuple[int, int]]:
    """Size of each stored image of the scene's layers, read from the files' headers."""
    return {image_id: compose.image_size(image_id) for image_id in {layer.image_id for layer in scene.layers}}


def layer_values(scene: Scene, selected: str | None) -> dict:
    """Values of the selected-layer controls (and whether they show)."""
    layer = scene.layer(selected) if selected else None
    if layer is None:
        return {"panel_hidden": True, "empty_hidden": False, "x": None, "y": None, "scale": 100,
                "rotation": None, "opacity": 100}
    return {"panel_hidden": False, "empty_hidden": True, "x": round(layer.x, 2), "y": round(layer.y, 2),
            "scale": min(400, max(1, round(layer.scale * 100))), "rotation": round(layer.rotation, 2),
            "opacity": round(layer.opacity * 100)}


def canvas_values(scene: Scene) -> dict:
    """Values of the canvas and background controls."""
    size = scene.canvas.size
    preset = next((name for name, dims in edit.PRESETS.items() if dims == size), "custom")
    spec = scene.background.model_dump()
    kind = spec["kind"]
    first = spec.get("color") or spec.get("color_from")
    second = spec.get("color_to") or spec.get("ink") or "#c7d2fe"
    return {"preset": preset, "width": size[0], "height": size[1], "kind": kind, "color_1": first,
            "color_2": second, "angle": spec.get("angle", 135), "spacing": spec.get("spacing", 40),
            "fit": spec.get("fit", "cover"), "color_2_hidden": kind in ("solid", "photo"),
            "angle_hidden": kind != "linear", "spacing_hidden": kind not in ("grid", "dots"),
            "photo_hidden": kind != "photo"}


def history_values(state) -> dict:
    return {"undo_disabled": not history.can_undo(state), "redo_disabled": not history.can_redo(state)}
