/* Left/right arrow keys step to the previous/next page of the header's navigation, keeping
 * the query string (?present=1, ?as_of=..., ?theme=...), in meeting mode and normal mode.
 * Keys typed into a form control, a slider, a table or a date picker are left to it.
 * A click on a navigation link without a query of its own keeps the current query too, so
 * that meeting mode survives a click.
 */
(function () {
  "use strict";

  function isEditing(el) {
    if (!el || el === document.body) { return false; }
    var tag = (el.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") { return true; }
    if (el.isContentEditable) { return true; }
    return Boolean(el.closest && el.closest(
      "[role='slider'], [role='listbox'], [role='combobox'], [role='grid'], .dash-spreadsheet-container, .rc-slider, .SingleDatePicker, .DateRangePicker"));
  }

  function navLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("header nav a.nav-link"));
  }

  // Keys that follow the user from page to page (components/shell.py GLOBAL_KEYS); a page's
  // own controls (spread, window...) stay with that page.
  var GLOBAL_KEYS = ["as_of", "present", "theme"];

  function globalQuery() {
    var here = new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    GLOBAL_KEYS.forEach(function (key) {
      if (here.has(key)) { kept.set(key, here.get(key)); }
    });
    var text = kept.toString();
    return text ? "?" + text : "";
  }

  function go(pathname) {
    window.history.pushState({}, "", pathname + globalQuery());
    // dcc.Location listens to this event (the one dcc.Link sends) and re-routes the page.
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  }

  function step(direction) {
    var links = navLinks();
    if (!links.length) { return false; }
    var here = window.location.pathname;
    var index = -1;
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].pathname === here) { index = i; break; }
    }
    var next = index < 0 ? 0 : (index + direction + links.length) % links.length;
    go(links[next].pathname);
    return true;
  }

  // Capture phase: before dcc.Link's own handler, which would drop the query.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("header nav a.nav-link");
    if (!link || link.search || !globalQuery()) { return; }
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    event.stopPropagation();
    go(link.pathname);
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") { return; }
    if (isEditing(event.target) || isEditing(document.activeElement)) { return; }
    if (step(event.key === "ArrowRight" ? 1 : -1)) { event.preventDefault(); }
  });
})();
