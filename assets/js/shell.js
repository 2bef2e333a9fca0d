/* Shell behaviour that must run in the browser: colour mode and the navbar toggler. */
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
