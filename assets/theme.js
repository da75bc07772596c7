/* Light/dark theme and meeting mode, entirely in the browser (no server round trip).
 *
 * The theme is, in order: ?theme=dark|light in the URL, then dark in meeting mode
 * (?present=1), then the last choice kept in localStorage, then light. It is written to
 * <html data-theme>; meeting mode to <html data-present="1">. style.css does the rest.
 * The header's #theme-toggle flips it, stores the choice and puts it in the URL, so that a
 * pasted link shows the same theme.
 */
(function () {
  "use strict";
  var KEY = "tsm-theme";

  function query() { return new URLSearchParams(window.location.search); }

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function chosen() {
    var q = query();
    var asked = q.get("theme");
    if (asked === "dark" || asked === "light") { return asked; }
    if (q.get("present") === "1") { return "dark"; }
    var kept = stored();
    return kept === "dark" || kept === "light" ? kept : "light";
  }

  function apply() {
    var root = document.documentElement;
    root.setAttribute("data-theme", chosen());
    if (query().get("present") === "1") {
      root.setAttribute("data-present", "1");
    } else {
      root.removeAttribute("data-present");
    }
  }

  function toggle() {
    var next = document.documentElement.getAttribute("data-theme") === "dark" ? "light" : "dark";
    try { window.localStorage.setItem(KEY, next); } catch (e) { /* private mode: URL only */ }
    var url = new URL(window.location.href);
    url.searchParams.set("theme", next);
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    apply();
  }

  apply();
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("#theme-toggle")) {
      event.preventDefault();
      toggle();
    }
  });
  // Dash's links and dcc.Location announce client-side navigation with these events.
  window.addEventListener("popstate", apply);
  window.addEventListener("_dashprivate_pushstate", apply);
  window.tsmTheme = { apply: apply, toggle: toggle, chosen: chosen };
})();
