// spravka live reload: injected by `spravka serve` only, never into `build` output.
"use strict";
(function () {
  var key = "spravka-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.scrollTo(0, parseInt(saved, 10) || 0);
  }
  var overlay = null;
  function showProblems(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "spravka-overlay";
      overlay.setAttribute("role", "alert");
      var s = overlay.style;
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.maxHeight = "50vh"; s.overflow = "auto";
      s.background = "#2b0b0b"; s.color = "#ffdede"; s.font = "13px/1.45 ui-monospace, monospace"; s.padding = "12px 16px";
      s.zIndex = "2147483647"; s.whiteSpace = "pre-wrap"; s.borderTop = "3px solid #e5484d";
      document.body.appendChild(overlay);
    }
    // The server says what it is: errors of the served pages, or a rebuild that failed.
    overlay.textContent = "spravka: " + text;
  }
  var source = new EventSource("/__spravka/events");
  source.addEventListener("reload", function () {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("problems", function (e) { showProblems(e.data); });
  // A page put in the back/forward cache would keep its stream, and with it one of the
  // browser's six connections to the server: close it on leaving, reload on coming back.
  window.addEventListener("pagehide", function () { source.close(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) location.reload(); });
})();
