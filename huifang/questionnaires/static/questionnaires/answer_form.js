// Huifang questionnaires: show a conditional question only while the answer it depends on
// calls for it (show_if). The server applies the same rule (schema.clean_answers drops the
// answers of hidden questions), so without this script every question simply shows.
(function () {
  "use strict";
  if (window.huifangAnswerForm) { return; }  // the include may appear twice on a page
  window.huifangAnswerForm = true;

  function valuesOf(item) {
    var values = [];
    item.querySelectorAll("input, textarea, select").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value !== "") { values.push(input.value); }
    });
    return values;
  }

  function update(form) {
    // Document order: a question's condition looks only at earlier questions, already updated.
    form.querySelectorAll("[data-show-if]").forEach(function (item) {
      var ref = form.querySelector('[data-q="' + item.getAttribute("data-show-if") + '"]');
      var shown = false;
      if (ref && !ref.classList.contains("is-hidden")) {
        var wanted = JSON.parse(item.getAttribute("data-show-values") || "[]");
        shown = valuesOf(ref).some(function (value) { return wanted.indexOf(value) !== -1; });
      }
      item.classList.toggle("is-hidden", !shown);
    });
    form.querySelectorAll(".qf-section").forEach(function (section) {
      var all = section.querySelectorAll(".qf-q").length;
      var hidden = section.querySelectorAll(".qf-q.is-hidden").length;
      section.classList.toggle("is-hidden", all > 0 && all === hidden);
    });
  }

  function start() {
    document.querySelectorAll("[data-qform]").forEach(function (form) {
      form.classList.add("qf-js");
      update(form);
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
