// Enhancement only. Chromium scrolls a link that takes keyboard focus into view only when none
// of it shows, so a heading link half past the edge of the scrolling results table stayed half
// hidden. Scroll the focused element fully into the table's view; the region's scroll-padding
// keeps it clear of the sticky name column. Without script the table still scrolls by keyboard.
document.querySelectorAll(".table-scroll").forEach(function (region) {
  region.addEventListener("focusin", function (event) {
    if (event.target !== region) event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
  });
});
