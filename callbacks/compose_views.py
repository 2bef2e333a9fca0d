"""Turn a scene into what the Compose page shows: the stage, the layer list, the panel's values.

The stage uses the renderer's coordinate model: a layer's centre (canvas px) times the preview scale
is the CSS position, ``translate(-50%, -50%) rotate(θ)`` turns it about that centre (clockwise, like
the renderer), and its CSS size is the stored image's size (its crop's, when cropped) times its scale
times the preview scale. A cropped image sits in a clipping box, positioned in percentages of the crop,
so the box can be resized while dragging; a text is the server's drawing of it (the ``/compose/text``
route), shown like an image. Hidden layers are not on the stage; locked ones take no pointer.

A selection is one layer's id, or several ids (a tuple, or the list the page's store keeps): each selected layer
is outlined; with several the panel shows only what applies to all of them.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import dash
from dash import html

from dash_app.compose import arrange, edit, history
from dash_app.compose import text as text_rules
from dash_app.compose.export import preview_scale, preview_size
from dash_app.compose.scene import Crop, Layer, Scene, TextLayer
from dash_app.compose.storage import ComposeStorage

HANDLES = ("nw", "ne", "sw", "se")
CROP_EDGES = ("n", "e", "s", "w")  # shown with the corners in crop mode (assets/js/compose.js)
Selection = str | tuple[str, ...] | list[str] | None


def chosen(selected: Selection) -> tuple[str, ...]:
    """The selected ids, whichever way the selection is written."""
    if isinstance(selected, str):
        return (selected,)
    return tuple(selected) if isinstance(selected, (list, tuple)) else ()


def single(selected: Selection) -> str | None:
    """The selected layer's id when exactly one is selected, else None."""
    ids = chosen(selected)
    return ids[0] if len(ids) == 1 else None


def background_url(scene: Scene) -> str:
    """URL of the preview background: a pure function of the spec and canvas size, so browsers cache it."""
    query = urlencode({"spec": json.dumps(scene.background.model_dump(mode="json"), separators=(",", ":")),
                       "w": scene.canvas.width, "h": scene.canvas.height})
    return dash.get_relative_path("/compose/background") + "?" + query


def image_url(image_id: str) -> str:
    return dash.get_relative_path("/compose/image") + "?" + urlencode({"id": image_id})


def text_url(layer: TextLayer) -> str:
    """URL of a text's drawing: a pure function of the text, so browsers cache it."""
    spec = json.dumps(layer.text.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)
    return dash.get_relative_path("/compose/text") + "?" + urlencode({"spec": spec})


def _px(value: float) -> str:
    return f"{value:.3f}px"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.4f}%"


def _placed_image(src: str, crop: Crop, full: tuple[int, int], class_name: str, style: dict) -> html.Img:
    """The whole image placed so that its ``crop`` fills the box it is in (in percentages of the crop)."""
    return html.Img(src=src, alt="", draggable="false", className=class_name, style=style | {
        "left": _percent(-crop.x, crop.width), "top": _percent(-crop.y, crop.height),
        "width": _percent(full[0], crop.width), "height": _percent(full[1], crop.height)})


def _handles() -> list:
    handles = [html.Span(className=f"compose-handle compose-handle-{corner}", **{"data-handle": corner})
               for corner in HANDLES]
    handles += [html.Span(className=f"compose-handle compose-crop-edge compose-handle-{edge}", **{"data-handle": edge})
                for edge in CROP_EDGES]
    handles.append(html.Span(html.Span(className="compose-rotate-knob"), className="compose-handle-rotate",
                             **{"data-handle": "rotate"}, title="Rotate (Shift: 15° steps)"))
    return handles


def layer_view(layer: Layer | TextLayer, size: tuple[int, int], scale: float, order: int, selected: bool) -> html.Div:
    """One layer on the stage, with its transform handles (shown when selected).

    ``size`` is the stored image's size (a text's drawn size); the box is the crop's size when cropped.
    """
    flips = {"transform": f"scale({-1 if layer.flip_x else 1}, {-1 if layer.flip_y else 1})"}
    crop = layer.crop or Crop(x=0, y=0, width=size[0], height=size[1])
    if isinstance(layer, TextLayer):
        picture = html.Img(src=text_url(layer), alt=layer.text.content[:120], draggable="false",
                           className="compose-layer-img", style={"opacity": layer.opacity})
        content = [html.Div(picture, className="compose-layer-clip")]
    else:
        src = image_url(layer.image_id)
        ghost = html.Div(_placed_image(src, crop, size, "compose-ghost-img", {}), className="compose-layer-ghost",
                         style=flips)
        picture = _placed_image(src, crop, size, "compose-layer-img", {"opacity": layer.opacity})
        picture.alt = layer.name or "layer"
        content = [ghost, html.Div(picture, className="compose-layer-clip", style=flips)]
    classes = ["compose-layer", f"is-{layer.kind}"] + ["is-selected"] * selected + ["is-locked"] * layer.locked
    return html.Div(
        [*content, *_handles()],
        key=layer.id,
        className=" ".join(classes),
        style={"left": _px(layer.x * scale), "top": _px(layer.y * scale),
               "width": _px(crop.width * layer.scale * scale), "height": _px(crop.height * layer.scale * scale),
               "transform": f"translate(-50%, -50%) rotate({layer.rotation:g}deg)", "zIndex": order + 1},
        **{"data-id": layer.id, "data-kind": layer.kind, "data-x": layer.x, "data-y": layer.y,
           "data-w": crop.width, "data-h": crop.height, "data-scale": layer.scale, "data-rotation": layer.rotation,
           "data-full-w": size[0], "data-full-h": size[1], "data-crop-x": crop.x, "data-crop-y": crop.y,
           "data-flip-x": int(layer.flip_x), "data-flip-y": int(layer.flip_y)},
    )


