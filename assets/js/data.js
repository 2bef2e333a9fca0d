/* Data page behaviour that belongs in the browser: URL state, grid refresh, column visibility, FK links,
   grid density and the side panel. */
(function () {
  "use strict";

  // AG Grid's Quartz theme (colorSchemeVariable) follows data-ag-theme-mode: mirror Bootstrap's mode there as it
  // changes (assets/boot/first-paint.js sets both before the first paint).
  function mirrorColourMode() {
    var mode = document.documentElement.getAttribute("data-bs-theme") === "dark" ? "dark" : "light";
    document.documentElement.setAttribute("data-ag-theme-mode", mode);
  }
  new MutationObserver(mirrorColourMode).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-bs-theme"],
  });

  // The reader's grid density and side panel (callbacks/data_display.py), mirrored onto the document for
  // assets/css/data.css. assets/boot/first-paint.js applies the stored choices before the first paint, so a
  // reload does not jump; the values must stay the same there. The first value is the default.
  var DENSITY = { store: "data-density-store", attribute: "data-grid-density", values: ["comfortable", "compact"] };
  var PANEL = { store: "data-panel-store", attribute: "data-side-panel", values: ["open", "collapsed"] };

  function known(setting, value) {
    return setting.values.indexOf(value) >= 0 ? value : setting.values[0];
  }

  function applyChoice(setting, value) {
    document.documentElement.setAttribute(setting.attribute, value);
  }

  function gridApi(gridId) {
    try {
      return window.dash_ag_grid && window.dash_ag_grid.getApi ? window.dash_ag_grid.getApi(gridId) : null;
    } catch (e) {
      return null; // the grid is not mounted yet: nothing to refresh
    }
  }

  // The infinite row model places rows by the row height it was made with and does not follow a change of
  // --ag-row-height (assets/css/data.css): give it the height the theme now gives, measured in the grid. While
  // another tab hides the grid nothing can be measured: that waits until the grid is shown again.
  function themeRowHeight(root) {
    var probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;height:0;width:var(--ag-row-height)";
    root.appendChild(probe);
    var height = probe.offsetWidth;
    root.removeChild(probe);
    return height;
  }

  function relayRows(gridId) {
    var root = document.querySelector("#" + gridId + " .ag-root-wrapper");
    if (!root || !gridApi(gridId)) return;
    var relay = function () {
      var height = themeRowHeight(root);
      var api = gridApi(gridId);
      if (height > 0 && api) api.setGridOption("rowHeight", height);
      return height > 0;
    };
    if (relay() || typeof ResizeObserver === "undefined") return;
    var observer = new ResizeObserver(function () {
      if (relay()) observer.disconnect();
    });
    observer.observe(root);
  }

  var purgedFor = {}; // grid id -> the search and ticked values its cached blocks were read with
  var chartStartedAt = null; // when the running chart's clock was switched on (Date.now())
  var chartStopSentAt = null; // when Cancel's stop request was last sent, while the chart has not stopped yet
  var CHART_STOP_AGAIN_MS = 1000;

  function dataUrl(page, db, table, view) {
    var params = new URLSearchParams();
    params.set("db", db);
    params.set("table", table);
    if (view && Object.keys(view).length) params.set("v", JSON.stringify(view));
    return page + "?" + params.toString();
  }

  // Navigate inside the Dash app the way dcc.Link does, so the page re-renders without a reload.
  function navigate(url) {
    window.history.pushState({}, "", url);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    data: {
      /* Keep the address bar on the current view without adding history entries or re-rendering. */
      syncUrl: function (view) {
        if (!view || !view.db || !view.table) return window.dash_clientside.no_update;
        // A plain /data shows the first table: keep that address until the user asks for something else.
        var current = new URLSearchParams(window.location.search);
        var untouched = !view.view || Object.keys(view.view).length === 0;
        if (!current.has("table") && untouched) return window.dash_clientside.no_update;
        var url = dataUrl(window.location.pathname, view.db, view.table, view.view);
        if (url !== window.location.pathname + window.location.search) {
          window.history.replaceState(window.history.state, "", url);
        }
        return url;
      },
      /* Quick search, ticked values or a refused edit changed the rows: drop the cached blocks. */
      purgeGrid: function (search, values, refresh, gridId) {
        var ctx = window.dash_clientside.callback_context;
        var key = JSON.stringify([search || "", values || {}]);
        var seen = purgedFor[gridId];
        purgedFor[gridId] = key;
        // Opening a table sets these before the grid asks for rows: nothing to drop then.
        var changed = seen !== undefined && seen !== key;
        if (ctx.triggered_id !== "data-refresh" && !changed) return window.dash_clientside.no_update;
        var api = gridApi(gridId);
        if (api) api.purgeInfiniteCache();
        return Date.now();
      },
      /* The column chooser shows and hides grid columns (order is changed by dragging headers). Unticking the
         last shown column ticks it again: a view of no column would read, in the address and the exports, as
         one of every column. Returns [the number of columns shown, the chooser's ticks when put back]. */
      showColumns: function (visible, gridId) {
        var noUpdate = window.dash_clientside.no_update;
        var api = gridApi(gridId);
        if (!api || !visible) return [noUpdate, noUpdate];
        if (!visible.length) {
          var kept = api.getColumnState().filter(function (column) { return !column.hide; });
          return [noUpdate, kept.map(function (column) { return column.colId; })];
        }
        var shown = new Set(visible);
        var state = api.getColumnState().map(function (column) {
          return { colId: column.colId, hide: !shown.has(column.colId) };
        });
        api.applyColumnState({ state: state });
        return [visible.length, noUpdate];
      },
      /* The running chart's elapsed time. The chart's background callback (callbacks/data_chart.py) switches the
         clock on when its job starts and off when it ends or is cancelled; the clock starts counting then. */
      chartElapsed: function (ticks, stopped) {
        var ctx = window.dash_clientside.callback_context;
        if (stopped) {
          chartStartedAt = null;
          return "";
        }
        var switchedOn = (ctx.triggered || []).some(function (item) { return item.prop_id.endsWith(".disabled"); });
        if (switchedOn || chartStartedAt === null) chartStartedAt = Date.now();
        return ((Date.now() - chartStartedAt) / 1000).toFixed(1) + " s";
      },
      /* Cancel's stop request for the running chart (the chart's cancel input, callbacks/data_chart.py), sent
         again each second while the chart runs on: the page can stop a job only once the server has answered
         its start with the job's handle, and a click before that answer would otherwise be lost. Returns
         [the stop request, "Aggregating…" hidden, "Cancelling…" hidden]: from the click on, "Cancelling…". */
      chartStop: function (clicks, ticks, stopped) {
        var ctx = window.dash_clientside.callback_context;
        var noUpdate = window.dash_clientside.no_update;
        var now = Date.now();
        var by = (ctx.triggered || []).map(function (item) { return item.prop_id; });
        var clicked = by.some(function (id) { return id.endsWith(".n_clicks"); });
        // A chart has stopped, or one has started: a stop still waiting from before (its page was left before
        // its chart stopped) must not stop this one.
        if (stopped || (!clicked && by.some(function (id) { return id.endsWith(".disabled"); }))) {
          chartStopSentAt = null;
          return [noUpdate, false, true];
        }
        if (!clicked && (chartStopSentAt === null || now - chartStopSentAt < CHART_STOP_AGAIN_MS)) {
          return [noUpdate, noUpdate, noUpdate];
        }
        chartStopSentAt = now;
        return [now, true, false];
      },
      /* Counting rows needs no y column. */
      yNeeded: function (aggregate) {
        return aggregate === "count";
      },
      /* The density switch: a click toggles and stores the choice; the first call shows the stored one. */
      gridDensity: function (nClicks, stored, gridId) {
        var clicked = window.dash_clientside.callback_context.triggered_id === "data-density-toggle";
        var current = known(DENSITY, stored);
        var density = clicked ? (current === "compact" ? "comfortable" : "compact") : current;
        applyChoice(DENSITY, density);
        if (clicked) relayRows(gridId);
        return [clicked ? density : window.dash_clientside.no_update, density === "compact" ? "true" : "false"];
      },
      /* The side panel's hide and show buttons; the first call shows the stored choice. A click moves the focus
         to the other button, since the one pressed disappears. */
      sidePanel: function (hideClicks, showClicks, stored) {
        var trigger = window.dash_clientside.callback_context.triggered_id;
        var clicked = trigger === "data-panel-hide" || trigger === "data-panel-show";
        var panel = clicked ? (trigger === "data-panel-hide" ? "collapsed" : "open") : known(PANEL, stored);
        applyChoice(PANEL, panel);
        if (clicked) {
          var next = document.getElementById(panel === "collapsed" ? "data-panel-show" : "data-panel-hide");
          if (next) next.focus();
        }
        var expanded = panel === "open" ? "true" : "false";
        return [clicked ? panel : window.dash_clientside.no_update, expanded, expanded];
      },
      /* Filter the table list by name as the user types. */
      filterTables: function (text, listId) {
        var needle = (text || "").trim().toLowerCase();
        var list = document.getElementById(listId);
        if (list) {
          var shown = 0;
          list.querySelectorAll("[data-name]").forEach(function (link) {
            var match = !needle || link.getAttribute("data-name").indexOf(needle) >= 0;
            link.style.display = match ? "" : "none";
            shown += match ? 1 : 0;
          });
          var none = list.querySelector(".data-table-none");
          if (none) none.hidden = shown > 0;
        }
        return "data-table-list";
      },
    },
  });

  // Functions the grid's column definitions name (dash_app/components/data.py).
  window.dashAgGridFunctions = Object.assign(window.dashAgGridFunctions || {}, {
    /* A fixed-point column's value with the decimals it declares (NUMERIC(10,2): 150.00); the first screen
       writes it the same way (dash_app/first_screen.py fixed_text). */
    DataFixed: function (value, decimals) {
      return typeof value === "number" ? value.toFixed(decimals) : value;
    },
  });

  window.dashAgGridComponentFunctions = Object.assign(window.dashAgGridComponentFunctions || {}, {
    /* A foreign-key value as a link to the referenced table, filtered to that key. */
    DataForeignKey: function (props) {
      var value = props.value;
      if (value === null || value === undefined || value === "") return value;
      var p = props.colDef.cellRendererParams || props;
      var numeric = typeof value === "number";
      var filter = {};
      filter[p.column] = numeric
        ? { filterType: "number", type: "equals", filter: value }
        : { filterType: "text", type: "equals", filter: String(value) };
      var url = dataUrl(p.page, p.db, p.table, { f: filter });
      return React.createElement(
        "a",
        {
          href: url,
          className: "data-fk-link",
          title: "Open " + p.table + " where " + p.column + " = " + value,
          onClick: function (event) {
            if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            navigate(url);
          },
        },
        String(value),
        React.createElement("i", { className: "bi bi-box-arrow-up-right data-fk-icon", "aria-hidden": "true" })
      );
    },
  });
})();
