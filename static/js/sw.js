// Laminar's service worker (served at /sw.js; self.LAMINAR is prepended by the server).
// - Keeps the app shell (CSS, scripts, icon) so the check-in page opens without a signal.
// - The check-in page holds the patient's own answers: network first, and the last copy
//   this phone fetched only as the offline fallback. It is forgotten at sign-out.
// - Sends the check-ins kept on the phone (IndexedDB "outbox", written by offline.js) when
//   the connection returns, and tells the open pages what the server answered.
// - A phone may be shared: each check-in carries its owner (the user's public id, given by
//   the page), and only the signed-in person's own are sent. The pages say who that is
//   ("flush"), and a signed-out page says nobody is ("forget").
// - Over the rate limit (429), on a server error (5xx) or without a connection a check-in is
//   kept and sent again later (not before the server's Retry-After).
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

// Version 2 adds "meta" (who is signed in, for a sync while no page is open); offline.js and
// sw-register.js open the same database the same way.
function database(mode, stores, action) {
  return new Promise(function (resolve, reject) {
    var opening = indexedDB.open("laminar", 2);
    opening.onupgradeneeded = function () {
      var db = opening.result;
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id" });
      if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
    };
    opening.onerror = function () { reject(opening.error); };
    opening.onsuccess = function () {
      var tx = opening.result.transaction(stores, mode);
      var request = action(tx);
      tx.oncomplete = function () { opening.result.close(); resolve(request && request.result); };
      tx.onerror = function () { opening.result.close(); reject(tx.error); };
    };
  });
}

function outbox(mode, action) {
  return database(mode, ["outbox"], function (tx) { return action(tx.objectStore("outbox")); });
}

// Who is signed in on this phone ("" for nobody, or someone without an outbox).
function remember(owner) {
  return database("readwrite", ["meta"], function (tx) {
    return tx.objectStore("meta").put(owner || "", "owner");
  }).then(function () { return owner || ""; });
}

function signedIn() {
  return database("readonly", ["meta"], function (tx) { return tx.objectStore("meta").get("owner"); })
    .then(function (owner) { return owner || ""; });
}

function tell(message) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage(message); });
  });
}

function newId() {
  if (self.crypto.randomUUID) return self.crypto.randomUUID();
  var b = self.crypto.getRandomValues(new Uint8Array(16)), h = [];
  b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
  for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
  return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
}

function waitSeconds(response, result) {
  var header = parseInt(response.headers.get("Retry-After") || "", 10);
  if (header > 0) return header;
  return (result && result.retry_after > 0) ? result.retry_after : 0;
}

// Keep the check-in for later, not before `seconds` from now; the pages retry then.
function later(record, seconds) {
  record.not_before = seconds ? Date.now() + seconds * 1000 : 0;
  return outbox("readwrite", function (store) { return store.put(record); })
    .then(function () { return seconds && tell({ type: "laminar-waiting", retry_after: seconds }); })
    .then(function () { return "stop"; });
}

function refused(record, result) {
  record.state = "refused";
  record.error = result.error || "";
  record.errors = result.errors;
  return outbox("readwrite", function (store) { return store.put(record); })
    .then(function () { return tell({ type: "laminar-refused", record: record }); });
}

// Send one check-in; "stop" when the rest of the queue should wait too.
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
    // Signed out, a stale token or a server error page: keep it for later.
    if (!json) return later(record, response.status >= 500 ? waitSeconds(response) : 0);
    return response.json().then(function (result) {
      if (result.status === "safety_saved") {
        // Only the safety answers were kept (§0.1): show their screen now.
        var sent = tell({ type: "laminar-sent", id: record.id, result: result });
        if (response.status === 429 && !Object.keys(result.errors || {}).length) {
          // The rest was refused for now, not wrong: send it again later under a new id
          // (this one is used up by the safety answers).
          return sent.then(function () {
            return outbox("readwrite", function (store) {
              store.delete(record.id);
              record.id = newId();
              return store.put(record);
            });
          }).then(function () { return later(record, waitSeconds(response, result)); });
        }
        return sent.then(function () { return refused(record, result); });
      }
      if (response.ok) {
        return outbox("readwrite", function (store) { return store.delete(record.id); })
          .then(function () { return tell({ type: "laminar-sent", id: record.id, result: result }); });
      }
      // Someone else is signed in now: it stays on the phone for its owner.
      if (result.status === "not_yours") return "stop";
      if (response.status === 400 || response.status === 409) return refused(record, result);
      return later(record, waitSeconds(response, result));  // 429, 5xx
    });
  }, function () { return "stop"; });  // no connection: it stays, and waits for one
}

function flush(csrf) {
  if (sending) return sending;
  sending = signedIn().then(function (me) {
    if (!me) return null;  // nobody signed in: nothing is sent
    return outbox("readonly", function (store) { return store.getAll(); }).then(function (records) {
      var now = Date.now();
      var mine = (records || []).filter(function (record) {
        return record.state === "pending" && record.owner === me && !(record.not_before > now);
      });
      return mine.reduce(function (previous, record) {
        return previous.then(function (outcome) {
          return outcome === "stop" ? outcome : sendOne(record, csrf);
        });
      }, Promise.resolve());
    });
  }).finally(function () { sending = null; });
  return sending;
}

self.addEventListener("sync", function (event) {
  if (event.tag === "laminar-outbox") event.waitUntil(flush());
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var page = event.source;
  if (data.type === "flush") {
    event.waitUntil(remember(data.owner).then(function () { return flush(data.csrf); })
      .catch(function () {}).then(function () {
      if (page) page.postMessage({ type: "laminar-flushed" });
    }));
  }
  if (data.type === "forget") {
    // Signed out: the page copy goes, and nobody's check-ins are sent until someone signs in.
    event.waitUntil(Promise.all([caches.delete(PRIVATE), remember("")]).catch(function () {}));
  }
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
