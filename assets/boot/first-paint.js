/* Runs in the page's head, before anything is drawn (dash_app/factory.py HEAD_SCRIPTS).

   1. The reader's stored choices, applied to the document before the first paint, so that no page opens light
      and turns dark, or opens comfortable and turns compact: the colour mode (assets/js/shell.js, or the
      system's), and the Data page's grid density and side panel (assets/js/data.js). dcc.Store with
      storage_type="local" keeps its data as JSON under its id.
   2. A page's first screen (dash_app/first_screen.py) goes as soon as the page shows what the first screen
      showed (its element names that as a CSS selector: data-until), or the reader acts on the page. */
(function () {
  "use strict";
  var root = document.documentElement;

  function stored(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key));
    } catch (e) {
      return null; // no storage (a private window) or a damaged value: the default
    }
  }

  var mode = stored("shell-color-mode");
  if (mode !== "dark" && mode !== "light") {
    mode = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  root.setAttribute("data-bs-theme", mode);
  root.setAttribute("data-ag-theme-mode", mode); // AG Grid's Quartz theme (colorSchemeVariable)
  root.setAttribute("data-grid-density", stored("data-density-store") === "compact" ? "compact" : "comfortable");
  root.setAttribute("data-side-panel", stored("data-panel-store") === "collapsed" ? "collapsed" : "open");

  // A reader who acts on the page (a click, a key, the wheel) acts on the app: the picture goes at once.
  function leave() {
    var screen = document.querySelector(".app-first-screen");
    if (screen) screen.parentNode.removeChild(screen);
  }
  ["pointerdown", "keydown", "wheel", "touchstart"].forEach(function (type) {
    window.addEventListener(type, leave, { capture: true, once: true, passive: true });
  });

  if (typeof MutationObserver === "undefined") return;
  var observer = new MutationObserver(function () {
    var screen = document.querySelector(".app-first-screen");
    if (!screen) {
      if (document.readyState !== "loading") observer.disconnect(); // the page had none
      return;
    }
    var until = screen.getAttribute("data-until");
    var shown = false;
    try {
      shown = !until || document.querySelector(until) !== null;
    } catch (e) {
      shown = true; // a selector the browser cannot read: the page shows itself
    }
    if (shown) {
      screen.parentNode.removeChild(screen);
      observer.disconnect();
    }
  });
  observer.observe(root, { childList: true, subtree: true });
})();
