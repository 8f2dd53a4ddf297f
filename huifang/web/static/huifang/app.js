// Huifang: the phone menu and folded filters, copying a new API key, and confirming a destructive form. No dependencies.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var panel = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = panel.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var input = document.querySelector(copy.getAttribute("data-copy"));
      input.focus();
      input.select();
      var done = function () { copy.textContent = copy.getAttribute("data-copied"); };
      // The Clipboard API needs a secure context, which an intranet over plain HTTP is not.
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done);
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    }
  });

  // A long table opens at the row that matters (the first installment not yet paid).
  document.querySelectorAll("[data-scroll-to]").forEach(function (box) {
    var row = box.querySelector(box.getAttribute("data-scroll-to"));
    var head = box.querySelector("thead");
    if (row && row.offsetTop > box.clientHeight / 2) {
      box.scrollTop = row.offsetTop - (head ? head.offsetHeight : 0) - row.offsetHeight;
    }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
