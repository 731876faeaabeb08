// Draws every [data-chart] element with ECharts from the JSON option next to it
// (<script type="application/json" data-chart-option="same name">). The numbers are also in a table.
(function () {
  if (!window.echarts) return;
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.querySelector('[data-chart-option="' + el.dataset.chart + '"]');
    if (!source) return;
    var chart = echarts.init(el);
    chart.setOption(JSON.parse(source.textContent));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
