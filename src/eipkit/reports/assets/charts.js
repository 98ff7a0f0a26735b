// Draws every <div class="chart" data-figure="..."> with plotly, at its container's width, on first load,
// after an htmx swap and when the window changes size.
(function () {
  "use strict";
  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll("div.chart[data-figure]").forEach(function (box) {
      if (box.dataset.drawn) { return; }
      var figure = JSON.parse(box.dataset.figure);
      var layout = figure.layout || {};
      layout.autosize = true;
      delete layout.width;
      // figures as the page writes them: 600.000 and 0,66 in Vietnamese (not 600k), 600,000 in English
      var vietnamese = (document.documentElement.lang || "vi") === "vi";
      layout.separators = layout.separators || (vietnamese ? ",." : ".,");
      var values = layout.yaxis = layout.yaxis || {};
      if (!values.tickformat && values.type !== "category" && values.type !== "date") { values.tickformat = ",~r"; }
      if (box.clientWidth < 560 && layout.showlegend !== false) {  // a phone: the legend under the plot, not over it
        layout.legend = Object.assign({}, layout.legend || {}, {orientation: "v", x: 0, xanchor: "left", y: -0.25, yanchor: "top"});
      }
      (figure.data || []).forEach(function (trace) {  // a flow diagram on a phone: the nodes' short names
        if (trace.type === "sankey" && trace.node && trace.node.customdata && box.clientWidth < 560) {
          trace.node.label = trace.node.customdata;
        }
      });
      box.dataset.drawn = "1";
      Plotly.newPlot(box, figure.data || [], layout, {displaylogo: false, responsive: true});
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });  // what a swap brought in, wherever it went
})();
