/* Training pages: AG Grid follows the page's colour mode (its themes switch on data-ag-theme-mode). */
(function () {
  "use strict";

  function mirrorTheme() {
    var mode = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "dark" : "light";
    if (document.body && document.body.getAttribute("data-ag-theme-mode") !== mode) {
      document.body.setAttribute("data-ag-theme-mode", mode);
    }
  }

  function start() {
    mirrorTheme();
    new MutationObserver(mirrorTheme).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-bs-theme"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
