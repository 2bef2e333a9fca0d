/* When the host's login session ends, Dash's own requests get 401 (see dash_app/auth.py). Without this the
   page would silently stop working; instead, reload it, so the host's login page asks the user to sign in
   and then brings them back to where they were. */
(function () {
  "use strict";
  var originalFetch = window.fetch;
  var reloading = false;
  window.fetch = function () {
    return originalFetch.apply(this, arguments).then(function (response) {
      if (response.status === 401 && !reloading && /\/_dash-/.test(response.url)) {
        reloading = true;
        window.location.reload();
      }
      return response;
    });
  };
})();
