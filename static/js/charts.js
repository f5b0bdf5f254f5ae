// Trends pages: every chart arrives drawn by the server as an SVG, so a phone shows it at
// once without running any script. plotly.js (1.2 MB, seconds of work on a slow phone) is
// fetched only when the patient taps a chart or its "Show each day's value" button; that
// chart is then redrawn by plotly from the figure JSON the page carries in a
// <script type="application/json"> element (json_script), where a tap shows each value.
// A chart the server did not draw (<div data-figure="ID"> without .chart-drawn, e.g. the
// clinic's funnel plot on a staff page) is drawn by plotly as the page loads.
// Without JavaScript the SVG, the text summary and the table under each chart stay.
(function () {
  "use strict";

  var self = document.currentScript;
  var plotlySource = self && self.getAttribute("data-plotly");
  var nonce = self && self.nonce;
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) {
      return Promise.resolve(window.Plotly);
    }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = plotlySource;
        if (nonce) {
          tag.nonce = nonce;
        }
        tag.onload = function () {
          resolve(window.Plotly);
        };
        tag.onerror = function () {
          loading = null;
          reject(new Error("plotly.js did not load"));
        };
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function followFlag(event) {
    var point = event && event.points && event.points[0];
    if (!point || point.data.meta !== "flag-links") {
      return;
    }
    var link = point.customdata && point.customdata[1];
    // Only links within this site: a path, never a scheme or another host.
    if (typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/") {
      window.location.assign(link);
    }
  }

  function plot(element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source || element.getAttribute("data-plotted")) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    if (reducedMotion && reducedMotion.matches) {
      figure.layout.transition = { duration: 0 };
    }
    element.setAttribute("data-plotted", "true");
    element.classList.remove("chart-drawn");
    element.textContent = "";
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
    if (element.on) {
      element.on("plotly_click", followFlag);
    }
    var button = document.querySelector('[data-explore="' + element.getAttribute("data-figure") + '"]');
    if (button) {
      button.hidden = true;
    }
  }

  function explore(element) {
    if (!element || element.getAttribute("data-plotted")) {
      return;
    }
    element.setAttribute("aria-busy", "true");
    loadPlotly()
      .then(function () {
        plot(element);
      })
      .catch(function () {
        // The drawn SVG and the table stay; the next tap tries again.
      })
      .then(function () {
        element.removeAttribute("aria-busy");
      });
  }

  function chartOf(target) {
    if (!target || !target.closest) {
      return null;
    }
    var button = target.closest("[data-explore]");
    if (button) {
      return document.querySelector('[data-figure="' + button.getAttribute("data-explore") + '"]');
    }
    return target.closest(".chart-drawn[data-figure]");
  }

  function prepare(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var buttons = root.querySelectorAll("[data-explore]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
    }
    var undrawn = root.querySelectorAll("[data-figure]:not(.chart-drawn):not([data-plotted])");
    for (var j = 0; j < undrawn.length; j++) {
      explore(undrawn[j]);
    }
  }

  function init() {
    prepare(document);
    document.addEventListener("click", function (event) {
      explore(chartOf(event.target));
    });
    // The range switch swaps the #trends fragment in: its charts come drawn as SVG again.
    document.body.addEventListener("htmx:afterSettle", function () {
      prepare(document.getElementById("trends"));
    });
    document.body.addEventListener("htmx:historyRestore", function () {
      prepare(document);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
