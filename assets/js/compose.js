/* Compose page: the drag layer (move, scale, rotate, smart guides, selection), file uploads and export.

   Pointer moves are handled here, in the browser, with no server request. On release ONE custom event
   ("layerdrop") bubbles to the dash_extensions EventListener around the workspace, which turns it into
   one Dash callback that stores the placement. Listeners are delegated from `document`, so they keep
   working when Dash re-renders the layers. Coordinates follow dash_app/compose/render.py: a layer's
   data-x/data-y is its centre in canvas pixels; the surface's data-scale is preview px per canvas px.
   In crop mode (the stage has .is-cropping) the selected image layer's corners and edges move its crop
   (data-crop-x/-y, data-w/-h in the image's pixels) instead of scaling it, with the same arithmetic as
   edit.set_crop in dash_app/compose/edit.py, so the server's answer lands where the layer is shown.
   The layer list reorders by dragging a grip (one "layerorder" event on release) or with ↑/↓ on it.
   Selection: Shift-click (on the stage or in the list) adds a layer to the selection or takes it out; a rubber
   band dragged on the empty stage selects the unlocked layers it touches ("layerdrop" of kind "select" with
   "ids"). Dragging any selected layer moves them all (ONE "layerdrop" of kind "moves" on release). While a
   layer or a selection moves, its box (the rule of dash_app/compose/arrange.py `box`) snaps its edges to the
   canvas's and the other layers' edges, and its centre to their centres, within SNAP_SCREEN_PX; Alt: no snap. */
