// The layered layout of orchestrator/render/layout.py (with layering.py and placement.py),
// for the HTML view, which lays out whatever is shown: the folder overview, an expanded
// folder, a package's neighbourhood. Same steps, same loops, same order of additions, so
// that a test can hold the two to the same drawing; change both or neither.
var orchestratorLayout = (function () {
  "use strict";
  var NODE_HEIGHT = 44, ROW_GAP = 76, PITCH = NODE_HEIGHT + ROW_GAP, NODE_GAP = 20;
  var LANE_WIDTH = 2, LANE_GAP = 8, LANE = LANE_WIDTH + LANE_GAP;
  var GROUP_GAP = 44, GROUP_PAD = 14, GROUP_LABEL = 20, MARGIN = 20;
  var MAX_ASPECT = 2, WRAP_ASPECT = 1.7, WRAP_TRIALS = 6, WRAP_STEP = 0.9, EPSILON = 1e-6;
  var MIN_BANDS = 3, SHORT_ROWS = 8, ROWS_PER_EDGE = 2;
  var SWEEPS = 6, X_SWEEPS = 5, MIN_SWEEPS = 3, WORK = 150000;
  var CHAR_WIDTH = 7.6, SPREAD = 0.6, LOOP_DIP = 0.6;

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function key(a, b) { return a + "\u0000" + b; }
  function nodeWidth() {
    var longest = 0;
    for (var i = 0; i < arguments.length; i++) {
      longest = Math.max(longest, Array.from(arguments[i]).length);
    }
    return Math.max(96, CHAR_WIDTH * longest + 28);
  }

  // -- layering.py ----------------------------------------------------------------------

  function components(names, out) {
    var index = new Map(), low = new Map(), stack = [], comp = new Map(), count = 0;
    names.forEach(function (root) {
      if (index.has(root)) { return; }
      index.set(root, index.size); low.set(root, index.get(root));
      stack.push(root);
      var work = [[root, 0]];
      while (work.length) {
        var top = work[work.length - 1], node = top[0], at = top[1];
        if (at < out.get(node).length) {
          top[1] = at + 1;
          var child = out.get(node)[at];
          if (!index.has(child)) {
            index.set(child, index.size); low.set(child, index.get(child));
            stack.push(child);
            work.push([child, 0]);
          } else if (!comp.has(child)) {
            low.set(node, Math.min(low.get(node), index.get(child)));
          }
          continue;
        }
        work.pop();
        if (work.length) {
          var parent = work[work.length - 1][0];
          low.set(parent, Math.min(low.get(parent), low.get(node)));
        }
        if (low.get(node) === index.get(node)) {
          for (;;) {
            var member = stack.pop();
            comp.set(member, count);
            if (member === node) { break; }
          }
          count += 1;
        }
      }
    });
    return comp;
  }

  function orient(names, edges, weak) {
    var out = new Map();
    names.forEach(function (n) { out.set(n, []); });
    edges.forEach(function (e) { out.get(e[0]).push(e[1]); });
    var comp = components(names, out);
    var finish = finishTimes(names, out, comp, weak);
    var order = names.slice().sort(function (a, b) {
      return (comp.get(b) - comp.get(a)) || (finish.get(b) - finish.get(a));
    });
    var place = new Map();
    order.forEach(function (n, i) { place.set(n, i); });
    var down = new Map(), up = new Map(), drawn = new Set();
    names.forEach(function (n) { down.set(n, []); up.set(n, []); });
    edges.forEach(function (e) {
      var forward = place.get(e[0]) < place.get(e[1]);
      var upper = forward ? e[0] : e[1], lower = forward ? e[1] : e[0];
      if (!drawn.has(key(upper, lower))) {
        drawn.add(key(upper, lower));
        down.get(upper).push(lower);
        up.get(lower).push(upper);
      }
    });
    sortByPlace(order, down, up);
    return { order: order, down: down, up: up, comp: comp, free: [] };
  }

  function sortByPlace(order, down, up) {
    var place = new Map();
    order.forEach(function (n, i) { place.set(n, i); });
    function byPlace(a, b) { return place.get(a) - place.get(b); }
    order.forEach(function (n) { down.get(n).sort(byPlace); up.get(n).sort(byPlace); });
  }

  function compactGroups(dag, widths) {
    var members = new Map(), free = [];
    dag.order.forEach(function (n) {
      var c = dag.comp.get(n);
      if (!members.has(c)) { members.set(c, []); }
      members.get(c).push(n);
    });
    members.forEach(function (group) { free.push.apply(free, banded(dag, group, widths)); });
    if (!free.length) { return dag; }
    var loose = new Set(free.map(function (e) { return key(e[0], e[1]); }));
    var down = new Map(), up = new Map();
    dag.order.forEach(function (n) {
      down.set(n, dag.down.get(n).filter(function (c) { return !loose.has(key(n, c)); }));
      up.set(n, dag.up.get(n).filter(function (p) { return !loose.has(key(p, n)); }));
    });
    return { order: dag.order, down: down, up: up, comp: dag.comp, free: free };
  }

  function banded(dag, group, widths) {
    if (group.length < 2) { return []; }
    var depth = new Map(), total = 0, deepest = 0, i;
    for (i = group.length - 1; i >= 0; i--) {
      var n = group[i], d = 0;
      dag.down.get(n).forEach(function (c) {
        if (dag.comp.get(c) === dag.comp.get(n)) { d = Math.max(d, depth.get(c)); }
      });
      depth.set(n, 1 + d);
      deepest = Math.max(deepest, 1 + d);
      total += widths.get(n) + NODE_GAP;
    }
    var bands = Math.max(MIN_BANDS, Math.floor(Math.sqrt(total / (PITCH * WRAP_ASPECT)) + 0.5));
    if (deepest <= bands) { return []; }
    var band = new Map(), free = [];
    group.forEach(function (n, k) { band.set(n, Math.floor(k * bands / group.length)); });
    group.forEach(function (n) {
      dag.down.get(n).forEach(function (c) {
        if (dag.comp.get(c) === dag.comp.get(n) && band.get(c) === band.get(n)) { free.push([n, c]); }
      });
    });
    return free;
  }

  function withFreeEdges(dag, rows) {
    var down = new Map(), up = new Map(), loops = [];
    dag.order.forEach(function (n) {
      down.set(n, dag.down.get(n).slice()); up.set(n, dag.up.get(n).slice());
    });
    dag.free.forEach(function (e) {
      var a = e[0], b = e[1];
      if (rows.get(a) === rows.get(b)) { loops.push(e); return; }
      var upper = rows.get(a) < rows.get(b) ? a : b, lower = upper === a ? b : a;
      down.get(upper).push(lower);
      up.get(lower).push(upper);
    });
    sortByPlace(dag.order, down, up);
    return [{ order: dag.order, down: down, up: up, comp: dag.comp, free: [] }, loops];
  }

  function finishTimes(names, out, comp, weak) {
    function strong(node) {
      return out.get(node).filter(function (t) {
        return comp.get(t) === comp.get(node) && !weak.has(key(node, t));
      });
    }
    var finish = new Map(), seen = new Set();
    names.forEach(function (root) {
      if (seen.has(root)) { return; }
      seen.add(root);
      var work = [[root, strong(root), 0]];
      while (work.length) {
        var top = work[work.length - 1], targets = top[1], at = top[2];
        while (at < targets.length && seen.has(targets[at])) { at += 1; }
        if (at === targets.length) {
          work.pop();
          finish.set(top[0], finish.size);
          continue;
        }
        top[2] = at + 1;
        seen.add(targets[at]);
        work.push([targets[at], strong(targets[at]), 0]);
      }
    });
    return finish;
  }

  function heights(dag) {
    var found = new Map();
    for (var i = dag.order.length - 1; i >= 0; i--) {
      var n = dag.order[i], h = -1;
      dag.down.get(n).forEach(function (c) { h = Math.max(h, found.get(c)); });
      found.set(n, 1 + h);
    }
    return found;
  }

  function freeRows(dag, height) {
    var level = new Map(height);
    dag.order.forEach(function (n) {
      var parents = dag.up.get(n);
      if (parents.length) {
        var least = Infinity;
        parents.forEach(function (p) { least = Math.min(least, level.get(p)); });
        level.set(n, least - 1);
      }
    });
    var top = 0, first = true;
    level.forEach(function (h) { top = first ? h : Math.max(top, h); first = false; });
    var rows = new Map();
    level.forEach(function (h, n) { rows.set(n, top - h); });
    return compact(rows);
  }

  function compact(rows) {
    var present = Array.from(new Set(rows.values())).sort(function (a, b) { return a - b; });
    var number = new Map();
    present.forEach(function (r, i) { number.set(r, i); });
    var found = new Map();
    rows.forEach(function (r, n) { found.set(n, number.get(r)); });
    return found;
  }

  function ridesBus(rowsPassed, edgeCount) {
    return rowsPassed > SHORT_ROWS && rowsPassed > ROWS_PER_EDGE * edgeCount;
  }

  function topsOf(dag, n, rows, groupOf) {
    var tops = new Map(), counts = new Map();
    dag.up.get(n).forEach(function (p) {
      var g = groupOf.get(p);
      tops.set(g, tops.has(g) ? Math.min(tops.get(g), rows.get(p)) : rows.get(p));
      counts.set(g, (counts.get(g) || 0) + 1);
    });
    return [tops, counts];
  }

  function trunkSpans(dag, rows, groupOf) {
    var spans = [];
    dag.order.forEach(function (n) {
      var found = topsOf(dag, n, rows, groupOf), tops = found[0], counts = found[1];
      Array.from(tops.keys()).sort(cmp).forEach(function (g) {
        var top = tops.get(g);
        if (top + 1 < rows.get(n) && !ridesBus(rows.get(n) - top - 1, counts.get(g))) {
          spans.push([n, g, top]);
        }
      });
    });
    return spans;
  }

  function add(map, k, value) { map.set(k, (map.get(k) || 0) + value); }

  function extent(dag, rows, widths, groupOf, pad) {
    var used = new Map(), widest = new Map();
    dag.order.forEach(function (n) {
      add(used, key(rows.get(n), groupOf.get(n)), widths.get(n) + NODE_GAP);
    });
    trunkSpans(dag, rows, groupOf).forEach(function (s) {
      for (var r = s[2] + 1; r < rows.get(s[0]); r++) { add(used, key(r, s[1]), LANE); }
    });
    used.forEach(function (w, k) {
      var g = k.slice(k.indexOf("\u0000") + 1);
      widest.set(g, Math.max(widest.get(g) || 0, w));
    });
    var width = 2 * MARGIN;
    Array.from(widest.keys()).sort(cmp).forEach(function (g) {
      width += widest.get(g) + GROUP_GAP + 2 * pad;
    });
    var last = 0;
    rows.forEach(function (r) { last = Math.max(last, r); });
    return [width, (last + 1) * PITCH + 2 * MARGIN];
  }

  function layer(dag, widths, groupOf, pad) {
    var height = heights(dag), free = freeRows(dag, height);
    var size = extent(dag, free, widths, groupOf, pad);
    if (size[0] <= MAX_ASPECT * size[1]) { return free; }
    var content = contentOf(dag, free, widths, groupOf), total = 0;
    Array.from(content.keys()).sort(cmp).forEach(function (g) { total += content.get(g); });
    var budget = Math.sqrt(WRAP_ASPECT * total * PITCH);
    var widest = widestOf(dag, widths, groupOf), best = free;
    for (var trial = 0; trial < WRAP_TRIALS; trial++) {
      var caps = new Map();
      content.forEach(function (c, g) { caps.set(g, Math.max(widest.get(g), budget * c / total)); });
      best = wrapped(dag, free, height, widths, groupOf, caps);
      size = extent(dag, best, widths, groupOf, pad);
      if (size[0] <= MAX_ASPECT * size[1]) { break; }
      budget *= Math.min(WRAP_STEP, Math.sqrt(WRAP_ASPECT * size[1] / size[0]));
    }
    return best;
  }

  function contentOf(dag, rows, widths, groupOf) {
    var found = new Map();
    dag.order.forEach(function (n) { add(found, groupOf.get(n), widths.get(n) + NODE_GAP); });
    trunkSpans(dag, rows, groupOf).forEach(function (s) {
      add(found, s[1], LANE * (rows.get(s[0]) - s[2] - 1));
    });
    return found;
  }

  function widestOf(dag, widths, groupOf) {
    var found = new Map();
    dag.order.forEach(function (n) {
      var g = groupOf.get(n);
      found.set(g, Math.max(found.get(g) || 0, widths.get(n) + NODE_GAP));
    });
    return found;
  }

  // A binary heap of [start, height, name], least start first, then greatest height, then name.
  function before(a, b) {
    return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] < b[2];
  }
  function heapPush(heap, item) {
    heap.push(item);
    var i = heap.length - 1;
    while (i > 0) {
      var parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) { break; }
      var swap = heap[i]; heap[i] = heap[parent]; heap[parent] = swap; i = parent;
    }
  }
  function heapPop(heap) {
    var top = heap[0], last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      var i = 0;
      for (;;) {
        var l = 2 * i + 1, r = l + 1, least = i;
        if (l < heap.length && before(heap[l], heap[least])) { least = l; }
        if (r < heap.length && before(heap[r], heap[least])) { least = r; }
        if (least === i) { break; }
        var swap = heap[i]; heap[i] = heap[least]; heap[least] = swap; i = least;
      }
    }
    return top;
  }

  function wrapped(dag, free, height, widths, groupOf, caps) {
    var pending = new Map(), ready = [], used = new Map(), rows = new Map();
    dag.order.forEach(function (n) {
      pending.set(n, dag.up.get(n).length);
      if (!pending.get(n)) { heapPush(ready, [free.get(n), height.get(n), n]); }
    });
    while (ready.length) {
      var item = heapPop(ready), n = item[2], g = groupOf.get(n);
      var need = widths.get(n) + NODE_GAP, r = item[0];
      while ((used.get(key(r, g)) || 0) > 0 &&
             used.get(key(r, g)) + need > caps.get(g) + EPSILON) { r += 1; }
      rows.set(n, r);
      add(used, key(r, g), need);
      reserveTrunks(dag, n, rows, groupOf, used);
      dag.down.get(n).forEach(function (c) {
        pending.set(c, pending.get(c) - 1);
        if (!pending.get(c)) {
          var start = 0;
          dag.up.get(c).forEach(function (p) { start = Math.max(start, rows.get(p)); });
          heapPush(ready, [1 + start, height.get(c), c]);
        }
      });
    }
    return compact(rows);
  }

  function reserveTrunks(dag, n, rows, groupOf, used) {
    var found = topsOf(dag, n, rows, groupOf), counts = found[1];
    found[0].forEach(function (top, g) {
      if (ridesBus(rows.get(n) - top - 1, counts.get(g))) { return; }
      for (var r = top + 1; r < rows.get(n); r++) { add(used, key(r, g), LANE); }
    });
  }

  // -- placement.py ---------------------------------------------------------------------

  function expand(dag, rows, widths, groupOf, loops) {
    var names = dag.order.slice().sort(cmp), number = new Map();
    names.forEach(function (n, i) { number.set(n, i); });
    var groups = Array.from(new Set(names.map(function (n) { return groupOf.get(n); }))).sort(cmp);
    var rank = new Map();
    groups.forEach(function (g, i) { rank.set(g, i); });
    var ranked = {
      boxes: names.length,
      row: names.map(function (n) { return rows.get(n); }),
      group: names.map(function (n) { return rank.get(groupOf.get(n)); }),
      width: names.map(function (n) { return widths.get(n); }),
      down: names.map(function () { return []; }),
      up: names.map(function () { return []; }),
      trunks: [], edges: [], via: new Map(),
      loops: loops.map(function (e) { return [number.get(e[0]), number.get(e[1])]; }),
      buses: [],
    };
    var riders = [];
    dag.order.forEach(function (n) {
      var parents = new Map();
      dag.up.get(n).forEach(function (p) {
        var g = groupOf.get(p);
        if (!parents.has(g)) { parents.set(g, []); }
        parents.get(g).push(number.get(p));
      });
      Array.from(parents.keys()).sort(cmp).forEach(function (g) {
        var found = parents.get(g), top = Infinity, target = number.get(n);
        found.forEach(function (p) { top = Math.min(top, ranked.row[p]); });
        if (ridesBus(ranked.row[target] - top - 1, found.length)) {
          riders.push([target, found, rank.get(g), top]);
        } else {
          addTrunk(ranked, target, found, rank.get(g));
        }
      });
    });
    addBuses(ranked, riders);
    return ranked;
  }

  function addTrunk(ranked, target, parents, group) {
    var top = Infinity;
    parents.forEach(function (p) { top = Math.min(top, ranked.row[p]); });
    var first = ranked.row.length, count = ranked.row[target] - top - 1;
    if (count > 0) {
      ranked.trunks.push({ target: target, first: first, top: top, bus: false });
      addPoints(ranked, top + 1, count, group);
      ranked.down[first + count - 1].push(target);
      ranked.up[target].push(first + count - 1);
    }
    join(ranked, target, parents, first, top);
  }

  function addPoints(ranked, row, count, group) {
    var first = ranked.row.length;
    for (var i = 0; i < count; i++) {
      ranked.row.push(row + i);
      ranked.group.push(group);
      ranked.width.push(LANE_WIDTH);
      ranked.down.push(i < count - 1 ? [first + i + 1] : []);
      ranked.up.push(i === 0 ? [] : [first + i - 1]);
    }
  }

  function addBuses(ranked, riders) {
    var groups = Array.from(new Set(riders.map(function (r) { return r[2]; })))
      .sort(function (a, b) { return a - b; });
    groups.forEach(function (group) {
      var mine = riders.filter(function (r) { return r[2] === group; });
      var low = Infinity, high = -Infinity;
      mine.forEach(function (r) {
        low = Math.min(low, r[3] + 1); high = Math.max(high, ranked.row[r[0]] - 1);
      });
      var bus = { first: ranked.row.length, top: low, count: high - low + 1 };
      ranked.buses.push(bus);
      addPoints(ranked, low, bus.count, group);
      mine.forEach(function (r) {
        var target = r[0], top = r[3], first = bus.first + top + 1 - low;
        ranked.trunks.push({ target: target, first: first, top: top, bus: true });
        var last = first + ranked.row[target] - top - 2;
        ranked.down[last].push(target);
        ranked.up[target].push(last);
        join(ranked, target, r[1], first, top);
      });
    });
  }

  function join(ranked, target, parents, first, top) {
    parents.forEach(function (p) {
      ranked.edges.push([p, target]);
      if (ranked.row[p] + 1 === ranked.row[target]) {
        link(ranked, p, target);
      } else {
        ranked.via.set(key(p, target), ranked.trunks.length - 1);
        link(ranked, p, first + ranked.row[p] - top);
      }
    });
  }

  function link(ranked, upper, lower) { ranked.down[upper].push(lower); ranked.up[lower].push(upper); }

  function sweeps(ranked, most) {
    var links = 0;
    ranked.down.forEach(function (others) { links += others.length; });
    return Math.max(MIN_SWEEPS, Math.min(most, Math.floor(WORK / Math.max(links, 1))));
  }

  function mean(others, values, fallback) {
    if (!others.length) { return fallback; }
    var total = 0;
    for (var i = 0; i < others.length; i++) { total += values[others[i]]; }
    return total / others.length;
  }

  function number(row, pos) {
    for (var i = 0; i < row.length; i++) { pos[row[i]] = (i + 0.5) / row.length; }
  }

  function orderRows(ranked) {
    var last = -1;
    ranked.row.forEach(function (r) { last = Math.max(last, r); });
    var rows = [], r, i;
    for (r = 0; r <= last; r++) { rows.push([]); }
    ranked.row.forEach(function (r, n) { rows[r].push(n); });
    var group = ranked.group, pos = new Array(ranked.row.length).fill(0);
    var centre = new Array(ranked.row.length).fill(0);
    rows.forEach(function (row) {
      row.sort(function (a, b) { return group[a] - group[b]; });
      number(row, pos);
    });
    var count = sweeps(ranked, SWEEPS);
    function byCentre(a, b) {
      return (group[a] - group[b]) || (centre[a] - centre[b]) || (pos[a] - pos[b]);
    }
    for (var sweep = 0; sweep < count; sweep++) {
      var down = sweep % 2 === 0, near = down ? ranked.up : ranked.down;
      for (i = 0; i < rows.length - 1; i++) {
        var row = rows[down ? i + 1 : rows.length - 2 - i];
        for (var k = 0; k < row.length; k++) {
          centre[row[k]] = mean(near[row[k]], pos, pos[row[k]]);
        }
        row.sort(byCentre);
        number(row, pos);
      }
    }
    return rows;
  }

  function segments(row, group) {
    var runs = [];
    row.forEach(function (n) {
      if (runs.length && group[runs[runs.length - 1][0]] === group[n]) {
        runs[runs.length - 1].push(n);
      } else {
        runs.push([n]);
      }
    });
    return runs;
  }

  function offsetsOf(run, ranked) {
    var offsets = [0];
    for (var i = 1; i < run.length; i++) {
      var a = run[i - 1], b = run[i];
      var gap = a < ranked.boxes && b < ranked.boxes ? NODE_GAP : LANE_GAP;
      offsets.push(offsets[i - 1] + ranked.width[a] / 2 + gap + ranked.width[b] / 2);
    }
    return offsets;
  }

  function columns(rows, ranked, pad) {
    var need = [], last = -1;
    ranked.group.forEach(function (g) { last = Math.max(last, g); });
    for (var g = 0; g <= last; g++) { need.push(0); }
    rows.forEach(function (row) {
      segments(row, ranked.group).forEach(function (run) {
        var offsets = offsetsOf(run, ranked);
        var span = offsets[offsets.length - 1] +
          (ranked.width[run[0]] + ranked.width[run[run.length - 1]]) / 2;
        need[ranked.group[run[0]]] = Math.max(need[ranked.group[run[0]]], span);
      });
    });
    var found = [], left = MARGIN + pad;
    need.forEach(function (width) {
      found.push([left, left + width]);
      left += width + GROUP_GAP + 2 * pad;
    });
    return found;
  }

  function assignX(rows, ranked, cols) {
    var runs = rows.map(function (row) {
      return segments(row, ranked.group).map(function (nodes) {
        var offsets = offsetsOf(nodes, ranked), col = cols[ranked.group[nodes[0]]];
        return { nodes: nodes, offsets: offsets, low: col[0] + ranked.width[nodes[0]] / 2,
                 high: col[1] - ranked.width[nodes[nodes.length - 1]] / 2 -
                   offsets[offsets.length - 1] };
      });
    });
    var x = new Array(ranked.row.length).fill(0);
    runs.forEach(function (rowRuns) {
      rowRuns.forEach(function (run) {
        var start = (run.low + run.high) / 2;
        run.nodes.forEach(function (n, i) { x[n] = start + run.offsets[i]; });
      });
    });
    var both = ranked.up.map(function (u, n) { return u.concat(ranked.down[n]); });
    var count = sweeps(ranked, X_SWEEPS);
    for (var sweep = 0; sweep < count; sweep++) {
      var down = sweep % 2 === 0;
      var near = sweep === count - 1 ? both : down ? ranked.up : ranked.down;
      for (var i = 0; i < runs.length; i++) {
        runs[down ? i : runs.length - 1 - i].forEach(function (run) { fit(run, near, x); });
      }
    }
    return x;
  }

  function fit(run, near, x) {
    var sums = [], counts = [], i;
    for (i = 0; i < run.nodes.length; i++) {
      var n = run.nodes[i], others = near[n], total;
      if (others.length) {
        total = 0;
        for (var k = 0; k < others.length; k++) { total += x[others[k]]; }
        total = total / others.length - run.offsets[i];
      } else {
        total = x[n] - run.offsets[i];
      }
      var count = 1;
      while (sums.length && sums[sums.length - 1] * count > total * counts[counts.length - 1]) {
        total += sums.pop();
        count += counts.pop();
      }
      sums.push(total);
      counts.push(count);
    }
    i = 0;
    for (var b = 0; b < sums.length; b++) {
      var value = Math.min(Math.max(sums[b] / counts[b], run.low), run.high);
      for (var c = 0; c < counts[b]; c++) { x[run.nodes[i]] = value + run.offsets[i]; i += 1; }
    }
  }

  // -- layout.py --------------------------------------------------------------------------

  function fixed(v) { return v.toFixed(1); }

  function curve(x0, y0, x1, y1) {
    if (Math.abs(x1 - x0) < 0.05) { return "V" + fixed(y1); }
    var bend = (y1 - y0) / 2;
    return "C" + fixed(x0) + "," + fixed(y0 + bend) + " " + fixed(x1) + "," +
      fixed(y1 - bend) + " " + fixed(x1) + "," + fixed(y1);
  }

  function lines(names, ranked, xs, top) {
    function rowTop(n) { return top + ranked.row[n] * PITCH; }
    function entry(u, v) {
      var k = ranked.via.get(key(u, v));
      if (k === undefined) { return v; }
      return ranked.trunks[k].first + ranked.row[u] - ranked.trunks[k].top;
    }
    function exit(u, v) {
      var k = ranked.via.get(key(u, v));
      if (k === undefined) { return u; }
      return ranked.trunks[k].first + ranked.row[v] - ranked.trunks[k].top - 2;
    }
    function ports(ends) {
      var hops = new Map(), seen = new Set(), found = new Map();
      ends.forEach(function (end) {
        if (seen.has(key(end[0], end[1]))) { return; }
        seen.add(key(end[0], end[1]));
        if (!hops.has(end[0])) { hops.set(end[0], []); }
        hops.get(end[0]).push(end[1]);
      });
      hops.forEach(function (others, box) {
        others.sort(function (a, b) { return (xs[a] - xs[b]) || (a - b); });
        var width = ranked.width[box] * SPREAD, step = width / Math.max(others.length - 1, 1);
        var start = others.length === 1 ? xs[box] : xs[box] - width / 2;
        others.forEach(function (other, i) { found.set(key(box, other), start + i * step); });
      });
      return found;
    }
    var bottoms = ports(ranked.edges.map(function (e) { return [e[0], entry(e[0], e[1])]; })
      .concat([].concat.apply([], ranked.loops.map(function (e) { return [e, [e[1], e[0]]]; }))));
    var tops = ports(ranked.edges.map(function (e) { return [e[1], exit(e[0], e[1])]; }));
    function edge(u, v) {
      var hop = entry(u, v), sx = bottoms.get(key(u, hop)), sy = rowTop(u) + NODE_HEIGHT;
      var ex = hop === v ? tops.get(key(v, u)) : xs[hop];
      var d = "M" + fixed(sx) + "," + fixed(sy) + " " + curve(sx, sy, ex, rowTop(hop));
      var k = ranked.via.get(key(u, v));
      return { upper: names[u], lower: names[v], d: d, trunk: k === undefined ? null : k,
               full: function () { return k === undefined ? d : d + " " + rest(ranked.trunks[k], hop); } };
    }
    // The rest of an edge's way: down its trunk from the point where it joins.
    function rest(t, hop) {
      var x = xs[hop], y = rowTop(hop) + NODE_HEIGHT, parts = ["V" + fixed(y)];
      var last = t.first + ranked.row[t.target] - t.top - 2;
      for (var point = hop + 1; point <= last; point++) {
        parts.push(curve(x, y, xs[point], rowTop(point)));
        x = xs[point]; y = rowTop(point) + NODE_HEIGHT;
        parts.push("V" + fixed(y));
      }
      parts.push(curve(x, y, tops.get(key(t.target, last)), rowTop(t.target)));
      return parts.join(" ");
    }
    function down(first, last) {  // [path, x, y]: through the points, straight down each row
      var x = xs[first], y = rowTop(first), parts = ["M" + fixed(x) + "," + fixed(y)];
      for (var point = first; point <= last; point++) {
        if (point !== first) { parts.push(curve(x, y, xs[point], rowTop(point))); }
        x = xs[point]; y = rowTop(point) + NODE_HEIGHT;
        parts.push("V" + fixed(y));
      }
      return [parts.join(" "), x, y];
    }
    function trunk(t) {
      var last = t.first + ranked.row[t.target] - t.top - 2, start;
      if (t.bus) {
        start = ["M" + fixed(xs[last]) + "," + fixed(rowTop(last) + NODE_HEIGHT), xs[last],
                 rowTop(last) + NODE_HEIGHT];
      } else {
        start = down(t.first, last);
      }
      return { target: names[t.target], bus: t.bus,
               d: start[0] + " " + curve(start[1], start[2], tops.get(key(t.target, last)),
                                         rowTop(t.target)) };
    }
    function loop(a, b) {
      var y = rowTop(a) + NODE_HEIGHT, ax = bottoms.get(key(a, b)), bx = bottoms.get(key(b, a));
      var dip = y + ROW_GAP * LOOP_DIP;
      var d = "M" + fixed(ax) + "," + fixed(y) + " C" + fixed(ax) + "," + fixed(dip) + " " +
        fixed(bx) + "," + fixed(dip) + " " + fixed(bx) + "," + fixed(y);
      return { upper: names[a], lower: names[b], d: d, trunk: null, loop: true,
               full: function () { return d; } };
    }
    return { edges: ranked.edges.map(function (e) { return edge(e[0], e[1]); })
               .concat(ranked.loops.map(function (e) { return loop(e[0], e[1]); })),
             trunks: ranked.trunks.map(trunk),
             buses: ranked.buses.map(function (b) { return down(b.first, b.first + b.count - 1)[0]; }) };
  }

  // names: [name]; edges: [[source, target]] (dependent -> dependency); widths: {name: w};
  // groups: {name: folder} or null; weak: [[source, target]].
  function computeLayout(names, edges, widths, groups, weak) {
    names = Array.from(new Set(names)).sort(cmp);
    var known = new Set(names), seen = new Set(), pairs = [];
    edges.forEach(function (e) {
      if (known.has(e[0]) && known.has(e[1]) && e[0] !== e[1] && !seen.has(key(e[0], e[1]))) {
        seen.add(key(e[0], e[1]));
        pairs.push([e[0], e[1]]);
      }
    });
    pairs.sort(function (a, b) { return cmp(a[0], b[0]) || cmp(a[1], b[1]); });
    var groupOf = new Map(), widthOf = new Map();
    names.forEach(function (n) {
      groupOf.set(n, groups && groups[n] !== undefined ? groups[n] : "");
      widthOf.set(n, widths[n]);
    });
    var pad = groups ? GROUP_PAD : 0;
    var dag = compactGroups(orient(names, pairs, new Set((weak || []).map(function (e) {
      return key(e[0], e[1]); }))), widthOf);
    var rowOf = layer(dag, widthOf, groupOf, pad), routed = withFreeEdges(dag, rowOf);
    var ranked = expand(routed[0], rowOf, widthOf, groupOf, routed[1]);
    var rows = orderRows(ranked), cols = columns(rows, ranked, pad);
    var xs = assignX(rows, ranked, cols);
    var top = MARGIN + (groups ? GROUP_PAD + GROUP_LABEL : 0);
    var nodes = {};
    names.forEach(function (n, i) {
      nodes[n] = { name: n, x: xs[i], y: top + ranked.row[i] * PITCH + NODE_HEIGHT / 2,
                   width: widthOf.get(n), height: NODE_HEIGHT, row: ranked.row[i],
                   group: groupOf.get(n) };
    });
    var right = MARGIN + pad;
    cols.forEach(function (col) { right = Math.max(right, col[1]); });
    var drawn = lines(names, ranked, xs, top);
    return {
      nodes: nodes,
      edges: drawn.edges.map(function (e) { return edgePath(e, seen); })
        .sort(function (a, b) { return cmp(a.source, b.source) || cmp(a.target, b.target); }),
      trunks: drawn.trunks,
      buses: drawn.buses,
      groups: groups ? groupBoxes(nodes, names, groupOf, cols) : [],
      width: right + pad + MARGIN,
      height: Math.max(top + rows.length * PITCH - ROW_GAP + pad + MARGIN, top + MARGIN),
    };
  }

  function edgePath(e, pairs) {
    if (!pairs.has(key(e.upper, e.lower))) {
      return { source: e.lower, target: e.upper, d: e.d, upward: true, mutual: false,
               trunk: e.trunk, loop: !!e.loop, full: e.full };
    }
    return { source: e.upper, target: e.lower, d: e.d, upward: false,
             mutual: pairs.has(key(e.lower, e.upper)), trunk: e.trunk, loop: !!e.loop,
             full: e.full };
  }

  function groupBoxes(nodes, names, groupOf, cols) {
    var groups = Array.from(new Set(names.map(function (n) { return groupOf.get(n); }))).sort(cmp);
    return groups.map(function (g, i) {
      var topmost = Infinity, bottom = -Infinity;
      names.forEach(function (n) {
        if (groupOf.get(n) !== g) { return; }
        topmost = Math.min(topmost, nodes[n].y - NODE_HEIGHT / 2);
        bottom = Math.max(bottom, nodes[n].y - NODE_HEIGHT / 2 + NODE_HEIGHT);
      });
      var y = topmost - GROUP_PAD - GROUP_LABEL;
      return { name: g, x: cols[i][0] - GROUP_PAD, y: y,
               width: cols[i][1] - cols[i][0] + 2 * GROUP_PAD, height: bottom + GROUP_PAD - y };
    });
  }

  return { computeLayout: computeLayout, nodeWidth: nodeWidth, NODE_HEIGHT: NODE_HEIGHT };
})();
if (typeof module !== "undefined") { module.exports = orchestratorLayout; }
