// The interactive graph: what is shown (folders open or closed, packages hidden, a focus),
// laid out by orchestratorLayout (the SVG's own layout) and drawn as SVG, with pan, zoom,
// search, a package list and a details panel. Every text goes in as textContent.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var layoutOf = window.orchestratorLayout;
  var NS = "http://www.w3.org/2000/svg";
  var READABLE = 0.81;  // screen pixels per unit: 13px names stay at least 10.5px tall
  var SMALL = 10 / 10.5;  // below this scale the 10.5px versions would be under 10px: hidden
  var FAR = 0.5;        // below this scale, lines fade too
  var MAX_SCALE = 4;
  var OVERVIEW_UNITS = 24;  // the overview opens folders while it shows at most this many
  var COUNTED_LINES = 40;   // edges that add up several are labelled with their number
                            // when the drawing has at most this many such lines
  var FOLDER = "\u0001";    // unit keys of folders; a package name never starts with it
  var KINDS = ["runtime", "optional", "group", "build", "source"];
  var STATES = ["changed", "global", "dependency"];

  var svg = document.getElementById("graph");
  var details = document.getElementById("details");
  var hint = details.innerHTML;
  var search = document.getElementById("search");
  var searchCount = document.getElementById("search-count");
  var viewBar = document.getElementById("view-bar");
  var minimap = document.getElementById("minimap");
  var defs = svg.querySelector("defs");

  // -- the graph: packages by index, edges both ways ------------------------------------

  var pkgs = data.packages, byName = new Map();
  var out = pkgs.map(function () { return []; }), inc = pkgs.map(function () { return []; });
  pkgs.forEach(function (p, i) { byName.set(p.name, i); });
  var edges = data.edges.map(function (e, k) {
    out[e[0]].push(k); inc[e[1]].push(k);
    return { s: e[0], t: e[1], kinds: e[2], specs: e[3], weak: e[4] };
  });

  // -- folders: the box folders and their ancestors, as a tree ---------------------------

  var folders = new Map();
  function folderNode(path) {
    if (folders.has(path)) { return folders.get(path); }
    var node = { path: path, children: [], packages: [], parent: null };
    folders.set(path, node);
    if (path !== "") {
      var cut = path.lastIndexOf("/");
      node.parent = folderNode(cut < 0 ? "" : path.slice(0, cut));
      node.parent.children.push(path);
    }
    return node;
  }
  pkgs.forEach(function (p, i) { folderNode(p.folder).packages.push(i); });
  folders.forEach(function (f) { f.children.sort(); });
  function ancestors(path) {  // top-level first, `path` last; the root is not one
    var found = [];
    for (var f = folders.get(path); f && f.path !== ""; f = f.parent) { found.unshift(f.path); }
    return found;
  }
  function under(path) {  // every package in the folder or below it
    var found = [], stack = [path];
    while (stack.length) {
      var f = folders.get(stack.pop());
      found.push.apply(found, f.packages);
      stack.push.apply(stack, f.children);
    }
    return found;
  }
  function label(path) { return path ? path + "/" : "./"; }

  // -- what is shown ---------------------------------------------------------------------

  var shown = { expanded: new Set(), hidden: new Set(), focus: null, affectedOnly: false };
  var drawn = null;  // the current drawing: units, their layout, element maps
  var selected = null;

  function visible(i) {
    return !shown.hidden.has(i) && (!shown.affectedOnly || pkgs[i].state !== undefined);
  }
  function neighbourhood(start, depth) {
    var keep = new Set([start]);
    [out, inc].forEach(function (adjacency) {
      var frontier = [start];
      for (var step = 0; step < depth && frontier.length; step++) {
        var next = [];
        frontier.forEach(function (n) {
          adjacency[n].forEach(function (k) {
            var m = adjacency === out ? edges[k].t : edges[k].s;
            if (!keep.has(m)) { keep.add(m); next.push(m); }
          });
        });
        frontier = next;
      }
    });
    return keep;
  }
  function unitKey(i) {
    if (shown.focus) { return pkgs[i].name; }
    var path = ancestors(pkgs[i].folder);
    for (var a = 0; a < path.length; a++) {
      if (!shown.expanded.has(path[a])) { return FOLDER + path[a]; }
    }
    return pkgs[i].name;
  }
  // Units: packages, and folders standing for their visible packages (a folder with one
  // is that package); edges between units add up the package edges they stand for.
  function computeUnits() {
    var members = new Map(), keep = null;
    if (shown.focus) { keep = neighbourhood(shown.focus.id, shown.focus.depth); }
    pkgs.forEach(function (p, i) {
      if (keep ? !(keep.has(i) && (visible(i) || i === shown.focus.id)) : !visible(i)) { return; }
      var k = unitKey(i);
      if (!members.has(k)) { members.set(k, []); }
      members.get(k).push(i);
    });
    var units = new Map(), unitOf = new Map();
    members.forEach(function (ids, k) {
      if (k[0] === FOLDER && ids.length === 1) { k = pkgs[ids[0]].name; }
      var unit = k[0] === FOLDER ? folderUnit(k, ids) : packageUnit(ids[0]);
      units.set(k, unit);
      ids.forEach(function (i) { unitOf.set(i, k); });
    });
    var links = new Map();
    edges.forEach(function (e, k) {
      var a = unitOf.get(e.s), b = unitOf.get(e.t);
      if (a === undefined || b === undefined || a === b) { return; }
      var id = a + "\u0000" + b;
      if (!links.has(id)) { links.set(id, { source: a, target: b, edges: [] }); }
      links.get(id).edges.push(k);
    });
    return { units: units, unitOf: unitOf, links: links };
  }
  function packageUnit(i) {
    var p = pkgs[i];
    return { key: p.name, id: i, members: [i], name: p.name, meta: p.meta, group: p.folder,
             state: p.state };
  }
  function folderUnit(k, ids) {
    var path = k.slice(1), affected = ids.filter(function (i) { return pkgs[i].state; });
    var states = new Set(affected.map(function (i) { return pkgs[i].state; }));
    var meta = ids.length + " packages" + (data.affected ? " · " + affected.length + " affected" : "");
    return { key: k, folder: path, members: ids, name: label(path), meta: meta, group: FOLDER,
             state: STATES.filter(function (s) { return states.has(s); })[0] };
  }

  // -- layout and drawing ----------------------------------------------------------------

  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function text(tag, value, attrs, parent) {
    var e = el(tag, attrs, parent);
    e.textContent = value;
    return e;
  }
  function mainKind(kinds) { return KINDS.filter(function (k) { return kinds.has(k); })[0]; }
  function edgeTitle(k) {
    var e = edges[k], parts = e.kinds.map(function (kind) {
      return e.specs[kind] ? kind + " " + e.specs[kind] : kind;
    });
    return pkgs[e.s].name + " → " + pkgs[e.t].name + ": " + parts.join(", ");
  }
  function linkKinds(link) {
    var kinds = new Set();
    link.edges.forEach(function (k) { edges[k].kinds.forEach(function (kind) { kinds.add(kind); }); });
    return kinds;
  }
  function linkTitle(link) {
    if (link.edges.length === 1) { return edgeTitle(link.edges[0]); }
    var lines = link.edges.slice(0, 12).map(edgeTitle);
    if (link.edges.length > 12) { lines.push("and " + (link.edges.length - 12) + " more"); }
    return link.edges.length + " dependencies\n" + lines.join("\n");
  }

  function draw() {
    var found = computeUnits();
    var keys = Array.from(found.units.keys());
    var widths = {}, groups = {}, groupNames = new Set();
    found.units.forEach(function (u, k) {
      widths[k] = layoutOf.nodeWidth(u.name, u.meta);
      groups[k] = u.group;
      groupNames.add(u.group);
    });
    var pairs = [], weak = [];
    found.links.forEach(function (link) {
      pairs.push([link.source, link.target]);
      if (link.edges.every(function (k) { return edges[k].weak; })) {
        weak.push([link.source, link.target]);
      }
    });
    var grouped = data.group && groupNames.size > 1;
    var layout = layoutOf.computeLayout(keys, pairs, widths, grouped ? groups : null, weak);
    drawn = { units: found.units, unitOf: found.unitOf, links: found.links, layout: layout,
              nodes: new Map(), lines: [] };
    Array.from(svg.childNodes).forEach(function (c) { if (c !== defs) { svg.removeChild(c); } });
    var groupLayer = el("g", { "class": "groups" }, svg);
    var lineLayer = el("g", { "class": "edges" }, svg);
    drawn.highlight = el("g", { "class": "highlight" }, svg);
    var nodeLayer = el("g", { "class": "nodes" }, svg);
    layout.groups.forEach(function (g) { if (g.name !== FOLDER) { drawGroup(g, groupLayer); } });
    drawLines(layout, found, lineLayer);
    found.units.forEach(function (u, k) { drawNode(u, layout.nodes[k], nodeLayer); });
    labelCounts(el("g", { "class": "counts" }, svg));
    full = { x: 0, y: 0, w: Math.max(layout.width, 200), h: Math.max(layout.height, 120) };
    buildMinimap();
    renderViewBar();
    markSearch();
    if (selected !== null) { highlight(selected); }
  }

  function drawGroup(g, parent) {
    var group = el("g", { "class": "group", "data-folder": g.name }, parent);
    el("rect", { x: g.x.toFixed(1), y: g.y.toFixed(1), width: g.width.toFixed(1),
                 height: g.height.toFixed(1), rx: "10" }, group);
    var t = text("text", label(g.name), { "class": "label", x: (g.x + 12).toFixed(1),
                                          y: (g.y + 18).toFixed(1) }, group);
    text("title", "Close " + label(g.name) + " into one box", {}, t);
  }

  // Only packages close a cycle: two folders that use each other are no cycle of packages.
  function onCycle(path) {
    return (path.upward || path.mutual || path.loop) && path.source[0] !== FOLDER &&
      path.target[0] !== FOLDER;
  }

  function drawLines(layout, found, parent) {
    var links = new Map();
    found.links.forEach(function (link) { links.set(link.source + "\u0000" + link.target, link); });
    function kindsOf(path) {
      var kinds = linkKinds(links.get(path.source + "\u0000" + path.target));
      if (path.mutual) {
        linkKinds(links.get(path.target + "\u0000" + path.source)).forEach(function (k) { kinds.add(k); });
      }
      return kinds;
    }
    layout.buses.forEach(function (d) { el("path", { "class": "bus", d: d }, parent); });
    var riders = layout.trunks.map(function () { return []; });
    layout.edges.forEach(function (path) { if (path.trunk !== null) { riders[path.trunk].push(path); } });
    layout.trunks.forEach(function (trunk, i) {
      var kinds = new Set();
      riders[i].forEach(function (p) { kindsOf(p).forEach(function (k) { kinds.add(k); }); });
      var cycle = riders[i].every(onCycle);
      var main = mainKind(kinds), attrs = { "class": "trunk " + main + (cycle ? " cycle" : ""),
                                            d: trunk.d };
      if (!riders[i].every(function (p) { return p.upward; })) {
        attrs["marker-end"] = "url(#arrow-" + (cycle ? "cycle" : main) + ")";
      }
      el("path", attrs, parent);
    });
    layout.edges.forEach(function (path) {
      var link = links.get(path.source + "\u0000" + path.target), kinds = kindsOf(path);
      var cycle = onCycle(path), main = mainKind(kinds);
      var head = "url(#arrow-" + (cycle ? "cycle" : main) + ")";
      var attrs = { "class": "edge " + main + (cycle ? " cycle" : ""), d: path.d,
                    "data-source": path.source, "data-target": path.target,
                    "data-kinds": Array.from(kinds).sort().join(" ") };
      if (path.upward || path.mutual) { attrs["marker-start"] = head; }
      if (path.trunk === null && !path.upward) { attrs["marker-end"] = head; }
      var count = link.edges.length + (path.mutual ? links.get(path.target + "\u0000" + path.source).edges.length : 0);
      if (count > 1) { attrs.style = "stroke-width:" + (1.3 + Math.min(2.2, 0.5 * Math.log2(count))).toFixed(1); }
      var line = el("path", attrs, parent);
      var title = linkTitle(link);
      if (path.mutual) { title += "\n" + linkTitle(links.get(path.target + "\u0000" + path.source)); }
      text("title", title, {}, line);
      drawn.lines.push({ path: path, element: line, count: count, links: [link].concat(
        path.mutual ? [links.get(path.target + "\u0000" + path.source)] : []) });
    });
  }

  // The number of package edges a line adds up, halfway along it (lines that go on down
  // a shared trunk are left to their tooltip).
  function labelCounts(parent) {
    var counted = drawn.lines.filter(function (l) { return l.count > 1; });
    if (counted.length > COUNTED_LINES) { return; }
    counted.forEach(function (line) {
      if (line.path.trunk !== null) { return; }
      var at = line.element.getPointAtLength(line.element.getTotalLength() / 2);
      text("text", String(line.count), { x: at.x.toFixed(1), y: (at.y + 4).toFixed(1) }, parent);
    });
  }

  function drawNode(unit, box, parent) {
    var classes = ["node"];
    if (unit.folder !== undefined) {
      classes.push("folder");
    } else {
      classes.push(pkgs[unit.id].kind);
      if (pkgs[unit.id].focus || (shown.focus && shown.focus.id === unit.id)) { classes.push("focus"); }
    }
    if (unit.state) { classes.push("state-" + unit.state); } else if (data.affected) { classes.push("unaffected"); }
    var attrs = { "class": classes.join(" "), transform: "translate(" + box.x.toFixed(1) + "," +
                  box.y.toFixed(1) + ")", tabindex: "0", role: "button" };
    attrs[unit.folder !== undefined ? "data-folder" : "data-name"] = unit.folder !== undefined ? unit.folder : unit.name;
    var g = el("g", attrs, parent);
    var p = unit.folder === undefined ? pkgs[unit.id] : null;
    text("title", p ? p.name + " " + (p.version || "(dynamic version)") + " — " + p.path
                    : label(unit.folder) + ": " + unit.meta + ". Click to open.", {}, g);
    var radius = p && p.kind === "service" ? box.height / 2 : 6;
    el("rect", { x: (-box.width / 2).toFixed(1), y: (-box.height / 2).toFixed(1),
                 width: box.width.toFixed(1), height: box.height.toFixed(1), rx: radius.toFixed(1) }, g);
    text("text", unit.name, { "class": "name", y: "-2" }, g);
    text("text", unit.meta, { "class": "meta", y: "13" }, g);
    drawn.nodes.set(unit.key, g);
  }

  // -- changing what is shown --------------------------------------------------------------

  function expand(path) {
    var f = folders.get(path);
    shown.expanded.add(path);
    // a folder that only holds one folder opens through to it
    while (f.packages.length === 0 && f.children.length === 1) {
      f = folders.get(f.children[0]);
      shown.expanded.add(f.path);
    }
    redraw(function () { return boxesOf(under(path)); });
  }
  function collapse(path) {
    shown.expanded.delete(path);
    redraw(function () { return boxesOf(under(path)); });
  }
  function focusOn(name, depth) {
    var i = byName.get(name);
    shown.focus = { id: i, depth: Math.max(1, depth) };
    selected = name;
    redraw(function () { return boxesOf([i]); });
    showDetails(i);
  }
  function unfocus() {
    var was = shown.focus;
    shown.focus = null;
    redraw(function () { return was ? boxesOf([was.id]) : []; });
  }
  // Draws what is shown now and opens the view on `around()`'s boxes (readable), or as a
  // page opens when it names none.
  function redraw(around) {
    draw();
    var boxes = around();
    if (!boxes.length) { initialView(); return; }
    if (fitScale() >= READABLE) { fit(); } else { showAround(boxes, READABLE * 1.05); }
  }
  function boxesOf(ids) {  // the drawn boxes that stand for these packages
    var keys = new Set();
    ids.forEach(function (i) { if (drawn.unitOf.has(i)) { keys.add(drawn.unitOf.get(i)); } });
    return Array.from(keys).map(function (k) { return drawn.layout.nodes[k]; });
  }
  function overview() {
    shown.expanded = new Set();
    var changed = true;
    while (changed) {
      changed = false;
      var found = computeUnits(), candidates = [];
      found.units.forEach(function (u) { if (u.folder !== undefined) { candidates.push(u); } });
      candidates.sort(function (a, b) { return a.members.length - b.members.length; });
      for (var c = 0; c < candidates.length && !changed; c++) {
        shown.expanded.add(candidates[c].folder);
        if (computeUnits().units.size <= OVERVIEW_UNITS) { changed = true; } else {
          shown.expanded.delete(candidates[c].folder);
        }
      }
    }
  }
  function openEverything() {
    folders.forEach(function (f) { if (f.path !== "") { shown.expanded.add(f.path); } });
  }
  function openAll() { openEverything(); redraw(function () { return []; }); }

  // -- the view: pan and zoom over the drawing ---------------------------------------------

  var full = { x: 0, y: 0, w: 800, h: 600 };
  var view = { x: 0, y: 0, w: 800, h: 600 };
  function screen() { return { w: svg.clientWidth || 800, h: svg.clientHeight || 600 }; }
  function scale() { var s = screen(); return Math.min(s.w / view.w, s.h / view.h); }
  function fitScale() { var s = screen(); return Math.min(1.5, s.w / full.w, s.h / full.h); }
  function minScale() { return Math.min(fitScale() * 0.8, READABLE); }
  function applyView() {
    svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) {
      return v.toFixed(1); }).join(" "));
    svg.classList.toggle("lod-small", scale() < SMALL);
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
    var m = svg.getScreenCTM().inverse(), p = svg.createSVGPoint();
    p.x = clientX; p.y = clientY;
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
  // At scale k, the topmost of the boxes in view, near the top: their row centred, or
  // when it is wider than the screen, from the left edge of their folders' boxes.
  function showAround(boxes, k) {
    var s = screen(), left = Infinity, right = -Infinity, top = Infinity, edge = Infinity;
    var folderBoxes = new Map(drawn.layout.groups.map(function (g) { return [g.name, g]; }));
    boxes.forEach(function (b) { top = Math.min(top, b.y - b.height / 2); });
    boxes.forEach(function (b) {
      if (b.y - b.height / 2 > top + 1) { return; }
      left = Math.min(left, b.x - b.width / 2); right = Math.max(right, b.x + b.width / 2);
      edge = Math.min(edge, folderBoxes.has(b.group) ? folderBoxes.get(b.group).x : b.x - b.width / 2);
    });
    var halfW = s.w / k / 2, halfH = s.h / k / 2;
    var cx = right - left + 80 <= 2 * halfW ? (left + right) / 2 : edge - 20 + halfW;
    setView(clamp(cx, halfW, full.x, full.x + full.w),
            clamp(top - 40 + halfH, halfH, full.y, full.y + full.h), k);
  }
  function showElement(e) {  // pan, at the same scale, until the element is in view
    var b = e.getBoundingClientRect(), c = svg.getBoundingClientRect();
    if (b.left >= c.left && b.right <= c.right && b.top >= c.top && b.bottom <= c.bottom) { return; }
    var p = toGraph(b.left + b.width / 2, b.top + b.height / 2);
    setView(p.x, p.y, scale());
  }
  function centreOn(name) {
    var box = drawn.layout.nodes[drawn.unitOf.get(byName.get(name))];
    if (box) { setView(box.x, box.y, Math.max(scale(), READABLE * 1.2)); }
  }
  // What the reader came for: the changed packages, else the affected or focused ones,
  // else the top row; all of it when that is readable.
  function initialView() {
    if (fitScale() >= READABLE) { fit(); return; }
    var boxes = Object.keys(drawn.layout.nodes).map(function (k) { return drawn.layout.nodes[k]; });
    var picks = [
      function (u) { return u.state === "changed"; },
      function (u) { return !!u.state; },
      function (u) { return u.id !== undefined && pkgs[u.id].focus; },
    ];
    for (var i = 0; i < picks.length; i++) {
      var found = [];
      drawn.units.forEach(function (u, k) { if (picks[i](u)) { found.push(drawn.layout.nodes[k]); } });
      if (found.length) { showAround(found, READABLE * 1.05); return; }
    }
    var top = Math.min.apply(null, boxes.map(function (b) { return b.y; }));
    showAround(boxes.filter(function (b) { return b.y === top; }), READABLE * 1.05);
  }

  var miniView = null;
  function buildMinimap() {
    minimap.textContent = "";
    miniView = null;
    var map = el("svg", { viewBox: [full.x, full.y, full.w, full.h].join(" ") });
    var width = 296, height = Math.max(60, Math.min(180, width * full.h / full.w));
    map.setAttribute("width", String(width)); map.setAttribute("height", height.toFixed(0));
    drawn.units.forEach(function (u, k) {
      var b = drawn.layout.nodes[k];
      el("rect", { x: (b.x - b.width / 2).toFixed(0), y: (b.y - b.height / 2).toFixed(0),
                   width: b.width.toFixed(0), height: b.height.toFixed(0),
                   "class": u.state ? "state-" + u.state : u.folder !== undefined ? "folder" : pkgs[u.id].kind }, map);
    });
    miniView = el("rect", { "class": "view" }, map);
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
  function activate(target, twice) {
    var node = target.closest ? target.closest(".node") : null;
    var groupLabel = target.closest ? target.closest(".group .label") : null;
    if (node && node.hasAttribute("data-folder")) { expand(node.getAttribute("data-folder")); return; }
    if (node && twice) { focusOn(node.getAttribute("data-name"), shown.focus ? shown.focus.depth : 1); return; }
    if (node) { select(node.getAttribute("data-name")); return; }
    if (groupLabel) { collapse(groupLabel.parentNode.getAttribute("data-folder")); return; }
    clear();
  }
  svg.addEventListener("click", function (e) {
    if (moved) { moved = false; return; }
    activate(e.target, false);
  });
  svg.addEventListener("dblclick", function (e) { activate(e.target, true); });
  svg.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(e.target, false); }
  });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1 / 1.3); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(1.3); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { search.value = ""; markSearch(); clear(); }
    if (e.key === "/" && document.activeElement !== search &&
        !(document.activeElement && document.activeElement.tagName === "INPUT")) {
      e.preventDefault(); search.focus();
    }
  });
  window.addEventListener("resize", function () {
    setView(view.x + view.w / 2, view.y + view.h / 2, scale());
  });

  // -- selection: what it depends on, what depends on it -----------------------------------

  function closure(start, forward) {
    var seen = new Set(), stack = [start];
    while (stack.length) {
      (forward ? out : inc)[stack.pop()].forEach(function (k) {
        var m = forward ? edges[k].t : edges[k].s;
        if (!seen.has(m)) { seen.add(m); stack.push(m); }
      });
    }
    return seen;
  }
  function others(found, i) { return found.size - (found.has(i) ? 1 : 0); }  // on a cycle
  function clearClasses() {
    drawn.nodes.forEach(function (g) { g.classList.remove("selected", "hl-dep", "hl-rdep"); });
    drawn.lines.forEach(function (l) { l.element.classList.remove("hl-dep", "hl-rdep"); });
    drawn.highlight.textContent = "";
  }
  function clear() {
    selected = null; clearClasses(); svg.classList.remove("has-selection");
    details.innerHTML = hint;
  }
  function select(name) {
    if (!byName.has(name)) { return; }
    selected = name;
    highlight(name);
    showDetails(byName.get(name));
  }
  // Marks the boxes that hold what `name` depends on (blue) and what depends on it (pink),
  // and the lines that lead there, drawn again on top in full (through their trunks).
  function highlight(name) {
    clearClasses();
    var i = byName.get(name), up = closure(i, true), down = closure(i, false);
    if (!drawn.unitOf.has(i)) { svg.classList.remove("has-selection"); return; }
    svg.classList.add("has-selection");
    up.forEach(function (m) { mark(m, "hl-dep"); });
    down.forEach(function (m) { mark(m, "hl-rdep"); });
    var own = drawn.nodes.get(drawn.unitOf.get(i));
    own.classList.remove("hl-dep", "hl-rdep"); own.classList.add("selected");
    drawn.lines.forEach(function (line) {
      var kind = null;
      line.links.forEach(function (link) {
        link.edges.forEach(function (k) {
          var s = edges[k].s, t = edges[k].t;
          if ((s === i || up.has(s)) && up.has(t)) { kind = kind || "hl-dep"; }
          else if ((t === i || down.has(t)) && down.has(s)) { kind = kind || "hl-rdep"; }
        });
      });
      if (kind) {
        line.element.classList.add(kind);
        el("path", { d: line.path.full(), "class": kind }, drawn.highlight);
      }
    });
  }
  function mark(i, cls) {
    var g = drawn.unitOf.has(i) ? drawn.nodes.get(drawn.unitOf.get(i)) : null;
    if (g) { g.classList.add(cls); }
  }

  function h(tag, value, cls) {
    var e = document.createElement(tag);
    if (value !== undefined && value !== null) { e.textContent = value; }
    if (cls) { e.className = cls; }
    return e;
  }
  function link(name) {
    var a = h("a", name);
    a.href = "#";
    a.addEventListener("click", function (e) { e.preventDefault(); reveal(name); });
    return a;
  }
  function button(value, action) {
    var b = h("button", value);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }
  function row(dl, term, value) { dl.appendChild(h("dt", term)); dl.appendChild(h("dd", value)); }
  function reasonItem(r) {
    var li = h("li");
    if (r.type === "dependency" || r.type === "removed-dependency") {
      li.appendChild(document.createTextNode(r.type === "dependency" ? "depends on " : "lost dependency "));
      li.appendChild(byName.has(r.via) ? link(r.via) : h("code", r.via));
      if (r.kind) { li.appendChild(h("span", r.kind, "badge")); }
      return li;
    }
    li.appendChild(h("span", data.reasonLabels[r.type] || r.type));
    if (r.detail) { li.appendChild(h("div", r.detail)); }
    var files = r.files || [];
    files.slice(0, 12).forEach(function (f) { li.appendChild(h("div")).appendChild(h("code", f)); });
    if (files.length > 12) { li.appendChild(h("div", "and " + (files.length - 12) + " more")); }
    return li;
  }
  function edgeItem(other, e) {
    var li = h("li");
    li.appendChild(link(pkgs[other].name));
    e.kinds.forEach(function (k) {
      li.appendChild(h("span", e.specs[k] ? k + " " + e.specs[k] : k, "badge"));
    });
    return li;
  }
  function section(title, items) {
    var frag = document.createDocumentFragment();
    frag.appendChild(h("h3", title + " (" + items.length + ")"));
    var ul = h("ul");
    items.forEach(function (li) { ul.appendChild(li); });
    if (!items.length) { ul.appendChild(h("li", "none")); }
    frag.appendChild(ul);
    return frag;
  }
  function showDetails(i) {
    var p = pkgs[i];
    details.textContent = "";
    details.appendChild(h("h2", p.name));
    details.appendChild(h("span", p.kind, "badge " + p.kind));
    if (p.state) { details.appendChild(h("span", data.stateLabels[p.state], "badge " + p.state)); }
    var dl = h("dl");
    row(dl, "version", p.version || "dynamic");
    row(dl, "path", p.path);
    row(dl, "folder", label(p.folder));
    row(dl, "all dependencies", String(others(closure(i, true), i)));
    row(dl, "all dependents", String(others(closure(i, false), i)));
    details.appendChild(dl);
    var actions = h("div", null, "actions");
    actions.appendChild(button("Focus here", function () { focusOn(p.name, 1); }));
    actions.appendChild(button(shown.hidden.has(i) ? "Show" : "Hide", function () {
      setHidden([i], !shown.hidden.has(i)); showDetails(i);
    }));
    details.appendChild(actions);
    if (p.reasons && p.reasons.length) { details.appendChild(section("Why affected", p.reasons.map(reasonItem))); }
    details.appendChild(section("Depends on", out[i].map(function (k) { return edgeItem(edges[k].t, edges[k]); })));
    details.appendChild(section("Used by", inc[i].map(function (k) { return edgeItem(edges[k].s, edges[k]); })));
  }
  // Shows a package whether or not it is drawn: select it where it is, else focus on it.
  function reveal(name) {
    var i = byName.get(name);
    if (shown.hidden.has(i)) { setHidden([i], false); }
    var unit = drawn.unitOf.get(i);
    if (unit === name) { select(name); centreOn(name); return; }
    focusOn(name, shown.focus ? shown.focus.depth : 1);
  }

  // -- search --------------------------------------------------------------------------------

  function matches() {
    var q = search.value.trim().toLowerCase(), found = [];
    if (q === "") { return found; }
    pkgs.forEach(function (p) { if (p.name.toLowerCase().indexOf(q) !== -1) { found.push(p.name); } });
    return found;
  }
  function markSearch() {
    var found = new Set(matches()), q = search.value.trim() !== "";
    drawn.nodes.forEach(function (g, k) { g.classList.toggle("match", found.has(k)); });
    svg.classList.toggle("searching", q);
    searchCount.textContent = q ? found.size + (found.size === 1 ? " match" : " matches") : "";
  }
  search.addEventListener("input", markSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") { return; }
    var found = matches();
    if (found.length) { reveal(found[0]); }
  });

  // -- the bar above the drawing: what is shown, and ways back -----------------------------

  function renderViewBar() {
    viewBar.textContent = "";
    if (!drawn.units.size) { viewBar.appendChild(h("span", "No packages to show.")); }
    if (shown.focus) {
      viewBar.appendChild(h("span", "Focused on " + pkgs[shown.focus.id].name +
                            " and what lies within"));
      var depth = h("span", null, "depth");
      depth.appendChild(button("−", function () { focusOn(pkgs[shown.focus.id].name, shown.focus.depth - 1); }));
      depth.appendChild(h("strong", String(shown.focus.depth), "depth-value"));
      depth.appendChild(button("+", function () { focusOn(pkgs[shown.focus.id].name, shown.focus.depth + 1); }));
      viewBar.appendChild(depth);
      viewBar.appendChild(h("span", shown.focus.depth === 1 ? "step" : "steps"));
      viewBar.appendChild(button("Back to the graph", unfocus));
    } else {
      var closed = 0;
      drawn.units.forEach(function (u) { if (u.folder !== undefined) { closed += 1; } });
      if (closed) {
        viewBar.appendChild(h("span", closed + (closed === 1 ? " folder" : " folders") +
                              " closed: click one to open it"));
        viewBar.appendChild(button("Open all", openAll));
      }
      if (shown.expanded.size && pkgs.length > data.overviewAbove) {
        viewBar.appendChild(button("Overview", function () { overview(); redraw(function () { return []; }); }));
      }
    }
    if (shown.hidden.size) {
      viewBar.appendChild(h("span", shown.hidden.size + " hidden"));
      viewBar.appendChild(button("Show them", function () { setHidden(Array.from(shown.hidden), false); }));
    }
  }

  // -- the package list --------------------------------------------------------------------------

  var list = document.getElementById("list"), listBody = document.getElementById("list-body");
  var listFilter = document.getElementById("list-filter");
  var affectedOnly = document.getElementById("affected-only");
  var toggle = document.getElementById("toggle-list");
  var boxes = new Map(), sections = [];
  function buildList() {
    Array.from(folders.values()).filter(function (f) { return f.packages.length; })
      .sort(function (a, b) { return a.path < b.path ? -1 : a.path > b.path ? 1 : 0; })
      .forEach(function (f) {
        var section = h("details"), summary = h("summary"), all = h("input");
        all.type = "checkbox"; all.checked = true; all.title = "Show or hide the whole folder";
        all.addEventListener("click", function (e) { e.stopPropagation(); });
        all.addEventListener("change", function () { setHidden(f.packages, !all.checked); });
        summary.appendChild(all);
        summary.appendChild(h("span", label(f.path)));
        summary.appendChild(h("span", String(f.packages.length), "n"));
        section.appendChild(summary);
        var ul = h("ul");
        f.packages.slice().sort(function (a, b) { return a - b; }).forEach(function (i) {
          var li = h("li"), box = h("input");
          box.type = "checkbox"; box.checked = true; box.title = "Show or hide " + pkgs[i].name;
          box.addEventListener("change", function () { setHidden([i], !box.checked); });
          li.appendChild(box);
          if (pkgs[i].state) { li.appendChild(h("span", null, "dot " + pkgs[i].state)); }
          li.appendChild(link(pkgs[i].name));
          li.dataset.name = pkgs[i].name;
          ul.appendChild(li);
          boxes.set(i, { box: box, li: li });
        });
        section.appendChild(ul);
        listBody.appendChild(section);
        sections.push({ element: section, all: all, folder: f });
      });
  }
  function listed() {
    var q = listFilter.value.trim().toLowerCase(), found = [];
    boxes.forEach(function (b, i) {
      var hit = (q === "" || pkgs[i].name.toLowerCase().indexOf(q) !== -1) &&
        (!affectedOnly.checked || pkgs[i].state !== undefined);
      b.li.hidden = !hit;
      if (hit) { found.push(i); }
    });
    sections.forEach(function (s) {
      var any = s.folder.packages.some(function (i) { return !boxes.get(i).li.hidden; });
      s.element.hidden = !any;
      if (q !== "" && any) { s.element.open = true; }
    });
    return found;
  }
  function syncList() {
    boxes.forEach(function (b, i) { b.box.checked = !shown.hidden.has(i); });
    sections.forEach(function (s) {
      var hidden = s.folder.packages.filter(function (i) { return shown.hidden.has(i); }).length;
      s.all.checked = hidden === 0;
      s.all.indeterminate = hidden > 0 && hidden < s.folder.packages.length;
    });
  }
  function setHidden(ids, hide) {
    ids.forEach(function (i) { if (hide) { shown.hidden.add(i); } else { shown.hidden.delete(i); } });
    syncList();
    redraw(function () { return []; });
  }
  function showList(open) {
    list.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  }
  listFilter.addEventListener("input", listed);
  affectedOnly.addEventListener("change", function () {
    shown.affectedOnly = affectedOnly.checked;
    listed();
    redraw(function () { return []; });
  });
  document.getElementById("show-listed").addEventListener("click", function () { setHidden(listed(), false); });
  document.getElementById("hide-listed").addEventListener("click", function () { setHidden(listed(), true); });
  toggle.addEventListener("click", function () {
    showList(list.hidden);
    setView(view.x + view.w / 2, view.y + view.h / 2, scale());
  });

  // -- start -------------------------------------------------------------------------------------

  buildList();
  document.getElementById("affected-only-label").hidden = !data.affected;
  if (data.overview) { overview(); showList(true); } else { openEverything(); }
  draw();
  initialView();
  window.orchestratorGraph = {
    select: select, clear: clear, fit: fit, scale: scale, expand: expand, collapse: collapse,
    openAll: openAll,
    focus: focusOn, unfocus: unfocus, reveal: reveal, show: showElement,
    selected: function () { return selected; },
    units: function () { return Array.from(drawn.units.keys()); },
  };
  document.documentElement.setAttribute("data-ready", String(performance.now()));
})();
