// Enhancement only: without JavaScript the link is plain, selectable text beside a hidden button.
// A button with data-copy="ID" copies the text of the element with that id and says so.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.dataset.copy);
  var status = document.getElementById(button.dataset.copy + "-status");
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(source.textContent.trim()).then(
      function () { if (status) status.textContent = "Copied."; },
      function () { if (status) status.textContent = "Could not copy: select the link and copy it yourself."; }
    );
  });
});
