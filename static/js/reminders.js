// Reminder settings: subscribe this browser to Web Push (VAPID key from the page) and tell
// the server, or unsubscribe. Without support the page says so and e-mail stays available.
(function () {
  "use strict";
  var box = document.getElementById("push");
  if (!box) return;
  var state = document.getElementById("push-state");
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");

  function say(key) { state.textContent = state.getAttribute("data-" + key); }
  function key() {
    var text = box.getAttribute("data-key").replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(text + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function tell(body) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(box.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    });
  }
  function show(subscription) {
    on.hidden = !!subscription;
    off.hidden = !subscription;
    say(subscription ? "on" : "off");
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) { say("unsupported"); return; }
  navigator.serviceWorker.ready.then(function (registration) {
    registration.pushManager.getSubscription().then(show);
    on.addEventListener("click", function () {
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key() })
        .then(function (subscription) { return tell(subscription.toJSON()).then(function () { show(subscription); }); })
        .catch(function () { say(Notification.permission === "denied" ? "denied" : "off"); });
    });
    off.addEventListener("click", function () {
      registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) return show(null);
        return tell({ endpoint: subscription.endpoint, unsubscribe: true })
          .then(function () { return subscription.unsubscribe(); })
          .then(function () { show(null); });
      });
    });
  });
})();