def stage_view(scene: Scene, selected: Selection, sizes: dict[str, tuple[int, int]]) -> html.Div:
    """The canvas surface: background preview, layers, snap guides, the rubber band, empty-state hint.

    Its data attributes give assets/js/compose.js the preview scale and canvas size.
    """
    scale = preview_scale(*scene.canvas.size)
    width, height = preview_size(*scene.canvas.size)
    url = background_url(scene)
    children = [html.Img(src=url, srcSet=f"{url} 1x, {url}&density=2 2x", alt="", draggable="false",
                         className="compose-bg", width=str(width), height=str(height))]
    ids = chosen(selected)
    children += [layer_view(layer, layer_size(layer, sizes), scale, order, layer.id in ids)
                 for order, layer in enumerate(scene.layers) if layer.visible]
    children += [html.Div(className=f"compose-guide compose-guide-{axis}") for axis in ("v", "h")]
    children.append(html.Div(className="compose-marquee"))
    if not scene.layers:
        children.append(html.Div([html.I(className="bi bi-cloud-arrow-up"),
                                  html.Strong("Drop PNG, JPEG or WebP images here"),
                                  html.Span("or use Add images above")], className="compose-empty"))
    return html.Div(
        children,
        className="compose-surface" + (" is-multi" if len(ids) > 1 else ""),
        style={"width": f"{width}px", "height": f"{height}px"},
        **{"data-scale": repr(scale), "data-width": scene.canvas.width, "data-height": scene.canvas.height},
    )


