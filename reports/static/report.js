(function () {
  "use strict";
  var KINDS = ["check", "severity"];
  var toolbar = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function toggles(kind) { return all('button.toggle[data-filter="' + kind + '"]'); }
  function known(kind) { return toggles(kind).map(function (b) { return b.getAttribute("data-value"); }); }
  function pressed(kind) {
    return toggles(kind).filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
      .map(function (b) { return b.getAttribute("data-value"); });
  }
  function currentState() { return {check: pressed("check"), severity: pressed("severity")}; }

  function parse(kind, values) {
    var names = known(kind), out = [], unknown = [];
    var lower = names.map(function (n) { return n.toLowerCase(); });
    values.join(",").split(",").forEach(function (raw) {
      var v = raw.trim().toLowerCase(), at = lower.indexOf(v);
      if (!v || v === "none") { return; }
      if (v === "all") { out = out.concat(names); }
      else if (at >= 0) { out.push(names[at]); }
      else { unknown.push(raw.trim()); }
    });
    if (!out.length && unknown.length) { return {values: names, unknown: unknown}; }
    return {values: out.filter(function (v, i) { return out.indexOf(v) === i; }), unknown: unknown};
  }

  /* The filter as the address bar gives it: ?check=claims&severity=error or #check=claims (the fragment wins). */
  function stateFromUrl() {
    var state = {check: known("check"), severity: known("severity"), unknown: []};
    [location.search, location.hash].forEach(function (part) {
      var params = new URLSearchParams(part.replace(/^[?#]/, ""));
      KINDS.forEach(function (kind) {
        var values = params.getAll(kind);
        if (kind === "check") { values = values.concat(params.getAll("filter")); }
        if (!values.length) { return; }
        var parsed = parse(kind, values);
        state[kind] = parsed.values;
        state.unknown = state.unknown.concat(parsed.unknown);
      });
    });
    return state;
  }

  function describe(kind, values) {
    var names = known(kind);
    if (values.length === names.length) { return "all"; }
    return values.length ? values.join(",") : "none";
  }

  /* The one function both the buttons and the address bar go through. */
  function applyFilter(state, updateUrl) {
    KINDS.forEach(function (kind) {
      toggles(kind).forEach(function (b) {
        var on = state[kind].indexOf(b.getAttribute("data-value")) >= 0;
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
    var shown = 0, total = 0;
    all("[data-filter-item]").forEach(function (el) {
      var sev = el.getAttribute("data-severity");
      var visible = state.check.indexOf(el.getAttribute("data-check")) >= 0 &&
        (!sev || state.severity.indexOf(sev) >= 0);
      el.hidden = !visible;
      if (el.classList.contains("finding") && !el.classList.contains("is-waived")) {
        total += 1;
        if (visible) { shown += 1; }
      }
    });
    all("[data-filter-group]").reverse().forEach(function (el) {
      el.hidden = !el.querySelector("[data-filter-item]:not([hidden])");
    });
    var posts = all(".post"), postsShown = posts.filter(function (p) { return !p.hidden; }).length;
    var text = "Showing " + shown + " of " + total + " findings in " + postsShown + " of " + posts.length +
      " posts (check: " + describe("check", state.check) + "; severity: " + describe("severity", state.severity) + ").";
    if (state.unknown && state.unknown.length) {
      text += " Ignored unknown filter value: " + state.unknown.join(", ") + ".";
    }
    status.textContent = text;
    document.body.setAttribute("data-filter",
      describe("check", state.check) + "|" + describe("severity", state.severity));
    if (updateUrl) {
      var everything = describe("check", state.check) === "all" && describe("severity", state.severity) === "all";
      var fragment = "#check=" + describe("check", state.check) + "&severity=" + describe("severity", state.severity);
      var target = everything && !/[?&](check|filter|severity)=/.test(location.search) ?
        location.pathname + location.search : fragment;
      try { history.replaceState(null, "", target); } catch (err) { location.hash = fragment; }
    }
  }

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-filter]");
    if (!button) { return; }
    var kind = button.getAttribute("data-filter"), action = button.getAttribute("data-action");
    var state = currentState();
    if (action === "all") { state[kind] = known(kind); }
    else if (action === "none") { state[kind] = []; }
    else {
      var value = button.getAttribute("data-value"), at = state[kind].indexOf(value);
      if (at >= 0) { state[kind].splice(at, 1); } else { state[kind].push(value); }
    }
    applyFilter(state, true);
  });
  window.addEventListener("hashchange", function () { applyFilter(stateFromUrl(), false); });
  toolbar.hidden = false;
  applyFilter(stateFromUrl(), false);
})();
