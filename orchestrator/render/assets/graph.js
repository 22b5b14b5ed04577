(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var svg = document.getElementById("graph");
  var details = document.getElementById("details");
  var hint = details.innerHTML;
  var search = document.getElementById("search");
  var searchCount = document.getElementById("search-count");
  var info = new Map(), deps = new Map(), rdeps = new Map(), elements = new Map();
  data.nodes.forEach(function (n) { info.set(n.name, n); deps.set(n.name, []); rdeps.set(n.name, []); });
  data.nodes.forEach(function (n) {
    n.deps.forEach(function (d) {
      if (info.has(d.name)) { deps.get(n.name).push(d.name); rdeps.get(d.name).push(n.name); }
    });
  });
  svg.querySelectorAll(".node[data-name]").forEach(function (el) {
    elements.set(el.getAttribute("data-name"), el);
  });
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge[data-source]"));
  var full = { x: 0, y: 0, w: data.width, h: data.height + 56 };  // room for the legend
  var READABLE = 0.85;  // screen pixels per unit: 13px names stay at least 11px tall
  var FAR = 0.5;        // below this scale, versions hide and edges fade
  var MAX_SCALE = 4;
  var view = Object.assign({}, full);
  var selected = null;
  var minimap = document.getElementById("minimap");
  var miniView = null;

  function screen() { return { w: svg.clientWidth || 800, h: svg.clientHeight || 600 }; }
  function scale() { var s = screen(); return Math.min(s.w / view.w, s.h / view.h); }
  function fitScale() { var s = screen(); return Math.min(s.w / full.w, s.h / full.h); }
  function minScale() { return Math.min(fitScale() * 0.8, READABLE); }
  function applyView() {
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) {
      return v.toFixed(1); }).join(" "));
    svg.classList.toggle("lod-far", scale() < FAR);
    if (miniView) {
      minimap.hidden = scale() <= fitScale() * 1.2;  // nothing to find when all is in view
      ["x", "y"].forEach(function (k) { miniView.setAttribute(k, view[k].toFixed(1)); });
      miniView.setAttribute("width", view.w.toFixed(1));
      miniView.setAttribute("height", view.h.toFixed(1));
    }
  }
  function setView(cx, cy, k) {
    var s = screen();
    view = { x: cx - s.w / k / 2, y: cy - s.h / k / 2, w: s.w / k, h: s.h / k };
    applyView();
  }
  function toGraph(clientX, clientY) {
    var m = svg.getScreenCTM().inverse();
    var p = svg.createSVGPoint(); p.x = clientX; p.y = clientY;
    return p.matrixTransform(m);
  }
  function zoom(factor, cx, cy) {
    var k = Math.max(minScale(), Math.min(MAX_SCALE, scale() / factor));
    factor = scale() / k;
    view.x = cx - (cx - view.x) * factor; view.y = cy - (cy - view.y) * factor;
    view.w = view.w * factor; view.h = view.h * factor; applyView();
  }
  function zoomCentre(factor) { zoom(factor, view.x + view.w / 2, view.y + view.h / 2); }
  function fit() { setView(full.x + full.w / 2, full.y + full.h / 2, fitScale()); }
  function clamp(centre, half, lo, hi) {
    return hi - lo <= 2 * half ? (lo + hi) / 2 : Math.max(lo + half, Math.min(hi - half, centre));
  }
  function showAround(nodes, k) {
    var s = screen(), left = Infinity, right = -Infinity, top = Infinity;
    nodes.forEach(function (n) {
      left = Math.min(left, n.x - n.w / 2); right = Math.max(right, n.x + n.w / 2);
      top = Math.min(top, n.y - 22);
    });
    var halfW = s.w / k / 2, halfH = s.h / k / 2;
    setView(clamp((left + right) / 2, halfW, full.x, full.x + full.w),
            clamp(top - 40 + halfH, halfH, full.y, full.y + full.h), k);
  }
  function centreOn(name) {
    var n = info.get(name);
    setView(n.x, n.y, Math.max(scale(), Math.min(1, READABLE * 1.2)));
  }
  // Small graphs open whole; large ones open readable, on what the reader came for: the
  // changed packages, else the affected or focused ones, else the top layer.
  function initialView() {
    if (fitScale() >= READABLE) { fit(); return; }
    var pick = [
      function (n) { return n.state === "changed"; },
      function (n) { return n.state !== null; },
      function (n) { return n.focus; },
    ];
    for (var i = 0; i < pick.length; i++) {
      var found = data.nodes.filter(pick[i]);
      if (found.length) { showAround(found, 1); return; }
    }
    var top = Math.min.apply(null, data.nodes.map(function (n) { return n.y; }));
    showAround(data.nodes.filter(function (n) { return n.y === top; }), 1);
  }
  function buildMinimap() {
    if (fitScale() >= READABLE) { return; }
    var ns = "http://www.w3.org/2000/svg";
    var map = document.createElementNS(ns, "svg");
    map.setAttribute("viewBox", [full.x, full.y, full.w, full.h].join(" "));
    var width = 200, height = Math.max(60, Math.min(160, width * full.h / full.w));
    map.setAttribute("width", String(width)); map.setAttribute("height", height.toFixed(0));
    data.nodes.forEach(function (n) {
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", (n.x - n.w / 2).toFixed(0)); r.setAttribute("y", (n.y - 22).toFixed(0));
      r.setAttribute("width", n.w.toFixed(0)); r.setAttribute("height", "44");
      r.setAttribute("class", n.state ? "state-" + n.state : n.kind);
      map.appendChild(r);
    });
    miniView = document.createElementNS(ns, "rect");
    miniView.setAttribute("class", "view");
    map.appendChild(miniView);
    minimap.appendChild(map);
    var dragging = false;
    function jump(e) {
      var m = map.getScreenCTM().inverse(), p = map.createSVGPoint();
      p.x = e.clientX; p.y = e.clientY; p = p.matrixTransform(m);
      setView(p.x, p.y, scale());
    }
    map.addEventListener("pointerdown", function (e) {
      dragging = true; map.setPointerCapture(e.pointerId); jump(e);
    });
    map.addEventListener("pointermove", function (e) { if (dragging) { jump(e); } });
    map.addEventListener("pointerup", function () { dragging = false; });
  }

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = toGraph(e.clientX, e.clientY);
    zoom(Math.exp(e.deltaY * 0.0015), p.x, p.y);
  }, { passive: false });
  var drag = null, moved = false;
  svg.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) { return; }
    drag = { x: e.clientX, y: e.clientY, view: Object.assign({}, view), scale: svg.getScreenCTM().a };
    moved = false;
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) { return; }
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    if (!moved) { svg.setPointerCapture(e.pointerId); svg.classList.add("panning"); }
    moved = true;
    view.x = drag.view.x - dx / drag.scale; view.y = drag.view.y - dy / drag.scale; applyView();
  });
  function endDrag() { drag = null; svg.classList.remove("panning"); }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("click", function (e) {
    if (moved) { moved = false; return; }
    var el = e.target.closest ? e.target.closest(".node[data-name]") : null;
    if (el) { select(el.getAttribute("data-name")); } else { clear(); }
  });
  svg.addEventListener("keydown", function (e) {
    var el = e.target.closest ? e.target.closest(".node[data-name]") : null;
    if (el && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); select(el.getAttribute("data-name")); }
  });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1 / 1.3); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(1.3); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { search.value = ""; runSearch(); clear(); }
    if (e.key === "/" && document.activeElement !== search) { e.preventDefault(); search.focus(); }
  });

  function closure(start, adjacency) {
    var seen = new Set(), stack = [start];
    while (stack.length) {
      adjacency.get(stack.pop()).forEach(function (m) {
        if (!seen.has(m)) { seen.add(m); stack.push(m); }
      });
    }
    return seen;
  }
  function clearClasses() {
    elements.forEach(function (el) { el.classList.remove("selected", "hl-dep", "hl-rdep"); });
    edges.forEach(function (el) { el.classList.remove("hl-dep", "hl-rdep"); });
  }
  function clear() {
    selected = null; clearClasses(); svg.classList.remove("has-selection");
    details.innerHTML = hint;
  }
  function select(name) {
    if (!info.has(name)) { return; }
    clearClasses(); selected = name;
    var up = closure(name, deps), down = closure(name, rdeps);
    svg.classList.add("has-selection");
    up.forEach(function (m) { elements.get(m).classList.add("hl-dep"); });
    down.forEach(function (m) { elements.get(m).classList.add("hl-rdep"); });
    elements.get(name).classList.add("selected");
    edges.forEach(function (el) {
      var s = el.getAttribute("data-source"), t = el.getAttribute("data-target");
      if ((s === name || up.has(s)) && up.has(t)) { el.classList.add("hl-dep"); }
      else if ((t === name || down.has(t)) && down.has(s)) { el.classList.add("hl-rdep"); }
    });
    showDetails(info.get(name), up.size, down.size);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function link(name) {
    var a = el("a", name);
    a.href = "#"; a.addEventListener("click", function (e) { e.preventDefault(); select(name); centreOn(name); });
    return a;
  }
  function row(dl, term, value) { dl.appendChild(el("dt", term)); dl.appendChild(el("dd", value)); }
  function reasonItem(r) {
    var li = el("li");
    if (r.type === "dependency" || r.type === "removed-dependency") {
      li.appendChild(document.createTextNode(r.type === "dependency" ? "depends on " : "lost dependency "));
      if (info.has(r.via)) { li.appendChild(link(r.via)); } else { li.appendChild(el("code", r.via)); }
      if (r.kind) { li.appendChild(el("span", r.kind, "badge")); }
      return li;
    }
    li.appendChild(el("span", data.reasonLabels[r.type] || r.type));
    if (r.detail) { li.appendChild(el("div", r.detail)); }
    var files = r.files || [];
    files.slice(0, 12).forEach(function (f) { li.appendChild(el("div")).appendChild(el("code", f)); });
    if (files.length > 12) { li.appendChild(el("div", "and " + (files.length - 12) + " more")); }
    return li;
  }
  function edgeItem(name, edge) {
    var li = el("li");
    li.appendChild(info.has(name) ? link(name) : el("span", name));
    edge.kinds.forEach(function (k) {
      var spec = edge.specifiers[k];
      li.appendChild(el("span", spec ? k + " " + spec : k, "badge"));
    });
    return li;
  }
  function section(title, items) {
    var frag = document.createDocumentFragment();
    frag.appendChild(el("h3", title + " (" + items.length + ")"));
    var ul = el("ul");
    items.forEach(function (li) { ul.appendChild(li); });
    if (!items.length) { ul.appendChild(el("li", "none")); }
    frag.appendChild(ul);
    return frag;
  }
  function showDetails(n, upCount, downCount) {
    details.textContent = "";
    var h = el("h2", n.name); details.appendChild(h);
    details.appendChild(el("span", n.kind, "badge " + n.kind));
    if (n.state) { details.appendChild(el("span", data.stateLabels[n.state], "badge " + n.state)); }
    var dl = el("dl");
    row(dl, "version", n.version || "dynamic");
    row(dl, "path", n.path);
    row(dl, "folder", n.folder);
    row(dl, "all dependencies", String(upCount));
    row(dl, "all dependents", String(downCount));
    details.appendChild(dl);
    if (n.reasons.length) { details.appendChild(section("Why affected", n.reasons.map(reasonItem))); }
    details.appendChild(section("Depends on", n.deps.map(function (d) { return edgeItem(d.name, d); })));
    var users = rdeps.get(n.name).map(function (s) {
      var e = info.get(s).deps.filter(function (d) { return d.name === n.name; })[0];
      return edgeItem(s, e);
    });
    details.appendChild(section("Used by", users));
  }

  function runSearch() {
    var q = search.value.trim().toLowerCase();
    var matches = [];
    elements.forEach(function (el, name) {
      var hit = q !== "" && name.indexOf(q) !== -1;
      el.classList.toggle("match", hit);
      if (hit) { matches.push(name); }
    });
    svg.classList.toggle("searching", q !== "");
    searchCount.textContent = q === "" ? "" : matches.length + (matches.length === 1 ? " match" : " matches");
    return matches;
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") { return; }
    var matches = runSearch();
    if (matches.length) { select(matches[0]); centreOn(matches[0]); }
  });

  window.addEventListener("resize", function () {
    setView(view.x + view.w / 2, view.y + view.h / 2, scale());
  });
  buildMinimap();
  initialView();
  window.orchestratorGraph = {
    select: select, clear: clear, fit: fit, scale: scale,
    selected: function () { return selected; },
  };
  document.documentElement.setAttribute("data-ready", String(performance.now()));
})();
