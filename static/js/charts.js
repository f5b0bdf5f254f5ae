// Trends pages: draw each chart from the figure JSON the page carries in a
// <script type="application/json"> element (json_script), so no inline script is needed.
// A chart is <div class="chart" data-figure="ID">, ID naming that JSON element. Without
// JavaScript (or plotly) the text summary and the table under each chart stay.
(function () {
  "use strict";

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

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

  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) {
      return;
    }
    var charts = root.querySelectorAll("[data-figure]");
    for (var i = 0; i < charts.length; i++) {
      var element = charts[i];
      var source = document.getElementById(element.getAttribute("data-figure"));
      if (!source) {
        continue;
      }
      var figure = JSON.parse(source.textContent);
      if (reducedMotion && reducedMotion.matches) {
        figure.layout.transition = { duration: 0 };
      }
      window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
      if (element.on) {
        element.on("plotly_click", followFlag);
      }
    }
  }

  function init() {
    draw(document);
    // The range switch swaps the #trends fragment in: draw the charts it brings.
    document.body.addEventListener("htmx:afterSettle", function () {
      draw(document.getElementById("trends"));
    });
    document.body.addEventListener("htmx:historyRestore", function () {
      draw(document);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
