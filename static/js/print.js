// Enhancement only: without JavaScript the browser's own Print menu does the same.
document.querySelectorAll(".js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
