// Check-in page without a connection: keep the check-in on this phone (IndexedDB "outbox",
// sent by the service worker when the connection returns), note when each answer was last
// changed (for merging with changes made online), and show the emergency advice at once
// when an emergency answer is ticked offline.
//
// A phone may be shared: every check-in kept here carries its owner (the signed-in user's
// public id, on sw-register.js's script tag), and only the owner's own are shown, restored
// or sent. The check-in ids already used are remembered per owner too. A check-in the server
// could not take (no connection, a server error, the rate limit) stays kept and is sent again.
(function () {
  "use strict";
  var node = document.getElementById("offline-config");
  var me = document.querySelector("script[data-owner]");
  var owner = me ? me.getAttribute("data-owner") : "";
  if (!node || !owner || !("indexedDB" in window) || !("serviceWorker" in navigator)) return;
  var config = JSON.parse(node.textContent);
  var edited = {};
  var USED = "laminar-used-ids:" + owner;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function day() {
    var d = new Date();
    return config.is_today ? d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) : config.day;
  }
  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }
  function used() { try { return JSON.parse(localStorage.getItem(USED)) || []; } catch (e) { return []; } }
  function form() { return document.getElementById("checkin-form"); }
  function reveal(id, text) {
    var el = document.getElementById(id);
    if (!el) return;
    if (text !== undefined) el.querySelector("[data-text]").textContent = text;
    el.hidden = false;
    el.focus();
  }

  // The outbox opener of sw-register.js, which every page loads before this script.
  function outbox(mode, action) {
    return window.laminarOutbox(mode, action);
  }
  function sameDay(keep) {
    return outbox("readonly", function (s) { return s.getAll(); }).then(function (records) {
      return (records || []).filter(function (r) { return r.day === day() && r.owner === owner && keep(r); });
    });
  }

  function emergencyTicked(f) {
    return config.emergency.some(function (code) {
      var yes = f.querySelector('[name="safety_' + code + '"][value="yes"]');
      return yes && yes.checked;
    });
  }

  function keep(f) {
    var data = {};
    new FormData(f).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "submission_id") (data[name] = data[name] || []).push(value);
    });
    var idField = f.querySelector("[name=submission_id]");
    var record = {
      id: newId(), day: day(), owner: owner, fields: data,
      changed_at: Object.assign({}, edited), saved_at: new Date().toISOString(),
      csrf: f.querySelector("[name=csrfmiddlewaretoken]").value, state: "pending"
    };
    localStorage.setItem(USED, JSON.stringify(used().concat([record.id]).slice(-50)));
    idField.value = newId();
    sameDay(function (r) { return r.state === "pending"; }).then(function (older) {
      return outbox("readwrite", function (store) {
        older.forEach(function (r) { store.delete(r.id); });
        return store.put(record);
      });
    }).then(function () {
      reveal("offline-saved");
      if (emergencyTicked(f)) reveal("offline-emergency");
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (registration.sync) return registration.sync.register("laminar-outbox");
    }).catch(function () {});
  }

  function restore(f, record) {
    var values = record.fields || {};
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.name === "submission_id") return;
      var v = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") el.checked = v.indexOf(el.value) !== -1;
      else el.value = v[0] || "";
    });
    Object.assign(edited, record.changed_at || {});
    f.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Earlier versions marked a check-in with the patient's id (config.owner): this page is that
  // patient's, so theirs are taken over under the user's id the worker now sends by.
  function adopt() {
    return outbox("readwrite", function (store) {
      var all = store.getAll();
      all.onsuccess = function () {
        all.result.forEach(function (r) {
          if (r.owner === config.owner && config.owner !== owner) { r.owner = owner; store.put(r); }
        });
      };
      return all;
    });
  }

  function start() {
    localStorage.removeItem("laminar-used-ids");  // the shared list of earlier versions
    var f = form();
    if (!f) return;
    var idField = f.querySelector("[name=submission_id]");
    if (idField && used().indexOf(idField.value) !== -1) idField.value = newId();
    if (config.is_today && config.day !== day()) restore(f, {});  // a copy from an earlier day
    adopt().catch(function () {}).then(function () {
      return sameDay(function () { return true; });
    }).then(function (records) {
      if (!records.length) return;
      records.sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
      var latest = records[records.length - 1];
      restore(f, latest);
      if (latest.state === "refused") {
        reveal("offline-refused", latest.error + " " + Object.values(latest.errors || {}).join(" "));
        outbox("readwrite", function (store) { return store.delete(latest.id); });
      }
    }).catch(function () {});
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.form || el.form.id !== "checkin-form" || !event.isTrusted) return;
    edited[el.name] = new Date().toISOString();
    // The safety card is one answer: a tap on it ("None of these", a sign) answers every sign.
    if (el.name.indexOf("safety_") === 0) {
      Array.prototype.forEach.call(el.form.querySelectorAll("[name^=safety_]"), function (box) {
        edited[box.name] = edited[el.name];
      });
    }
    var code = el.name.replace(/^safety_/, "");
    if (!navigator.onLine && el.value === "yes" && el.checked && config.emergency.indexOf(code) !== -1) {
      reveal("offline-emergency");
    }
  });
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el.form && el.form.id === "checkin-form") edited[el.name] = new Date().toISOString();
  });
  // Offline: keep it on the phone instead of letting htmx (or the browser) post it.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "checkin-form" || navigator.onLine) return;
    event.preventDefault();
    event.stopPropagation();
    keep(event.target);
  }, true);
  // Online but the request never reached the server, or the server failed: keep it too.
  document.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt && event.detail.elt.id === "checkin-form") keep(event.detail.elt);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "checkin-form" && event.detail.xhr.status >= 500) keep(elt);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful || !event.detail.elt || event.detail.elt.id !== "checkin-form") return;
    sameDay(function (r) { return r.state === "pending"; }).then(function (sent) {
      return outbox("readwrite", function (store) { sent.forEach(function (r) { store.delete(r.id); }); });
    }).catch(function () {});
  });
  document.addEventListener("laminar:refused", start);
  document.addEventListener("DOMContentLoaded", start);
})();
