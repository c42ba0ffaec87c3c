/* On a phone, fold the filter panel away until asked for (it is open without this script);
   the filters in use stay listed above the results. */
(function () {
  "use strict";
  var NARROW = "(max-width: 45rem)";

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("filters");
    if (!panel || !window.matchMedia || !window.matchMedia(NARROW).matches) { return; }
    panel.open = false;
  });
})();
