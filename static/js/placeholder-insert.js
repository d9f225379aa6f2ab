// Template editor, click-to-insert: put the placeholder at the cursor of the HTML editor.
// The editor's id comes from the script tag's data-target (no inline script: CSP).
(function () {
  var targetId = document.currentScript.dataset.target;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-placeholder]");
    if (!button) return;
    var area = document.getElementById(targetId);
    var text = "{{ " + button.dataset.placeholder + " }}";
    area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
