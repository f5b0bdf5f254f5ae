// Check-in page: small conveniences over a form that works without them (docs/checkin.md).
// Follow-up questions are shown by CSS; this file keeps answers consistent as the patient
// taps: an untouched follow-up is cleared when its answer is unticked, "None" and the items
// of its checklist exclude each other (a warning sign is never unticked by "None of these":
// the patient is asked to choose instead), a tap clears the typed number beside it and the
// other way round, and "Same as yesterday" ticks yesterday's painkillers.
(function () {
  "use strict";

  function inputs(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function clear(container) {
    inputs(container, "input").forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
  }

  function followUpOf(box) {
    var holder = box.closest(".sign, .chip-item");
    return holder ? holder.querySelector(".follow-up") : null;
  }

  function signs(form) {
    return inputs(form, ".sign > .chip input[type=checkbox]");
  }

  function safetyMessage(form) {
    var none = form.querySelector("[name=safety_none]");
    var both = none && none.checked && signs(form).some(function (box) { return box.checked; });
    var note = form.querySelector("#safety-conflict");
    if (note) note.hidden = !both || !!form.querySelector("#error-safety_none .error");
  }

  function onChange(form, el) {
    if (el.type === "checkbox" && !el.checked) {
      var followUp = followUpOf(el);
      if (followUp) clear(followUp);
    }
    if (el.name === "leg_pain" && el.value === "0") {
      inputs(form, "[name=leg_side]").forEach(function (r) { r.checked = false; });
    }
    if (el.matches(".sign > .chip input") && el.checked) {
      form.querySelector("[name=safety_none]").checked = false;
    }
    if (el.name === "safety_none" || el.matches(".sign > .chip input")) safetyMessage(form);

    var kinds = inputs(form, "[name=took_opioid], [name=took_other_painkillers], [name=took_nerve_pain_medicine]");
    if (el.name === "painkillers_none" && el.checked) {
      kinds.forEach(function (box) { box.checked = false; });
      clear(form.querySelector("#field-opioid_doses"));
    } else if (kinds.indexOf(el) !== -1 && el.checked) {
      form.querySelector("[name=painkillers_none]").checked = false;
    }

    // A tap clears the exact number beside it; "Other" ("0-10") keeps it.
    var exactOf = { walking_minutes: "#id_walking_exact", opioid_doses: "#id_opioid_exact", sleep_disturbance: "#sleep-exact" };
    if (el.type === "radio" && exactOf[el.name] && el.value !== "") {
      var exact = form.querySelector(exactOf[el.name]);
      if (exact && exact.tagName === "INPUT") exact.value = "";
      else if (exact) clear(exact);
    }
    // Typing a number chooses "Other" for walking, and unticks the dose taps.
    if (el.id === "id_walking_exact" && el.value !== "") {
      var other = form.querySelector("[name=walking_minutes][value='']");
      if (other) other.checked = true;
    }
    if (el.id === "id_opioid_exact" && el.value !== "") {
      inputs(form, "[name=opioid_doses]").forEach(function (r) { r.checked = false; });
    }
  }

  function sameAsYesterday(form, button) {
    var set = function (name, on) {
      var box = form.querySelector("[name=" + name + "]");
      if (box) box.checked = on;
    };
    var doses = parseInt(button.getAttribute("data-opioid"), 10) || 0;
    set("painkillers_none", false);
    set("took_other_painkillers", button.getAttribute("data-other") === "yes");
    set("took_nerve_pain_medicine", button.getAttribute("data-nerve") === "yes");
    set("took_opioid", doses > 0);
    clear(form.querySelector("#field-opioid_doses"));
    if (doses > 0) {
      var tap = form.querySelector("[name=opioid_doses][value='" + doses + "']");
      if (tap) tap.checked = true;
      else form.querySelector("#id_opioid_exact").value = String(doses);
    }
    var nothing = doses === 0 && button.getAttribute("data-other") === "no" && button.getAttribute("data-nerve") === "no";
    if (nothing) set("painkillers_none", true);
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function init() {
    var form = document.getElementById("checkin-form");
    if (!form || form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "1");
    form.addEventListener("change", function (event) {
      if (event.target !== form) onChange(form, event.target);
    });
    form.addEventListener("input", function (event) {
      if (event.target.type === "number") onChange(form, event.target);
    });
    inputs(form, ".same-painkillers").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { sameAsYesterday(form, button); });
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