def layer_size(layer: Layer | TextLayer, sizes: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """The stored image's size, or the drawn size of a text, in canvas px before scaling."""
    return text_rules.measure(layer.text) if isinstance(layer, TextLayer) else sizes[layer.image_id]


def _toggle(layer: Layer | TextLayer, flag: str) -> html.Button:
    """The eye or the padlock of a layer in the list (assets/js/compose.js sends the change)."""
    on = layer.visible if flag == "visible" else layer.locked
    icon, title = {("visible", True): ("bi-eye", "Hide"), ("visible", False): ("bi-eye-slash", "Show"),
                   ("locked", True): ("bi-lock-fill", "Unlock"), ("locked", False): ("bi-unlock", "Lock")}[flag, on]
    return html.Button(html.I(className=f"bi {icon}"), type="button", title=f"{title} “{edit.label(layer)}”",
                       className=f"compose-layer-toggle compose-toggle-{flag}" + (" is-on" if on else ""),
                       **{"data-compose-toggle": flag, "data-layer": layer.id, "aria-label": title,
                          "aria-pressed": "true" if on else "false"})


def layer_list(scene: Scene, selected: Selection) -> list:
    """Layer panel entries, top layer first: grip to reorder, the layer (selects it), eye and padlock."""
    if not scene.layers:
        return [html.P("No layers yet. Add images or text, or drop images on the canvas.", className="compose-muted")]
    items, ids = [], chosen(selected)
    for number, layer in reversed(list(enumerate(scene.layers, start=1))):
        thumb = (html.I(className="bi bi-fonts") if isinstance(layer, TextLayer)
                 else html.Img(src=image_url(layer.image_id), alt=""))
        name = layer.name or (edit.label(layer) if isinstance(layer, TextLayer) else f"Layer {number}")
        classes = ["compose-layer-item"] + ["is-selected"] * (layer.id in ids) + \
            ["is-hidden"] * (not layer.visible) + ["is-locked"] * layer.locked
        grip = html.Span(html.I(className="bi bi-grip-vertical"), className="compose-layer-grip", tabIndex="0",
                         role="button", title="Drag to reorder (or focus and press ↑ ↓)",
                         **{"data-compose-grip": layer.id, "aria-label": f"Reorder “{name}”"})
        pick = html.Button(
            [html.Span(thumb, className="compose-thumb"),
             html.Span([html.Span(name, className="compose-layer-name"),
                        html.Span(_summary(layer), className="compose-layer-meta")], className="compose-layer-text")],
            type="button", className="compose-layer-pick",
            title="Select (Shift: add to the selection or take out of it)",
            **{"aria-pressed": "true" if layer.id in ids else "false"})
        items.append(html.Div([grip, pick, _toggle(layer, "visible"), _toggle(layer, "locked")], key=layer.id,
                              className=" ".join(classes), **{"data-compose-select": layer.id}))
    return items


def _summary(layer: Layer | TextLayer) -> str:
    if isinstance(layer, TextLayer):
        parts = [f"{layer.text.font} {layer.text.size} px"]
    else:
        parts = [f"{layer.scale * 100:.0f}%"] + ["cropped"] * (layer.crop is not None)
        if layer.source is not None:  # drawn from the app: callbacks/compose_sources.py
            parts.append("chart" if layer.source.kind == "data_chart" else f"run #{layer.source.run_id}")
    if layer.rotation:
        parts.append(f"{layer.rotation:g}°")
    if layer.opacity < 1:
        parts.append(f"opacity {layer.opacity * 100:.0f}%")
    if layer.flip_x or layer.flip_y:
        parts.append("flipped")
    parts += ["hidden"] * (not layer.visible) + ["locked"] * layer.locked
    return " · ".join(parts)


def image_sizes(compose: ComposeStorage, scene: Scene) -> dict[str, tuple[int, int]]:
    """Size of each stored image of the scene's layers, read from the files' headers."""
    return {image_id: compose.image_size(image_id)
            for image_id in {layer.image_id for layer in scene.layers if isinstance(layer, Layer)}}


def layer_values(scene: Scene, selected: Selection) -> dict:
    """Values of the selected-layer controls (and whether they show); for several layers, their opacity (the
    highest, when they differ)."""
    several = [layer for layer in scene.layers if layer.id in chosen(selected)]
    if len(several) > 1:
        return {"panel_hidden": False, "empty_hidden": True, "x": None, "y": None, "scale": 100, "rotation": None,
                "opacity": round(max(layer.opacity for layer in several) * 100), "name": "",
                "image_group_hidden": True, "text_group_hidden": True}
    layer = scene.layer(single(selected) or "")
    if layer is None:
        return {"panel_hidden": True, "empty_hidden": False, "x": None, "y": None, "scale": 100,
                "rotation": None, "opacity": 100, "name": "", "image_group_hidden": False, "text_group_hidden": True}
    return {"panel_hidden": False, "empty_hidden": True, "x": round(layer.x, 2), "y": round(layer.y, 2),
            "scale": min(400, max(1, round(layer.scale * 100))), "rotation": round(layer.rotation, 2),
            "opacity": round(layer.opacity * 100), "name": layer.name,
            "image_group_hidden": isinstance(layer, TextLayer), "text_group_hidden": not isinstance(layer, TextLayer)}


def crop_values(scene: Scene, selected: Selection, sizes: dict[str, tuple[int, int]]) -> dict:
    """The crop fields: the selected image layer's crop, or its whole image (empty for anything else)."""
    layer = scene.layer(single(selected) or "")
    if not isinstance(layer, Layer) or layer.image_id not in sizes:
        return {"crop_x": None, "crop_y": None, "crop_w": None, "crop_h": None}
    width, height = sizes[layer.image_id]
    crop = layer.crop or Crop(x=0, y=0, width=width, height=height)
    return {"crop_x": crop.x, "crop_y": crop.y, "crop_w": crop.width, "crop_h": crop.height}


def text_values(scene: Scene, selected: Selection) -> dict:
    """The text fields: the selected text layer's text (defaults for anything else)."""
    layer = scene.layer(single(selected) or "")
    spec = layer.text if isinstance(layer, TextLayer) else None
    if spec is None:
        return {"text": "", "font": text_rules.DEFAULT_FONT, "font_size": None, "weight": "400",
                "text_color": "#111827", "align": "center", "box": False, "box_color": "#ffffff", "padding": None,
                "radius": None}
    return {"text": spec.content, "font": spec.font, "font_size": spec.size, "weight": str(spec.weight),
            "text_color": spec.color, "align": spec.align, "box": spec.box is not None,
            "box_color": spec.box or "#ffffff", "padding": spec.padding, "radius": spec.radius}


def selection_values(selected: Selection) -> dict:
    """What says how many layers are selected, the controls of one layer only, and whether distribute applies."""
    count = len(chosen(selected))
    note = f"{count} layers selected · Shift-click to add or take out" if count > 1 else ""
    return {"selection_note": note, "single_hidden": count > 1,
            "distribute_x_disabled": count < arrange.MIN_TO_DISTRIBUTE,
            "distribute_y_disabled": count < arrange.MIN_TO_DISTRIBUTE}


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