(function () {
  "use strict";

  var SNAP_SCREEN_PX = 6; // a guide catches the layer within this many screen pixels
  var CLICK_SLOP_PX = 2; // a pointer that moves less than this is a click, not a drag
  var MIN_SCALE = 0.01;
  var MAX_SCALE = 50;
  var ROTATE_STEP = 15; // degrees, with Shift
  var ACCEPT = "image/png,image/jpeg,image/webp,.png,.jpg,.jpeg,.webp";
  var drag = null;
  var reorder = null;
  var refocusGrip = null; // the grip to focus again once Dash has redrawn the list after a keyboard move

  function stage() {
    return document.getElementById("compose-stage");
  }

  function attr(element, name) {
    return parseFloat(element.getAttribute("data-" + name));
  }

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function round(value, digits) {
    var factor = Math.pow(10, digits);
    return Math.round(value * factor) / factor;
  }

  /* Screen pixels per canvas pixel (the stage may be shrunk to fit a narrow screen), and the canvas size. */
  function geometry(surface) {
    var rect = surface.getBoundingClientRect();
    var width = attr(surface, "width");
    return {
      rect: rect,
      scale: attr(surface, "scale"),
      width: width,
      height: attr(surface, "height"),
      k: rect.width / width,
    };
  }

  /* Every event to the server is numbered: Dash's renderer drops a prop set to the value it already has, so a
     click the same as the last one (the same eye twice, Shift-click in and out) would otherwise never arrive. */
  var sent = 0;
  function send(target, type, detail) {
    target.dispatchEvent(new CustomEvent(type, { bubbles: true, detail: Object.assign({ seq: ++sent }, detail) }));
  }

  function emit(type, detail) {
    var target = stage();
    if (target) send(target, type, detail);
  }

  function selectedLayers(surface) {
    return Array.prototype.slice.call(surface.querySelectorAll(".compose-layer.is-selected"));
  }

  /* With several layers selected, the surface shows outlines only (no handles: compose.css). */
  function syncMulti(surface) {
    surface.classList.toggle("is-multi", selectedLayers(surface).length > 1);
  }

  function markSelected(surface, layer) {
    surface.querySelectorAll(".compose-layer.is-selected").forEach(function (other) {
      if (other !== layer) other.classList.remove("is-selected");
    });
    if (layer) layer.classList.add("is-selected");
    syncMulti(surface);
  }

  /* Half the size of the layer's axis-aligned bounding box, in canvas pixels. */
  function halfExtents(d, scale, rotation) {
    var t = (rotation * Math.PI) / 180;
    var w = d.w * scale;
    var h = d.h * scale;
    return {
      w: (Math.abs(w * Math.cos(t)) + Math.abs(h * Math.sin(t))) / 2,
      h: (Math.abs(w * Math.sin(t)) + Math.abs(h * Math.cos(t))) / 2,
    };
  }

  /* A layer's box on the canvas (canvas px): its centre plus or minus its half extents. */
  function boxOf(layer) {
    var half = halfExtents({ w: attr(layer, "w"), h: attr(layer, "h") }, attr(layer, "scale"), attr(layer, "rotation"));
    var x = attr(layer, "x");
    var y = attr(layer, "y");
    return { left: x - half.w, top: y - half.h, right: x + half.w, bottom: y + half.h };
  }

  function union(boxes) {
    return boxes.reduce(function (all, b) {
      return { left: Math.min(all.left, b.left), top: Math.min(all.top, b.top),
               right: Math.max(all.right, b.right), bottom: Math.max(all.bottom, b.bottom) };
    });
  }

  /* The near edge, centre and far edge of a box along one axis ("x" or "y"), each marked edge or centre. */
  function marks(b, axis) {
    var near = axis === "x" ? b.left : b.top;
    var far = axis === "x" ? b.right : b.bottom;
    return [{ value: near, centre: false }, { value: (near + far) / 2, centre: true }, { value: far, centre: false }];
  }

  /* What a moving box snaps to along `axis`: the canvas's edges and centre, and those of every other layer shown. */
  function snapLines(surface, g, moving, axis) {
    var size = axis === "x" ? g.width : g.height;
    var lines = marks(axis === "x" ? { left: 0, right: size } : { top: 0, bottom: size }, axis);
    surface.querySelectorAll(".compose-layer").forEach(function (other) {
      if (moving.indexOf(other) < 0) lines = lines.concat(marks(boxOf(other), axis));
    });
    return lines;
  }

  /* The smallest change of `delta` that puts an edge of the box on an edge line, or its centre on a centre line,
     within `tolerance`: {delta, at} (`at`: where to draw the guide), or null. */
  function snapAxis(own, delta, lines, tolerance) {
    var best = null;
    own.forEach(function (mark) {
      lines.forEach(function (line) {
        var distance = Math.abs(mark.value + delta - line.value);
        if (line.centre === mark.centre && distance <= tolerance && (!best || distance < best.distance)) {
          best = { delta: line.value - mark.value, at: line.value, distance: distance };
        }
      });
    });
    return best;
  }

  function showGuide(surface, axis, canvasAt, scale) {
    var guide = surface.querySelector(".compose-guide-" + axis);
    if (!guide) return;
    if (canvasAt === null) {
      guide.classList.remove("is-visible");
      return;
    }
    guide.style[axis === "v" ? "left" : "top"] = canvasAt * scale + "px";
    guide.classList.add("is-visible");
  }

  /* The pressed layer and the other unlocked selected layers, which a move drags along. */
  function moveGroup(d) {
    var layers = [d.layer].concat(selectedLayers(d.surface).filter(function (other) {
      return other !== d.layer && !other.classList.contains("is-locked");
    }));
    d.group = layers.map(function (layer) {
      return { layer: layer, x: attr(layer, "x"), y: attr(layer, "y"), style: layer.getAttribute("style") };
    });
    d.box = union(layers.map(boxOf));
    d.linesX = snapLines(d.surface, d.g, layers, "x");
    d.linesY = snapLines(d.surface, d.g, layers, "y");
  }

  function move(d, event) {
    var g = d.g;
    var dx = (event.clientX - d.startX) / g.k;
    var dy = (event.clientY - d.startY) / g.k;
    var tolerance = SNAP_SCREEN_PX / g.k;
    var snapX = event.altKey ? null : snapAxis(marks(d.box, "x"), dx, d.linesX, tolerance);
    var snapY = event.altKey ? null : snapAxis(marks(d.box, "y"), dy, d.linesY, tolerance);
    if (snapX) dx = snapX.delta;
    if (snapY) dy = snapY.delta;
    showGuide(d.surface, "v", snapX ? snapX.at : null, g.scale);
    showGuide(d.surface, "h", snapY ? snapY.at : null, g.scale);
    d.group.forEach(function (member) {
      member.now = { x: round(clamp(member.x + dx, -g.width, 2 * g.width), 2),
                     y: round(clamp(member.y + dy, -g.height, 2 * g.height), 2) };
      member.layer.style.left = member.now.x * g.scale + "px";
      member.layer.style.top = member.now.y * g.scale + "px";
    });
    d.now = d.group[0].now;
  }

  /* The rubber band: from where the pointer went down on the empty stage to where it is (canvas px). */
  function marqueeTo(d, event) {
    var g = d.g;
    var x0 = (d.startX - g.rect.left) / g.k;
    var y0 = (d.startY - g.rect.top) / g.k;
    var x1 = (event.clientX - g.rect.left) / g.k;
    var y1 = (event.clientY - g.rect.top) / g.k;
    var band = { left: Math.min(x0, x1), top: Math.min(y0, y1), right: Math.max(x0, x1), bottom: Math.max(y0, y1) };
    if (d.band) {
      d.band.style.left = band.left * g.scale + "px";
      d.band.style.top = band.top * g.scale + "px";
      d.band.style.width = (band.right - band.left) * g.scale + "px";
      d.band.style.height = (band.bottom - band.top) * g.scale + "px";
      d.band.classList.add("is-visible");
    }
    d.touched = [];
    d.surface.querySelectorAll(".compose-layer").forEach(function (layer) {
      var b = boxOf(layer);
      var touches = !layer.classList.contains("is-locked") && b.left <= band.right && b.right >= band.left &&
        b.top <= band.bottom && b.bottom >= band.top;
      if (touches) d.touched.push(layer);
      layer.classList.toggle("is-selected", touches || (d.additive && d.initial.indexOf(layer) >= 0));
    });
    syncMulti(d.surface);
  }

  function scaleTo(d, event) {
    var distance = Math.hypot(event.clientX - d.cx, event.clientY - d.cy);
    d.now.scale = round(clamp((d.scale * distance) / d.startDistance, MIN_SCALE, MAX_SCALE), 4);
    d.layer.style.width = d.w * d.now.scale * d.g.scale + "px";
    d.layer.style.height = d.h * d.now.scale * d.g.scale + "px";
  }

  function rotateTo(d, event) {
    var angle = Math.atan2(event.clientY - d.cy, event.clientX - d.cx);
    var degrees = d.rotation + ((angle - d.startAngle) * 180) / Math.PI;
    if (event.shiftKey) degrees = Math.round(degrees / ROTATE_STEP) * ROTATE_STEP;
    degrees = ((degrees % 360) + 360) % 360;
    if (degrees > 180) degrees -= 360;
    d.now.rotation = round(degrees, 2);
    d.layer.style.transform = "translate(-50%, -50%) rotate(" + d.now.rotation + "deg)";
  }

  /* Crop: which source edges a handle moves, then the new crop (whole image px) and the new centre. */
  function cropTo(d, event) {
    var t = (d.rotation * Math.PI) / 180;
    var cos = Math.cos(t);
    var sin = Math.sin(t);
    var dx = (event.clientX - d.startX) / d.g.k;
    var dy = (event.clientY - d.startY) / d.g.k;
    var du = (cos * dx + sin * dy) / d.scale; // along the layer's own (shown) axes, in image px
    var dv = (-sin * dx + cos * dy) / d.scale;
    var x = cropAxis(d.crop.x, d.w, d.full.w, d.flipX, d.edge.indexOf("w") >= 0 ? du : 0,
                     d.edge.indexOf("e") >= 0 ? du : 0);
    var y = cropAxis(d.crop.y, d.h, d.full.h, d.flipY, d.edge.indexOf("n") >= 0 ? dv : 0,
                     d.edge.indexOf("s") >= 0 ? dv : 0);
    var su = (x.start + x.size / 2 - (d.crop.x + d.w / 2)) * (d.flipX ? -1 : 1) * d.scale;
    var sv = (y.start + y.size / 2 - (d.crop.y + d.h / 2)) * (d.flipY ? -1 : 1) * d.scale;
    d.now = { crop: { x: x.start, y: y.start, width: x.size, height: y.size },
              x: d.x + cos * su - sin * sv, y: d.y + sin * su + cos * sv };
    var k = d.g.scale;
    d.layer.style.left = d.now.x * k + "px";
    d.layer.style.top = d.now.y * k + "px";
    d.layer.style.width = x.size * d.scale * k + "px";
    d.layer.style.height = y.size * d.scale * k + "px";
    placeImages(d.layer, d.now.crop, d.full);
  }

  /* One axis of a crop: the shown near/far edges moved by `near`/`far` image px, flipped when the layer is. */
  function cropAxis(start, size, whole, flipped, near, far) {
    var low = start + (flipped ? -far : near);
    var high = start + size + (flipped ? -near : far);
    var movesLow = flipped ? far !== 0 : near !== 0;
    low = Math.round(low);
    high = Math.round(high);
    if (movesLow) low = clamp(low, 0, high - 1);
    else high = clamp(high, low + 1, whole);
    return { start: low, size: high - low };
  }

  function placeImages(layer, crop, full) {
    layer.querySelectorAll(".compose-layer-img, .compose-ghost-img").forEach(function (image) {
      image.style.left = (-100 * crop.x) / crop.width + "%";
      image.style.top = (-100 * crop.y) / crop.height + "%";
      image.style.width = (100 * full.w) / crop.width + "%";
      image.style.height = (100 * full.h) / crop.height + "%";
    });
  }

  function cropping(layer) {
    var element = stage();
    return element && element.classList.contains("is-cropping") && layer.classList.contains("is-image") &&
      layer.classList.contains("is-selected");
  }

  function dragKind(handle, layer) {
    if (!handle) return "move";
    var name = handle.getAttribute("data-handle");
    if (name === "rotate") return "rotate";
    return cropping(layer) ? "crop" : "scale";
  }

  function onPointerDown(event) {
    var surface = event.target.closest && event.target.closest(".compose-surface");
    if (!surface || event.button > 0 || drag) return;
    var stageElement = stage();
    if (stageElement) stageElement.focus({ preventScroll: true });
    var layer = event.target.closest(".compose-layer");
    if (!layer) {
      startMarquee(event, surface);
      return;
    }
    event.preventDefault();
    var handle = event.target.closest("[data-handle]");
    var g = geometry(surface);
    var d = {
      kind: dragKind(handle, layer), edge: handle ? handle.getAttribute("data-handle") : "",
      layer: layer, surface: surface, g: g, pointerId: event.pointerId,
      wasSelected: layer.classList.contains("is-selected"), wasMulti: surface.classList.contains("is-multi"),
      additive: event.shiftKey && !handle,
      startX: event.clientX, startY: event.clientY, moved: false,
      x: attr(layer, "x"), y: attr(layer, "y"), w: attr(layer, "w"), h: attr(layer, "h"),
      scale: attr(layer, "scale"), rotation: attr(layer, "rotation"),
      style: layer.getAttribute("style"),
      full: { w: attr(layer, "full-w"), h: attr(layer, "full-h") },
      crop: { x: attr(layer, "crop-x"), y: attr(layer, "crop-y") },
      flipX: attr(layer, "flip-x") === 1, flipY: attr(layer, "flip-y") === 1,
    };
    d.cx = g.rect.left + d.x * g.k;
    d.cy = g.rect.top + d.y * g.k;
    d.startDistance = Math.max(1, Math.hypot(event.clientX - d.cx, event.clientY - d.cy));
    // On a small layer the corner handles' touch areas reach the middle: a press near the centre moves it.
    var halfDiagonal = (Math.hypot(d.w, d.h) * d.scale * g.k) / 2;
    if (d.kind === "scale" && d.startDistance < halfDiagonal / 2) d.kind = "move";
    d.startAngle = Math.atan2(event.clientY - d.cy, event.clientX - d.cx);
    d.now = {};
    if (d.additive && !d.wasSelected) {
      layer.classList.add("is-selected");
      syncMulti(surface);
    } else if (!d.wasSelected) {
      markSelected(surface, layer);
    }
    if (d.kind === "move") moveGroup(d);
    layer.setPointerCapture(event.pointerId);
    layer.classList.add("is-dragging");
    drag = d;
  }

  function startMarquee(event, surface) {
    drag = { kind: "marquee", surface: surface, g: geometry(surface), pointerId: event.pointerId,
             startX: event.clientX, startY: event.clientY, moved: false, additive: event.shiftKey,
             initial: selectedLayers(surface), touched: [], band: surface.querySelector(".compose-marquee") };
    surface.setPointerCapture(event.pointerId);
  }

  function finishMarquee(d, event, cancelled) {
    if (d.band) d.band.classList.remove("is-visible");
    if (d.surface.hasPointerCapture && d.surface.hasPointerCapture(event.pointerId)) {
      d.surface.releasePointerCapture(event.pointerId);
    }
    if (cancelled) {
      d.surface.querySelectorAll(".compose-layer").forEach(function (layer) {
        layer.classList.toggle("is-selected", d.initial.indexOf(layer) >= 0);
      });
      syncMulti(d.surface);
    } else if (d.moved) {
      var ids = d.touched.map(function (layer) { return layer.getAttribute("data-id"); });
      emit("layerdrop", { kind: "select", ids: ids, additive: d.additive });
    } else if (!d.additive && d.initial.length) { // a click on the empty stage selects nothing
      markSelected(d.surface, null);
      emit("layerdrop", { kind: "deselect" });
    }
  }

  function onPointerMove(event) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (!drag.moved && Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < CLICK_SLOP_PX) return;
    drag.moved = true;
    if (drag.kind === "marquee") marqueeTo(drag, event);
    else if (drag.kind === "move") move(drag, event);
    else if (drag.kind === "scale") scaleTo(drag, event);
    else if (drag.kind === "crop") cropTo(drag, event);
    else rotateTo(drag, event);
  }

  function finish(event, cancelled) {
    if (!drag || event.pointerId !== drag.pointerId) return;
    var d = drag;
    drag = null;
    if (d.kind === "marquee") {
      finishMarquee(d, event, cancelled);
      return;
    }
    d.layer.classList.remove("is-dragging");
    showGuide(d.surface, "v", null, 1);
    showGuide(d.surface, "h", null, 1);
    if (d.layer.hasPointerCapture && d.layer.hasPointerCapture(event.pointerId)) {
      d.layer.releasePointerCapture(event.pointerId);
    }
    var id = d.layer.getAttribute("data-id");
    if (cancelled) {
      (d.group || [d]).forEach(function (member) { member.layer.setAttribute("style", member.style); });
      if (d.kind === "crop") placeImages(d.layer, { x: d.crop.x, y: d.crop.y, width: d.w, height: d.h }, d.full);
      return;
    }
    if (d.moved && d.kind === "crop" && d.now.crop) {
      var crop = d.now.crop;
      [["crop-x", crop.x], ["crop-y", crop.y], ["w", crop.width], ["h", crop.height], ["x", d.now.x], ["y", d.now.y]]
        .forEach(function (pair) { d.layer.setAttribute("data-" + pair[0], String(pair[1])); });
      emit("layerdrop", { kind: "crop", id: id, crop: crop });
    } else if (d.moved && d.kind === "move" && d.group.length > 1) {
      var moved = d.group.map(function (member) {
        member.layer.setAttribute("data-x", String(member.now.x));
        member.layer.setAttribute("data-y", String(member.now.y));
        return { id: member.layer.getAttribute("data-id"), x: member.now.x, y: member.now.y };
      });
      var selection = selectedLayers(d.surface).map(function (layer) { return layer.getAttribute("data-id"); });
      emit("layerdrop", { kind: "moves", layers: moved, selection: selection });
    } else if (d.moved && Object.keys(d.now).length) {
      // Remember the new placement at once: a second drag before the server answers starts from here.
      Object.keys(d.now).forEach(function (name) { d.layer.setAttribute("data-" + name, String(d.now[name])); });
      emit("layerdrop", Object.assign({ kind: d.kind, id: id }, d.now));
    } else if (d.additive) { // Shift-click: in or out of the selection
      if (d.wasSelected) d.layer.classList.remove("is-selected");
      syncMulti(d.surface);
      emit("layerdrop", { kind: "select", id: id, additive: true });
    } else if (!d.wasSelected || d.wasMulti) { // a click on one of several selected layers selects it alone
      markSelected(d.surface, d.layer);
      emit("layerdrop", { kind: "select", id: id });
    }
  }

  function editable(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  /* In the stage, dash_extensions.Keyboard sends the shortcuts; arrow keys must not scroll the page too.
     Elsewhere on the page (but not while typing in a field), Ctrl+Z / Ctrl+Shift+Z press Undo / Redo. */
  function onKeyDown(event) {
    var target = event.target;
    if (target && target.getAttribute && target.getAttribute("data-compose-grip") &&
        (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      var item = target.closest(".compose-layer-item");
      var position = listItems().indexOf(item) + (event.key === "ArrowUp" ? -1 : 1);
      if (position >= 0 && position < listItems().length) {
        refocusGrip = target.getAttribute("data-compose-grip");
        sendOrder(item, refocusGrip, position);
      }
      return;
    }
    if (target && target.id === "compose-stage" && (event.key === "Escape" || event.key === "Enter")) {
      setCropMode(false);
    }
    if (target && target.id === "compose-stage") {
      if (/^(ArrowUp|ArrowDown|ArrowLeft|ArrowRight|Delete|Backspace)$/.test(event.key)) event.preventDefault();
      return;
    }
    if (!(event.ctrlKey || event.metaKey) || editable(target) || !stage()) return;
    var key = event.key.toLowerCase();
    var button = key === "y" || (key === "z" && event.shiftKey) ? "compose-redo" : key === "z" ? "compose-undo" : null;
    var element = button && document.getElementById(button);
    if (element && !element.disabled) {
      event.preventDefault();
      element.click();
    }
  }

  function onLayerItemClick(event) {
    var toggle = event.target.closest && event.target.closest("[data-compose-toggle]");
    if (toggle) {
      send(toggle, "layertoggle",
           { id: toggle.getAttribute("data-layer"), flag: toggle.getAttribute("data-compose-toggle") });
      return;
    }
    if (event.target.closest && event.target.closest("[data-compose-grip]")) return;
    var item = event.target.closest && event.target.closest("[data-compose-select]");
    if (!item) return;
    send(item, "layerselect", { id: item.getAttribute("data-compose-select"), additive: event.shiftKey });
  }

  /* Crop mode: a toggle on the stage (no request); the crop itself is sent once per handle drag. */
  function setCropMode(on) {
    var element = stage();
    var button = document.getElementById("compose-crop-mode");
    if (!element) return;
    element.classList.toggle("is-cropping", on);
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("active", on);
      var label = button.querySelector("span");
      if (label) label.textContent = on ? "Done" : "Crop on canvas";
    }
  }

  function onCropModeClick(event) {
    var button = event.target.closest && event.target.closest("[data-compose-crop]");
    if (!button) return;
    var element = stage();
    setCropMode(!(element && element.classList.contains("is-cropping")));
    if (element) element.focus({ preventScroll: true });
  }

  /* A double click on a text layer puts the cursor in the panel's text field. */
  function onDoubleClick(event) {
    var layer = event.target.closest && event.target.closest(".compose-layer.is-text");
    var field = layer && document.getElementById("compose-text");
    if (field) {
      field.focus();
      field.select();
    }
  }

  /* The layer list: drag a grip to reorder (the list shows the top layer first). */
  function listItems() {
    return Array.prototype.slice.call(document.querySelectorAll("#compose-layer-list .compose-layer-item"));
  }

  function sendOrder(item, id, position) {
    send(item, "layerorder", { id: id, position: position });
  }

  function onGripDown(event) {
    var grip = event.target.closest && event.target.closest("[data-compose-grip]");
    if (!grip || event.button > 0 || reorder) return;
    event.preventDefault();
    var item = grip.closest(".compose-layer-item");
    reorder = { grip: grip, item: item, id: grip.getAttribute("data-compose-grip"), pointerId: event.pointerId,
                from: listItems().indexOf(item), to: listItems().indexOf(item), startY: event.clientY };
    grip.setPointerCapture(event.pointerId);
    item.classList.add("is-reordering");
  }

  function onGripMove(event) {
    if (!reorder || event.pointerId !== reorder.pointerId) return;
    var others = listItems().filter(function (other) { return other !== reorder.item; });
    var above = others.filter(function (other) {
      var box = other.getBoundingClientRect();
      return box.top + box.height / 2 < event.clientY;
    }).length;
    reorder.to = above;
    reorder.item.style.transform = "translateY(" + (event.clientY - reorder.startY) + "px)";
    others.forEach(function (other, index) {
      other.classList.toggle("is-drop-before", index === above && above !== reorder.from);
      other.classList.toggle("is-drop-after", index === above - 1 && index === others.length - 1 &&
        above !== reorder.from);
    });
  }

  function onGripUp(event) {
    if (!reorder || event.pointerId !== reorder.pointerId) return;
    var r = reorder;
    reorder = null;
    r.item.classList.remove("is-reordering");
    r.item.style.transform = "";
    listItems().forEach(function (other) { other.classList.remove("is-drop-before", "is-drop-after"); });
    if (r.grip.hasPointerCapture && r.grip.hasPointerCapture(event.pointerId)) r.grip.releasePointerCapture(event.pointerId);
    if (event.type === "pointerup" && r.to !== r.from) sendOrder(r.item, r.id, r.to);
  }

  function keepGripFocus() {
    if (!refocusGrip) return;
    var grip = document.querySelector('[data-compose-grip="' + refocusGrip + '"]');
    if (grip && document.activeElement !== grip) grip.focus({ preventScroll: true });
  }

  /* Uploads: multipart POSTs to the app's own route, one file at a time, then ONE event with the results. */
  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  function setBusy(text) {
    var element = stage();
    if (!element) return;
    if (text) element.setAttribute("data-busy", text);
    else element.removeAttribute("data-busy");
  }

  function uploadOne(file, url, result) {
    var body = new FormData();
    body.append("file", file, file.name);
    // The header proves the request comes from this page's script (a cross-site form cannot set it).
    var headers = { "X-Compose-Upload": "1" };
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: headers })
      .then(function (response) {
        return response.json().catch(function () {
          return { error: "the server answered " + response.status };
        });
      })
      .then(function (answer) {
        if (answer.image) result.images.push(answer.image);
        else result.errors.push({ name: file.name, message: answer.error || "the upload failed" });
      })
      .catch(function () {
        result.errors.push({ name: file.name, message: "the upload did not reach the server" });
      });
  }

  function upload(files, purpose) {
    var element = stage();
    if (!element || !files.length) return;
    if (purpose === "background") files = files.slice(0, 1);
    var url = element.getAttribute("data-upload-url");
    var maxBytes = attr(element, "max-bytes");
    var result = { purpose: purpose, images: [], errors: [] };
    var chain = Promise.resolve();
    files.forEach(function (file, index) {
      chain = chain.then(function () {
        setBusy("Uploading " + (index + 1) + " of " + files.length + "…");
        if (file.size > maxBytes) {
          result.errors.push({
            name: file.name,
            message: "the file is too large (" + megabytes(file.size) + " MB); the limit is " +
              element.getAttribute("data-max-mb") + " MB",
          });
          return null;
        }
        return uploadOne(file, url, result);
      });
    });
    chain.then(function () {
      setBusy(null);
      emit("composeupload", result);
    });
  }

  /* A button with data-compose-pick opens a file picker made on the spot (Dash has no file input). */
  function onPickClick(event) {
    var button = event.target.closest && event.target.closest("[data-compose-pick]");
    if (!button) return;
    var purpose = button.getAttribute("data-compose-pick");
    var input = document.createElement("input");
    input.type = "file";
    input.accept = ACCEPT;
    input.multiple = purpose === "layers";
    input.className = "compose-file-input";
    input.hidden = true;
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.remove();
      upload(files, purpose);
    });
    document.body.appendChild(input); // attached so that tests (and some browsers) can reach it
    input.click();
  }

  function dropZone(event) {
    return event.target.closest && event.target.closest("#compose-workspace");
  }

  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], "Files") >= 0;
  }

  function onDragOver(event) {
    if (!dropZone(event) || !carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    var element = stage();
    if (element) element.classList.add("is-dropping");
  }

  function onDragLeave(event) {
    var element = stage();
    if (element && (!event.relatedTarget || !dropZone({ target: event.relatedTarget }))) {
      element.classList.remove("is-dropping");
    }
  }

  function onDrop(event) {
    if (!dropZone(event) || !carriesFiles(event)) return;
    event.preventDefault();
    var element = stage();
    if (element) element.classList.remove("is-dropping");
    upload(Array.prototype.slice.call(event.dataTransfer.files || []), "layers");
  }

  /* Narrow screens: shrink the stage to its column; pointer maths reads the real size, so it still matches. */
  function fitStage() {
    var element = stage();
    var holder = document.getElementById("compose-canvas");
    var surface = holder && holder.querySelector(".compose-surface");
    if (!element || !surface) return;
    var width = surface.offsetWidth;
    var height = surface.offsetHeight;
    var fit = Math.min(1, element.clientWidth / width);
    surface.style.transformOrigin = "0 0";
    surface.style.setProperty("--compose-fit", String(fit));
    if (fit < 1) {
      surface.style.transform = "scale(" + fit + ")";
    } else {
      // At full size, snap the surface to whole device pixels so the background preview is drawn 1:1.
      surface.style.transform = "";
      var rect = surface.getBoundingClientRect();
      var ratio = window.devicePixelRatio || 1;
      var dx = (Math.round(rect.left * ratio) - rect.left * ratio) / ratio;
      var dy = (Math.round(rect.top * ratio) - rect.top * ratio) / ratio;
      if (dx || dy) surface.style.transform = "translate(" + dx + "px, " + dy + "px)";
    }
    holder.style.width = width * fit + "px";
    holder.style.height = height * fit + "px";
  }

  var fitQueued = false;
  function queueFit() {
    if (fitQueued) return;
    fitQueued = true;
    window.requestAnimationFrame(function () {
      fitQueued = false;
      fitStage();
    });
  }

  function filenameOf(disposition, fallback) {
    var match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
    return match ? decodeURIComponent(match[1]) : fallback;
  }

  function saveBlob(blob, filename) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  }

  function exportScene(clicks, scene, format, name) {
    var element = stage();
    var button = document.getElementById("compose-export");
    if (!element || !scene) return window.dash_clientside.no_update;
    if (button) button.classList.add("is-busy");
    if (button) button.disabled = true;
    fetch(element.getAttribute("data-export-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ scene: scene, format: format, filename: name || "" }),
    })
      .then(function (response) {
        if (!response.ok) {
          return response.json().then(
            function (answer) { throw new Error(answer.error || "the export failed (" + response.status + ")"); },
            function () { throw new Error("the export failed (" + response.status + ")"); }
          );
        }
        var filename = filenameOf(response.headers.get("Content-Disposition"), "composition." + format);
        return response.blob().then(function (blob) { saveBlob(blob, filename); });
      })
      .catch(function (error) {
        emit("composenotice", { message: "Export failed: " + error.message });
      })
      .then(function () {
        if (button) button.classList.remove("is-busy");
        if (button) button.disabled = false;
      });
    return { clicks: clicks, format: format };
  }

  document.addEventListener("pointerdown", onPointerDown);
  document.addEventListener("pointerdown", onGripDown);
  document.addEventListener("pointermove", onGripMove);
  document.addEventListener("pointerup", onGripUp);
  document.addEventListener("pointercancel", onGripUp);
  document.addEventListener("pointerdown", function (event) {
    if (!(event.target.closest && event.target.closest("[data-compose-grip]"))) refocusGrip = null;
  });
  document.addEventListener("click", onCropModeClick);
  document.addEventListener("dblclick", onDoubleClick);
  document.addEventListener("pointermove", onPointerMove);
  document.addEventListener("pointerup", function (event) { finish(event, false); });
  document.addEventListener("pointercancel", function (event) { finish(event, true); });
  document.addEventListener("keydown", onKeyDown);
  document.addEventListener("click", onLayerItemClick);
  document.addEventListener("click", onPickClick);
  document.addEventListener("dragover", onDragOver);
  document.addEventListener("dragleave", onDragLeave);
  document.addEventListener("drop", onDrop);
  window.addEventListener("resize", queueFit);
  new MutationObserver(function () {
    queueFit();
    keepGripFocus();
  }).observe(document.documentElement, { childList: true, subtree: true });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    compose: {
      exportScene: exportScene,
      closeDialog: function () { return false; },
    },
  });
})();
