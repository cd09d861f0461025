/* Account Desk admin pages: small enhancements; every page works without them (strict CSP, no inline code).
   - [data-filter-list] inputs filter a list of labels as you type (the assignment picker): each label's
     data-filter-text is matched; hidden checkboxes keep their state and are still submitted. Without JS,
     the input's own GET form filters on the server. */
(function () {
  "use strict";

  function filterList(input) {
    var list = document.querySelector(input.dataset.filterList);
    if (!list) {
      return;
    }
    var needle = input.value.trim().toLowerCase();
    var labels = list.querySelectorAll("label[data-filter-text]");
    var shown = 0;
    labels.forEach(function (label) {
      var match = needle === "" || label.dataset.filterText.indexOf(needle) !== -1;
      label.hidden = !match;
      shown += match ? 1 : 0;
    });
    var status = input.dataset.filterStatus ? document.querySelector(input.dataset.filterStatus) : null;
    if (status) {
      var checked = list.querySelectorAll("input[type=checkbox]:checked").length;
      var what = needle === "" ? shown + " organisations" : shown + " of " + labels.length + " match \u201c" + input.value.trim() + "\u201d";
      status.textContent = what + " \u00b7 " + checked + " ticked";
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-filter-list]")) {
      filterList(event.target);
    }
  });

  // Ticking a box updates the count of ticks (filtered-out ticks included: they are saved too).
  document.addEventListener("change", function (event) {
    var list = event.target.closest ? event.target.closest("[id]") : null;
    var input = list ? document.querySelector('[data-filter-list="#' + list.id + '"]') : null;
    if (input) {
      filterList(input);
    }
  });

  // With the live filter, Enter must not reload the page (and drop ticks not yet saved).
  document.addEventListener("submit", function (event) {
    if (event.target.querySelector && event.target.querySelector("[data-filter-list]")) {
      event.preventDefault();
      filterList(event.target.querySelector("[data-filter-list]"));
    }
  });
})();
