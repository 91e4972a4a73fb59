// Enhancement only: the page gives each time in UTC; with JavaScript it is shown in the
// browser's own time zone and language, so a counselor need not work out the difference.
document.querySelectorAll("time.js-local-time").forEach(function (element) {
  var when = new Date(element.getAttribute("datetime"));
  if (isNaN(when)) return;
  element.textContent = when.toLocaleString(undefined, {
    weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });
});
