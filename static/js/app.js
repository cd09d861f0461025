/* Account Desk: the one page script. No inline code anywhere (strict CSP).
   - every htmx request carries the CSRF token from <meta name="csrf-token">;
   - every [data-figure] element is drawn with Plotly on load and after each htmx swap. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  function draw(element) {
    if (!window.Plotly || element.dataset.drawn === "true") {
      return;
    }
    var figure = JSON.parse(element.dataset.figure);
    element.dataset.drawn = "true";
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config);
  }

  function drawWithin(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches("[data-figure]")) {
      draw(root);
    }
    root.querySelectorAll("[data-figure]").forEach(draw);
  }

  // Free the plots that a swap is about to remove.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (window.Plotly && event.detail.target) {
      event.detail.target.querySelectorAll(".js-plotly-plot").forEach(function (plot) {
        window.Plotly.purge(plot);
      });
    }
  });

  // A failed swap (an error page) should not vanish silently: load the URL as a page instead.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status !== 401 && event.detail.requestConfig) {
      window.location.assign(event.detail.requestConfig.path);
    }
  });

  if (window.htmx) {
    window.htmx.onLoad(drawWithin);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      drawWithin(document);
    });
  }
})();
