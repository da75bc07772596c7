// A typed slider value applies on Enter, as in any desk tool: Dash's slider number boxes only
// commit on blur, so Enter blurs the box (and keeps the focus nearby for the next edit).
document.addEventListener("keydown", function (event) {
  if (event.key !== "Enter") { return; }
  var box = event.target;
  if (box && box.classList && box.classList.contains("dash-range-slider-input")) {
    event.preventDefault();
    box.blur();
  }
}, true);
