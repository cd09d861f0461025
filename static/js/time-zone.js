/* Account page: offer the browser's own time zone (Intl) in the time-zone select. Without JavaScript
   the select works on its own; this only saves scrolling. No inline code anywhere (strict CSP). */
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function offer() {
    var select = document.getElementById("time_zone");
    var box = document.getElementById("browser-zone");
    var zone = browserZone();
    if (!select || !box || !zone || select.value === zone) {
      return;
    }
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (!known) {
      return;
    }
    box.querySelector("[data-browser-zone-name]").textContent = zone;
    box.querySelector("[data-use-browser-zone]").addEventListener("click", function () {
      select.value = zone;
      box.hidden = true;
      select.focus();
    });
    box.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", offer);
  } else {
    offer();
  }
})();
