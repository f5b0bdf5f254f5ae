// Check-in page: show a follow-up question only when its trigger answer is given
// (temperature after "feverish: yes", a side after a ticked symptom). Without
// JavaScript every follow-up stays visible, so nothing depends on this file.
(function () {
  "use strict";

  function matches(form, rule) {
    var parts = rule.split("=");
    var inputs = form.querySelectorAll('[name="' + parts[0] + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.checked && (input.value === parts[1] || (parts[1] === "on" && input.type === "checkbox"))) {
        return true;
      }
    }
    return false;
  }

  function update(form) {
    var dependants = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < dependants.length; i++) {
      var element = dependants[i];
      var hasValue = element.querySelector("input[value]:not([value='']), select option:checked:not([value=''])");
      var hasError = element.querySelector(".error");
      element.hidden = !(matches(form, element.getAttribute("data-show-when")) || hasError || hasValue);
    }
  }

  function init() {
    var form = document.getElementById("checkin-form");
    if (!form) return;
    update(form);
    form.addEventListener("change", function () { update(form); });
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
