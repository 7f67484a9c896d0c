
/* Filters the findings table by its rows' data-* attributes. No data is embedded as JSON and
   nothing from the page is ever parsed as HTML: values are compared as strings and written
   with textContent. The URL fragment holds the filter (#severity=high&type=role), both ways.
   A check with many findings lists its first ones; the rest wait in a <template> (parsed, never
   laid out), each as its filter attributes, its resource and its message, and are moved into
   the table, in order and completed with DOM calls (as the template writes a row), when a
   filter or "Show more" wants them. The counts are over every row, listed or waiting. */
(function () {
  "use strict";
  var KEYS = ["severity", "status", "check", "type", "account"];
  var STATUS = { "new": ["fail", "New"], "expired": ["expired", "Expired"] };
  var MORE = 1000; // rows more per click
  var bar = document.getElementById("filters");
  var table = document.getElementById("findings-table");
  if (!bar || !table) { return; }
  var FIRST = parseInt(table.getAttribute("data-first"), 10) || 100; // rows of a check at first
  var none = document.getElementById("filter-none");
  var count = document.getElementById("filter-count");
  var selects = {};
  KEYS.forEach(function (key) {
    var select = document.getElementById("filter-" + key);
    if (select) { selects[key] = select; }
  });

  // Consecutive rows of one check, with the template and the "more" row that follow them.
  var groups = [];
  var group = null;
  Array.prototype.forEach.call(table.tBodies[0].children, function (el) {
    if (el.tagName === "TR" && el.hasAttribute("data-severity")) {
      if (!group || group.waiting || group.check !== el.getAttribute("data-check")) {
        group = { check: el.getAttribute("data-check"), rows: [], waiting: null, next: 0, more: null, limit: FIRST };
        groups.push(group);
      }
      group.rows.push(el);
    } else if (el.tagName === "TEMPLATE" && group) {
      group.template = el;
      group.title = el.getAttribute("data-title") || "";
      group.waiting = Array.prototype.slice.call(el.content.children);
    } else if (el.classList.contains("more") && group) {
      group.more = el;
      el.querySelector("button").addEventListener("click", (function (g) {
        return function () { g.limit += MORE; show(g); counted(); };
      }(group)));
    }
  });

  var accounts = table.querySelector("col.c-acct") !== null;

  function matches(row, g) {
    return KEYS.every(function (key) {
      var select = selects[key];
      var value = key === "check" ? g.check : row.getAttribute("data-" + key);
      return !select || select.value === "" || value === select.value;
    });
  }

  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  // An ARN that may wrap after each run of "/" or ":" (as the template's `breakable` writes it).
  function arn(text) {
    var el = document.createElement("span");
    el.className = "mono arn";
    text.split(/(?<=[\/:])(?=[^\/:])/).forEach(function (part, i) {
      if (i) { el.appendChild(document.createElement("wbr")); }
      el.appendChild(document.createTextNode(part));
    });
    return el;
  }

  // A waiting row, as the page lists it: severity, status and check cells before its resource
  // cell (with its type), the account after it (several accounts), as the template writes them.
  function complete(row, g) {
    var severity = row.getAttribute("data-severity") || "";
    var status = STATUS[row.getAttribute("data-status")] || ["", ""];
    var cells = [document.createElement("td"), document.createElement("td"), document.createElement("td")];
    cells[0].appendChild(span("sev sev-" + severity, severity.charAt(0).toUpperCase() + severity.slice(1)));
    if (row.classList.contains("below")) { cells[0].appendChild(span("sub", "below threshold")); }
    cells[1].appendChild(span("st st-" + status[0], status[1]));
    cells[2].appendChild(span("mono", g.check));
    cells[2].appendChild(span("sub", g.title));
    var resource = row.firstElementChild;
    var type = row.getAttribute("data-type") || "";
    var name = arn(resource.textContent);
    resource.textContent = "";
    if (type) {
      resource.appendChild(span("rtype", type));
      resource.appendChild(document.createTextNode(" "));
    }
    resource.appendChild(name);
    cells.forEach(function (cell) { row.insertBefore(cell, resource); });
    if (accounts) {
      var account = document.createElement("td");
      account.className = "mono";
      account.textContent = row.getAttribute("data-account") || "";
      row.insertBefore(account, resource.nextElementSibling);
    }
    row.setAttribute("data-check", g.check);
  }

  // Lay out the group's first `limit` matching rows; returns how many rows match in all.
  function show(g) {
    var listed = 0;
    var matching = 0;
    g.rows.forEach(function (row) {
      var match = matches(row, g);
      if (match) { matching += 1; }
      row.hidden = !(match && listed < g.limit);
      if (!row.hidden) { listed += 1; }
    });
    if (!g.waiting) { return matching; }
    for (var i = g.next; i < g.waiting.length; i += 1) {
      if (matches(g.waiting[i], g)) { matching += 1; }
    }
    while (listed < g.limit && g.next < g.waiting.length) {
      var row = g.waiting[g.next];
      g.next += 1;
      complete(row, g);
      g.template.parentNode.insertBefore(row, g.template);
      g.rows.push(row);
      row.hidden = !matches(row, g);
      if (!row.hidden) { listed += 1; }
    }
    var left = matching - listed;
    g.more.hidden = left <= 0;
    g.more.querySelector(".more-count").textContent =
      left + " more matching finding" + (left === 1 ? "" : "s") + " of " + g.check;
    g.shown = matching;
    return matching;
  }

  var total = 0;
  groups.forEach(function (g) { total += g.rows.length + (g.waiting ? g.waiting.length : 0); });

  function counted() {
    var shown = 0;
    groups.forEach(function (g) { shown += g.shown; });
    none.hidden = shown !== 0;
    count.textContent = shown + " of " + total + " shown";
    document.documentElement.setAttribute("data-shown", String(shown));
  }

  function apply() {
    groups.forEach(function (g) { g.shown = show(g); });
    counted();
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
