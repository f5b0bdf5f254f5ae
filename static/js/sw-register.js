// Every page: install the service worker, ask it to send any check-in kept on this phone,
// and show what the server answered. The script tag says whether someone is signed in; a
// signed-out page makes the phone forget the cached check-in page.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!("serviceWorker" in navigator) || !me) return;
  var signedIn = me.getAttribute("data-signed-in") === "1";

  function post(message) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function flush() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (signedIn && navigator.onLine) post({ type: "flush", csrf: token ? token.value : "" });
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
    }
  });

  navigator.serviceWorker.register(me.getAttribute("data-worker"), { scope: "/" }).then(function () {
    if (!signedIn) post({ type: "forget" });
    flush();
  }).catch(function () {});
  window.addEventListener("online", flush);
})();
