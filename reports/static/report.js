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
  var ruleBox = document.getElementById("filter-rule");
  var searchBox = document.getElementById("filter-search");
  function currentState() {
    return {check: pressed("check"), severity: pressed("severity"), rule: ruleBox.value,
            q: searchBox.value.trim()};
  }
  function knownRule(value) {
    var options = Array.prototype.slice.call(ruleBox.options).map(function (o) { return o.value; });
    var at = options.map(function (o) { return o.toLowerCase(); }).indexOf((value || "").toLowerCase());
    return at >= 0 ? options[at] : null;
  }

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
    var state = {check: known("check"), severity: known("severity"), rule: "", q: "", unknown: []};
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
      if (params.has("rule")) {
        var rule = knownRule(params.get("rule"));
        if (rule === null) { state.unknown.push(params.get("rule")); } else { state.rule = rule; }
      }
      if (params.has("q")) { state.q = params.get("q").trim(); }
    });
    return state;
  }

  function describe(kind, values) {
    var names = known(kind);
    if (values.length === names.length) { return "all"; }
    return values.length ? values.join(",") : "none";
  }

  /* Whether an item passes each part of the filter (a search matches its text, its post's title and path). */
  function passes(el, state, skip) {
    var sev = el.getAttribute("data-severity"), rule = el.getAttribute("data-rule");
    if (skip !== "check" && state.check.indexOf(el.getAttribute("data-check")) < 0) { return false; }
    if (skip !== "severity" && sev && state.severity.indexOf(sev) < 0) { return false; }
    if (state.rule && rule !== state.rule) { return false; }
    if (state.q) {
      var post = el.closest(".post"), head = post ? post.querySelector("h2") : null;
      var meta = post ? post.querySelector(".post-meta") : null;
      var text = (el.textContent + " " + (head ? head.textContent : "") + " " + (meta ? meta.textContent : ""));
      if (text.toLowerCase().indexOf(state.q.toLowerCase()) < 0) { return false; }
    }
    return true;
  }

  /* Counts follow the filter: each post's row in the summary, its findings heading, the buttons. */
  function recount(state) {
    all("tr[data-post]").forEach(function (row) {
      var post = document.getElementById(row.getAttribute("data-post"));
      var counts = {};
      if (post) {
        all("#" + post.id + " .finding[data-filter-item]").forEach(function (f) {
          if (f.hidden) { return; }
          if (f.classList.contains("is-waived")) { counts.waived = (counts.waived || 0) + 1; return; }
          ["severity", "check"].forEach(function (kind) {
            var key = kind + ":" + f.getAttribute("data-" + kind);
            counts[key] = (counts[key] || 0) + 1;
          });
        });
      }
      Array.prototype.slice.call(row.querySelectorAll("[data-count]")).forEach(function (cell) {
        var n = counts[cell.getAttribute("data-count")] || 0;
        cell.textContent = String(n);
        cell.classList.toggle("zero", !n);
      });
    });
    all(".post").forEach(function (post) {
      var label = post.querySelector(".shown-count");
      if (!label) { return; }
      var n = post.querySelectorAll(".findings .finding[data-filter-item]:not([hidden])").length;
      var total = label.getAttribute("data-total");
      label.textContent = String(n) === total ? total : n + " of " + total + " shown";
    });
    KINDS.forEach(function (kind) {
      toggles(kind).forEach(function (b) {
        var value = b.getAttribute("data-value"), n = 0;
        all(".finding[data-filter-item]").forEach(function (f) {
          if (f.getAttribute("data-" + kind) === value && passes(f, state, kind)) { n += 1; }
        });
        var count = b.querySelector(".count");
        if (count) { count.textContent = String(n); }
      });
    });
  }

  /* The one function both the buttons and the address bar go through. */
  function applyFilter(state, updateUrl) {
    KINDS.forEach(function (kind) {
      toggles(kind).forEach(function (b) {
        var on = state[kind].indexOf(b.getAttribute("data-value")) >= 0;
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
    state.rule = state.rule || "";
    state.q = state.q || "";
    ruleBox.value = state.rule;
    if (searchBox.value.trim() !== state.q) { searchBox.value = state.q; }
    var shown = 0, total = 0;
    all("[data-filter-item]").forEach(function (el) {
      var visible = passes(el, state, null);
      el.hidden = !visible;
      if (el.classList.contains("finding") && !el.classList.contains("is-waived")) {
        total += 1;
        if (visible) { shown += 1; }
      }
    });
    all("[data-filter-group]").reverse().forEach(function (el) {
      el.hidden = !el.querySelector("[data-filter-item]:not([hidden])");
    });
    recount(state);
    var posts = all(".post"), postsShown = posts.filter(function (p) { return !p.hidden; }).length;
    var text = "Showing " + shown + " of " + total + " findings in " + postsShown + " of " + posts.length +
      " posts (check: " + describe("check", state.check) + "; severity: " + describe("severity", state.severity) +
      (state.rule ? "; rule: " + state.rule : "") + (state.q ? "; search: \u201c" + state.q + "\u201d" : "") + ").";
    if (state.unknown && state.unknown.length) {
      text += " Ignored unknown filter value: " + state.unknown.join(", ") + ".";
    }
    status.textContent = text;
    document.body.setAttribute("data-filter",
      describe("check", state.check) + "|" + describe("severity", state.severity));
    if (updateUrl) {
      var everything = describe("check", state.check) === "all" && describe("severity", state.severity) === "all" &&
        !state.rule && !state.q;
      var fragment = "#check=" + describe("check", state.check) + "&severity=" + describe("severity", state.severity) +
        (state.rule ? "&rule=" + encodeURIComponent(state.rule) : "") + (state.q ? "&q=" + encodeURIComponent(state.q) : "");
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
  ruleBox.addEventListener("change", function () { applyFilter(currentState(), true); });
  searchBox.addEventListener("input", function () { applyFilter(currentState(), true); });
  window.addEventListener("hashchange", function () {
    if (/^#(check|severity|rule|q|filter)=/.test(location.hash)) { applyFilter(stateFromUrl(), false); }
  });
  toolbar.hidden = false;
  /* A heading jumped to (a post from the summary) stops below the sticky filter bar, whatever its height. */
  function barHeight() {
    document.documentElement.style.setProperty("--bar", Math.ceil(toolbar.getBoundingClientRect().height) + "px");
  }
  barHeight();
  window.addEventListener("resize", barHeight);
  applyFilter(stateFromUrl(), false);
})();
