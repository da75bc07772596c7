/* Left/right arrow keys step to the previous/next page of the header's navigation, keeping
 * the query string (?present=1, ?as_of=..., ?theme=...), in meeting mode and normal mode.
 * Keys typed into a form control, a slider, a table or a date picker are left to it.
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

  function step(direction) {
    var links = navLinks();
    if (!links.length) { return false; }
    var here = window.location.pathname;
    var index = -1;
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].pathname === here) { index = i; break; }
    }
    var next = index < 0 ? 0 : (index + direction + links.length) % links.length;
    var target = links[next].pathname + window.location.search;
    window.history.pushState({}, "", target);
    // dcc.Location listens to this event (the one dcc.Link sends) and re-routes the page.
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") { return; }
    if (isEditing(event.target) || isEditing(document.activeElement)) { return; }
    if (step(event.key === "ArrowRight" ? 1 : -1)) { event.preventDefault(); }
  });
})();
