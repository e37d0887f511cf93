// Kinerja portal: small helpers shared by every page (no framework). Pages work without it;
// with it, forms save as the person types and statuses update by themselves.
(function () {
  "use strict";
  var Kinerja = {};
  Kinerja.csrf = function () {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  };
  // POST (or another method) with the CSRF header; answers the parsed JSON or throws {status, body}
  Kinerja.send = function (url, options) {
    options = options || {};
    var headers = options.headers || {};
    headers["X-CSRFToken"] = Kinerja.csrf();
    headers["Accept"] = "application/json";
    return fetch(url, { method: options.method || "POST", headers: headers, body: options.body, credentials: "same-origin" })
      .then(function (r) {
        return r.text().then(function (t) {
          var body = null;
          try { body = t ? JSON.parse(t) : null; } catch (e) { body = t; }
          if (!r.ok) { throw { status: r.status, body: body }; }
          return body;
        });
      });
  };
  // announce to screen readers through the page's live region (created on demand)
  Kinerja.announce = function (text) {
    var region = document.getElementById("kinerja-live");
    if (!region) {
      region = document.createElement("div");
      region.id = "kinerja-live"; region.className = "sr-only";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = text;
  };
  window.Kinerja = Kinerja;
})();
