// Draws a bar chart on each <canvas data-chart> of the reports page; the table below it holds
// the same figures (the accessible alternative). Chart.js is served from vendor/ (no CDN).
(function () {
  "use strict";
  function draw(canvas) {
    var data = JSON.parse(canvas.getAttribute("data-chart"));
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values, backgroundColor: "#1f4e78" }],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: data.labels.length > 6 ? "y" : "x",
        plugins: { legend: { display: false } },
      },
    });
    canvas.setAttribute("data-drawn", "1");
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
