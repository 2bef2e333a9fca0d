/* Shell behaviour that must run in the browser: colour mode, the navbar toggler and tabs from the keyboard. */
(function () {
  "use strict";

  // dcc.Store(storage_type="local") keeps its data as JSON under its id.
  var STORE_KEY = "shell-color-mode";
  var SWITCH_ID = "shell-color-mode-switch";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function storedMode() {
    try {
      var mode = JSON.parse(window.localStorage.getItem(STORE_KEY));
      return mode === "dark" || mode === "light" ? mode : null;
    } catch (e) {
      return null;
    }
  }

  function systemMode() {
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function apply(mode) {
    document.documentElement.setAttribute("data-bs-theme", mode);
  }

  // assets/boot/first-paint.js applies the stored or system mode before the first paint (no white flash).

  // Until the user chooses, follow the system setting as it changes; the switch follows without storing.
  var followingSystem = false;
  if (darkQuery && darkQuery.addEventListener) {
    darkQuery.addEventListener("change", function () {
      if (storedMode()) return;
      apply(systemMode());
      var input = document.getElementById(SWITCH_ID);
      if (input && input.checked !== (systemMode() === "dark")) {
        followingSystem = true;
        input.click();
      }
    });
  }

  /* Tabs from the keyboard. dbc.Tabs gives react-bootstrap no key for its tabs, so every tab link is left out
     of the Tab order (tabindex="-1"; dash-bootstrap-components issue 891). As the WAI-ARIA tabs pattern has it:
     the active tab is the one Tab stop of its list, the arrow keys (and Home, End) move to another tab and
     open it, Enter and Space open the focused one. */
  function tabsOf(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
  }

  function keepActiveTabsFocusable() {
    document.querySelectorAll('[role="tablist"]').forEach(function (list) {
      var tabs = tabsOf(list);
      var active = tabs.filter(function (tab) { return tab.classList.contains("active"); })[0] || tabs[0];
      tabs.forEach(function (tab) {
        var wanted = tab === active ? "0" : "-1";
        if (tab.getAttribute("tabindex") !== wanted) tab.setAttribute("tabindex", wanted);
      });
    });
  }

  var TAB_STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('[role="tab"]');
    var list = tab && tab.closest('[role="tablist"]');
    if (!list) return;
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      tab.click();
      return;
    }
    var tabs = tabsOf(list);
    var at = tabs.indexOf(tab);
    var next = event.key === "Home" ? 0 : event.key === "End" ? tabs.length - 1 :
      event.key in TAB_STEPS ? (at + TAB_STEPS[event.key] + tabs.length) % tabs.length : -1;
    if (next < 0) return;
    event.preventDefault();
    event.stopPropagation();
    tabs[next].focus();
    tabs[next].click();
  }, true);
  new MutationObserver(keepActiveTabsFocusable).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["class", "tabindex"],
  });

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    shell: {
      /* Switch moved by the user: store and apply the choice. Initial call: show the stored or system mode. */
      applyColorMode: function (switchOn, stored) {
        var ctx = window.dash_clientside.callback_context;
        var moved = ctx.triggered_id === SWITCH_ID;
        var byUser = moved && !followingSystem;
        followingSystem = false;
        var mode = moved ? (switchOn ? "dark" : "light") : stored || systemMode();
        apply(mode);
        return [byUser ? mode : window.dash_clientside.no_update, mode === "dark"];
      },
      /* Toggler opens and closes the collapsed navbar; any navigation closes it. */
      toggleNav: function (nClicks, pathname, isOpen) {
        var ctx = window.dash_clientside.callback_context;
        return ctx.triggered_id === "shell-nav-toggler" ? !isOpen : false;
      },
    },
  });
})();
