/* Portfolio: after an htmx swap of the table, keep keyboard focus on the header (or filter link) that was
   activated and announce the new result in a live region outside the swapped part. No inline code (CSP);
   without JavaScript the same links simply load the page. */
(function () {
  "use strict";

  var pending = null;

  function describe(link) {
    if (link.matches("a.sort[data-sort]")) {
      return 'a.sort[data-sort="' + link.dataset.sort + '"]';
    }
    if (link.matches("nav.filters a")) {
      return "nav.filters a[aria-current]";
    }
    return null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    pending = source && source.closest && source.closest("#portfolio-table") ? describe(source) : null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var region = document.getElementById("portfolio-table");
    if (!region || !event.detail.target || event.detail.target.id !== "portfolio-table") {
      return;
    }
    var announce = document.getElementById("portfolio-announce");
    var result = document.getElementById("portfolio-result");
    if (announce && result) {
      announce.textContent = result.textContent.replace(/\s+/g, " ").trim();
    }
    if (pending) {
      var target = region.querySelector(pending);
      pending = null;
      if (target) {
        target.focus();
      }
    }
  });
})();
