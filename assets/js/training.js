/* Training pages: AG Grid follows the page's colour mode (its themes switch on data-ag-theme-mode). */
(function () {
  "use strict";

  // Functions the history grid's column definitions name (pages/training.py). dash-ag-grid evaluates a
  // column's {"function": ...} comparator once, without arguments, so a comparator must be a named function.
  var gridFunctions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

  // The Run column shows a markdown link, "[#12](...)"; it sorts by the run's number, not by that text.
  gridFunctions.trainRunOrder = function (valueA, valueB, nodeA, nodeB) {
    return runNumber(valueA, nodeA) - runNumber(valueB, nodeB);
  };

  function runNumber(value, node) {
    if (node && node.data && typeof node.data.run_id === "number") {
      return node.data.run_id;
    }
    var digits = String(value == null ? "" : value).match(/\d+/);
    return digits ? Number(digits[0]) : 0;
  }

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
