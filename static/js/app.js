/* Account Desk: the one page script. No inline code anywhere (strict CSP).
   - every htmx request carries the CSRF token from <meta name="csrf-token">;
   - every [data-figure] element is drawn with Plotly on load and after each htmx swap;
   - [data-copy] buttons copy the text of the element they name to the clipboard. */
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

  // "Copy" buttons (admin: a new client's secret, a new user's password): the Clipboard API, no inline code.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    var source = button ? document.querySelector(button.dataset.copy) : null;
    if (!source) {
      return;
    }
    var status = button.parentElement.querySelector(".copy-status");
    var say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    if (!navigator.clipboard) {
      say("Copying is not available here: select the text and copy it.");
      return;
    }
    navigator.clipboard.writeText(source.textContent.trim()).then(
      function () { say("Copied."); },
      function () { say("Could not copy: select the text and copy it."); }
    );
  });

  if (window.htmx) {
    window.htmx.onLoad(drawWithin);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      drawWithin(document);
    });
  }
})();
