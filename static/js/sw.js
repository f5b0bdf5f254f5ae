// Laminar's service worker (served at /sw.js; self.LAMINAR is prepended by the server).
// - Keeps the app shell (CSS, scripts, icon) so the check-in page opens without a signal.
// - The check-in page holds the patient's own answers: network first, and the last copy
//   this phone fetched only as the offline fallback. It is forgotten at sign-out.
// - Sends the check-ins kept on the phone (IndexedDB "outbox", written by offline.js) when
//   the connection returns, and tells the open pages what the server answered.
"use strict";

var CONFIG = self.LAMINAR;
var SHELL = "laminar-shell-" + CONFIG.version;
var PRIVATE = "laminar-private";
var sending = null;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("laminar-shell-") === 0 && name !== SHELL;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function checkinPage(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PRIVATE).then(function (cache) { cache.put(CONFIG.checkin, copy); });
    } else if (response.redirected) {
      caches.delete(PRIVATE);  // signed out: this phone no longer keeps the page
    }
    return response;
  }).catch(function () {
    return caches.open(PRIVATE).then(function (cache) {
      return cache.match(CONFIG.checkin, { ignoreVary: true });
    }).then(function (cached) { return cached || Response.error(); });
  });
}

function staticFile(request) {
  return caches.match(request, { ignoreVary: true }).then(function (cached) {
    return cached || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.checkin && !url.search) {
    event.respondWith(checkinPage(request));
  } else if (CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(staticFile(request));
  }
});

// --- The outbox ---------------------------------------------------------------------------

function outbox(mode, action) {
  return new Promise(function (resolve, reject) {
    var opening = indexedDB.open("laminar", 1);
    opening.onupgradeneeded = function () { opening.result.createObjectStore("outbox", { keyPath: "id" }); };
    opening.onerror = function () { reject(opening.error); };
    opening.onsuccess = function () {
      var tx = opening.result.transaction("outbox", mode);
      var request = action(tx.objectStore("outbox"));
      tx.oncomplete = function () { resolve(request && request.result); };
      tx.onerror = function () { reject(tx.error); };
    };
  });
}

function tell(message) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage(message); });
  });
}

function sendOne(record, csrf) {
  var body = { client_id: record.id, day: record.day, owner: record.owner,
               fields: record.fields, changed_at: record.changed_at };
  return fetch(CONFIG.send, {
    method: "POST",
    credentials: "same-origin",
    redirect: "manual",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || record.csrf },
    body: JSON.stringify(body)
  }).then(function (response) {
    var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
    if (!json) return false;  // signed out or the token is stale: keep it for later
    return response.json().then(function (result) {
      if (response.ok && result.status === "safety_saved") {
        // Only the safety answers were kept: show the screen, keep the rest to correct.
        record.state = "refused";
        record.error = result.error || "";
        record.errors = result.errors;
        return outbox("readwrite", function (store) { return store.put(record); })
          .then(function () { return tell({ type: "laminar-sent", id: record.id, result: result }); })
          .then(function () { return tell({ type: "laminar-refused", record: record }); });
      }
      if (response.ok) {
        return outbox("readwrite", function (store) { return store.delete(record.id); })
          .then(function () { return tell({ type: "laminar-sent", id: record.id, result: result }); });
      }
      if (response.status === 400 || response.status === 409) {
        record.state = "refused";
        record.error = result.error;
        record.errors = result.errors;
        return outbox("readwrite", function (store) { return store.put(record); })
          .then(function () { return tell({ type: "laminar-refused", record: record }); });
      }
      return false;
    });
  });
}

function flush(csrf) {
  if (sending) return sending;
  sending = outbox("readonly", function (store) { return store.getAll(); }).then(function (records) {
    var pending = (records || []).filter(function (record) { return record.state === "pending"; });
    return pending.reduce(function (previous, record) {
      return previous.then(function () { return sendOne(record, csrf); });
    }, Promise.resolve());
  }).finally(function () { sending = null; });
  return sending;
}

self.addEventListener("sync", function (event) {
  if (event.tag === "laminar-outbox") event.waitUntil(flush());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "flush") event.waitUntil(flush(data.csrf).catch(function () {}));
  if (data.type === "forget") event.waitUntil(caches.delete(PRIVATE));
});

// --- Daily reminders by Web Push (tracker/reminders.py) -------------------------------------

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Laminar", {
    body: data.body || "", icon: CONFIG.shell.filter(function (u) { return /icon/.test(u); })[0],
    data: { url: data.url || CONFIG.checkin }, tag: "laminar-reminder"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
