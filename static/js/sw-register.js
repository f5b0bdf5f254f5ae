// Every page: install the service worker, ask it to send the signed-in person's check-ins
// kept on this phone, and show what the server answered. The script tag says whether someone
// is signed in and whose check-ins are theirs (data-owner, a patient's public id); a
// signed-out page makes the phone forget the cached check-in page.
//
// Signing out on a shared phone: if this person's check-ins are still waiting on the phone,
// the phone tries to send them first, and otherwise says so plainly and lets them keep them
// (sent when they next sign in here, never under anyone else) or delete them.
(function () {
  "use strict";
  // The phone's outbox (IndexedDB "laminar", version 2, as sw.js opens it): `database(mode,
  // action)` runs `action(store)` in one transaction and resolves with its request's result.
  // Shared with offline.js as window.laminarOutbox (this script is on every page, before it).
  function database(mode, action) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("laminar", 2);  // as in sw.js
      opening.onupgradeneeded = function () {
        var db = opening.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
      };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var tx = opening.result.transaction("outbox", mode);
        var request = action(tx.objectStore("outbox"));
        tx.oncomplete = function () { opening.result.close(); resolve(request && request.result); };
        tx.onerror = function () { opening.result.close(); reject(tx.error); };
      };
    });
  }
  window.laminarOutbox = database;

  var me = document.currentScript;
  if (!("serviceWorker" in navigator) || !me) return;
  var signedIn = me.getAttribute("data-signed-in") === "1";
  var owner = me.getAttribute("data-owner") || "";
  var signOutUrl = me.getAttribute("data-sign-out");
  var retry = null;

  function post(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function flush() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (signedIn && navigator.onLine) post({ type: "flush", csrf: token ? token.value : "", owner: owner });
  }

  // Ask the worker to send now; resolves when it has tried (or after a few seconds).
  function sendNow() {
    return new Promise(function (resolve) {
      var done = function (event) {
        if ((event.data || {}).type !== "laminar-flushed") return;
        navigator.serviceWorker.removeEventListener("message", done);
        resolve();
      };
      navigator.serviceWorker.addEventListener("message", done);
      flush();
      setTimeout(resolve, 8000);
    });
  }

  function show(html, replace) {
    var main = document.getElementById("main");
    if (!main || !html) return;
    if (replace) main.innerHTML = html; else main.insertAdjacentHTML("afterbegin", html);
    main.focus();
    window.scrollTo(0, 0);
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "laminar-sent") {
      var result = data.result;
      // The safety screen comes first (§0.1): it replaces the page when it asks for action.
      var act = result.level === "emergency" || result.level === "urgent" || document.getElementById("checkin-form");
      show(result.merge_html + result.screen_html, act);
      document.dispatchEvent(new CustomEvent("laminar:sent", { detail: data }));
    } else if (data.type === "laminar-refused") {
      document.dispatchEvent(new CustomEvent("laminar:refused", { detail: data.record }));
    } else if (data.type === "laminar-waiting") {
      // The server asked the phone to wait (rate limit or a server error): try again then.
      clearTimeout(retry);
      retry = setTimeout(flush, data.retry_after * 1000 + 1000);
    }
  });

  navigator.serviceWorker.register(me.getAttribute("data-worker"), { scope: "/" }).then(function () {
    if (!signedIn) post({ type: "forget" });
    flush();
  }).catch(function () {});
  window.addEventListener("online", flush);

  // --- Signing out ---------------------------------------------------------------------------

  // This person's check-ins not yet sent (waiting, or kept to be corrected).
  function waiting() {
    return database("readonly", function (store) { return store.getAll(); }).then(function (records) {
      return (records || []).filter(function (record) { return record.owner === owner; });
    });
  }

  function leave(form, forgetIds) {
    if (forgetIds) localStorage.removeItem("laminar-used-ids:" + owner);
    form.setAttribute("data-checked", "1");
    form.submit();
  }

  function describe(dialog, records) {
    var lang = document.documentElement.lang || undefined;
    var days = records.map(function (record) {
      var date = new Date(record.day + "T12:00:00");
      return date.toLocaleDateString(lang, { weekday: "long", day: "numeric", month: "long" });
    });
    dialog.querySelector("[data-outbox-days]").textContent = days.join(", ");
  }

  function warn(form, records) {
    var dialog = document.getElementById("outbox-sign-out");
    if (!dialog || !dialog.showModal) return leave(form, false);
    var status = dialog.querySelector("[data-outbox-status]");
    describe(dialog, records);
    status.textContent = "";
    dialog.onclick = function (event) {
      var action = event.target.getAttribute && event.target.getAttribute("data-outbox");
      if (action === "stay") dialog.close();
      if (action === "keep") leave(form, false);
      if (action === "discard") {
        database("readwrite", function (store) {
          records.forEach(function (record) { store.delete(record.id); });
        }).then(function () { leave(form, true); });
      }
      if (action === "send") {
        if (!navigator.onLine) { status.textContent = status.getAttribute("data-offline"); return; }
        status.textContent = status.getAttribute("data-sending");
        sendNow().then(waiting).then(function (left) {
          if (!left.length) return leave(form, true);
          describe(dialog, left);
          status.textContent = status.getAttribute("data-not-sent");
        });
      }
    };
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!owner || !signOutUrl || form.getAttribute("action") !== signOutUrl) return;
    if (form.getAttribute("data-checked")) return;
    event.preventDefault();
    waiting().then(function (records) {
      if (!records.length || !navigator.onLine) return records;
      return sendNow().then(waiting);  // try to send them first
    }).then(function (records) {
      if (records.length) warn(form, records); else leave(form, true);
    }, function () { leave(form, false); });
  }, true);
})();
