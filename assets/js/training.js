/* Training pages: AG Grid follows the page's colour mode (its themes switch on data-ag-theme-mode), and
   a Cancel press is handed to a store that stays on the page. */
(function () {
  "use strict";

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    training: {
      /* The pressed Cancel button's run, with the time of the press. The live poll may replace the card (and
         its button) while the server cancels, and Dash drops the answer of a callback whose input has left
         the page: the server's callback listens to this store instead, which is never replaced. */
      cancelRequest: function () {
        var ctx = window.dash_clientside.callback_context;
        var pressed = (ctx.triggered || []).filter(function (item) { return item.value; })[0];
        if (!pressed) return window.dash_clientside.no_update;
        var id = JSON.parse(pressed.prop_id.slice(0, pressed.prop_id.lastIndexOf(".")));
        return { run: id.run, at: Date.now() };
      },
    },
  });

  // Functions the history grid's column definitions name (pages/training.py). dash-ag-grid evaluates a
  // column's {"function": ...} comparator once, without arguments, so a comparator must be a named function.
  var gridFunctions = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

  // The Run column shows a markdown link, "[#12](...)"; it sorts by the run's number, not by that text.
  gridFunctions.trainRunOrder = function (valueA, valueB, nodeA, nodeB) {
    return runNumber(valueA, nodeA) - runNumber(valueB, nodeB);
  };

  // Run history's "Took" column shows "1 min 22 s"; it sorts by the seconds each row carries.
  gridFunctions.trainTookOrder = function (valueA, valueB, nodeA, nodeB) {
    return seconds(nodeA) - seconds(nodeB);
  };

  function seconds(node) {
    var value = node && node.data ? node.data.duration_s : null;
    return typeof value === "number" ? value : -1;
  }

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
