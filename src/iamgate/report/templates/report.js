
/* Filters the findings table by its rows' data-* attributes. No data is embedded as JSON and
   nothing from the page is ever parsed as HTML: values are compared as strings and written
   with textContent. The URL fragment holds the filter (#severity=high&type=role), both ways. */
(function () {
  "use strict";
  var KEYS = ["severity", "status", "check", "type", "account"];
  var bar = document.getElementById("filters");
  var table = document.getElementById("findings-table");
  if (!bar || !table) { return; }
  var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
    return row.hasAttribute("data-severity");
  });
  var none = document.getElementById("filter-none");
  var count = document.getElementById("filter-count");
  var selects = {};
  KEYS.forEach(function (key) {
    var select = document.getElementById("filter-" + key);
    if (select) { selects[key] = select; }
  });

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var match = KEYS.every(function (key) {
        var select = selects[key];
        return !select || select.value === "" || row.getAttribute("data-" + key) === select.value;
      });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    none.hidden = shown !== 0;
    count.textContent = shown + " of " + rows.length + " shown";
    document.documentElement.setAttribute("data-shown", String(shown));
  }

  function choose(select, value) {
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (!known) {
      // A value asked for in the URL that no row has: keep it, so the table shows 0 rows.
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value + " (0)";
      select.appendChild(option);
    }
    select.value = value;
  }

  function fromFragment() {
    var fragment = window.location.hash.slice(1);
    if (fragment.indexOf("=") < 0) { return; } // a plain #section link
    var params = new URLSearchParams(fragment);
    KEYS.forEach(function (key) {
      if (selects[key]) { choose(selects[key], params.get(key) || ""); }
    });
  }

  function toFragment() {
    var params = new URLSearchParams();
    KEYS.forEach(function (key) {
      if (selects[key] && selects[key].value) { params.set(key, selects[key].value); }
    });
    var text = params.toString();
    try {
      window.history.replaceState(null, "", window.location.href.split("#")[0] + (text ? "#" + text : ""));
    } catch (e) { /* a file: page may refuse; the filter still works */ }
  }

  KEYS.forEach(function (key) {
    if (selects[key]) {
      selects[key].addEventListener("change", function () { apply(); toFragment(); });
    }
  });
  document.getElementById("filter-clear").addEventListener("click", function () {
    KEYS.forEach(function (key) { if (selects[key]) { selects[key].value = ""; } });
    apply();
    toFragment();
  });
  window.addEventListener("hashchange", function () { fromFragment(); apply(); });
  fromFragment();
  apply();
  bar.hidden = false;
}());
