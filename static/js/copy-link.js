// My certificates, progressive enhancement: the readonly field works without JavaScript;
// this adds a Copy button next to it.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(field.value).then(function () {
      var label = button.firstChild.textContent;
      button.firstChild.textContent = button.dataset.copied;
      setTimeout(function () { button.firstChild.textContent = label; }, 2000);
    });
  });
});
