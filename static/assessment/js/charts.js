// Draws the assessment charts from the page's JSON (json_script "assessment-charts"); the
// numbers are also in the table beside each chart. No inline script: the staff CSP forbids it.
(function () {
  "use strict";
  var COLORS = ["#1f5fa8", "#2e7d32", "#f0b400", "#c62828", "#6a1b9a", "#00838f", "#5d4037", "#455a64"];
  var MARK_COLORS = ["#c62828", "#ef6c00", "#f9a825", "#2e7d32"];
  var STATUS_COLORS = ["#2e7d32", "#f9a825", "#90a4ae", "#c62828"];

  function palette(chart) {
    if (chart.key === "marks") return MARK_COLORS;
    if (chart.key === "milestones") return STATUS_COLORS;
    return COLORS;
  }

  function draw() {
    var source = document.getElementById("assessment-charts");
    if (!source || typeof window.Chart === "undefined") return;
    var charts = JSON.parse(source.textContent);
    charts.forEach(function (chart) {
      var canvas = document.querySelector('canvas[data-chart="' + chart.key + '"]');
      if (!canvas) return;
      var colors = palette(chart);
      var stacked = chart.kind === "stacked";
      var line = chart.kind === "line";
      new window.Chart(canvas, {
        type: line ? "line" : "bar",
        data: {
          labels: chart.labels,
          datasets: chart.series.map(function (series, index) {
            return {
              label: series.label,
              data: series.values,
              backgroundColor: colors[index % colors.length],
              borderColor: colors[index % colors.length],
              fill: false,
            };
          }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          indexAxis: stacked ? "y" : "x",
          plugins: { legend: { display: chart.series.length > 1 } },
          elements: { line: { tension: 0 } },
          scales: {
            x: { stacked: stacked, beginAtZero: true },
            y: { stacked: stacked, beginAtZero: true, max: chart.unit === "分" ? 100 : undefined },
          },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
