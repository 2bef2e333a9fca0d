/* Starts Dash after the page's HTML has been drawn (dash_app/factory.py).

   Dash lists its scripts at the end of the page and starts them with an inline line. A browser runs scripts that
   are already downloaded before it draws anything, so the page's first screen (dash_app/first_screen.py) would
   wait for 3.7 MB of JavaScript. Here the scripts are listed in an inert <template> (and already downloading:
   the head preloads each); this file, deferred, waits for the first frame to be drawn, then adds them in their
   order (async = false keeps it) and starts Dash when the last one has run. A page opened in a background tab
   draws nothing until it is shown: it starts at once. */
(function () {
  "use strict";

  function start() {
    var list = document.getElementById("app-scripts");
    var sources = list ? Array.prototype.map.call(list.content.querySelectorAll("script[src]"), function (script) {
      return script.getAttribute("src");
    }) : [];
    var last = null;
    sources.forEach(function (source) {
      var script = document.createElement("script");
      script.src = source;
      script.async = false;
      document.body.appendChild(script);
      last = script;
    });
    var run = function () {
      window.renderer = new window.DashRenderer();
    };
    if (last) {
      // After the last script has run (or failed to load: Dash then starts with what it has, as it would
      // from its inline line, and shows its own error if something it needs is missing).
      last.addEventListener("load", run);
      last.addEventListener("error", run);
    } else {
      run();
    }
  }

  if (document.visibilityState === "hidden" || typeof window.requestAnimationFrame !== "function") {
    start();
  } else {
    window.requestAnimationFrame(function () {
      window.setTimeout(start, 0); // after the frame the callback belongs to has been painted
    });
  }
})();
