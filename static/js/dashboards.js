// Draws every chart of a dashboard from the Vega-Lite spec the page carries (json_script).
document.querySelectorAll("[data-chart]").forEach(function (element) {
  var spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
  vegaEmbed(element, spec, { actions: false, renderer: "svg" })
    .then(function () { element.dataset.drawn = "true"; })
    .catch(function (error) { element.textContent = error.message; });
});
