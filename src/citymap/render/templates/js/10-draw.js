/* The map, its base layers and citymap's canvas layer.
 * Every feature is drawn on one canvas in batches: one path per (layer, style), so a pan
 * or a new date costs one pass over flat arrays, not one Leaflet object per feature.
 * The status of each site on the date shown is replayed from its status events
 * (see docs/map-data.md); restyling swaps the style codes and redraws once. */

/* ---------------------------------------------------------------- the map */
var map = L.map('map', { zoomSnap: 0.25, minZoom: 3 });
var bounds = L.latLngBounds(D.bounds);
function narrow() { return map.getSize().x < 700; }
function fitOptions() {
  /* keep the features clear of the panels (search and metrics left, layers right) */
  var size = map.getSize();
  if (size.x < 900 || size.y < 500) { return { padding: [20, 20] }; }
  return { paddingTopLeft: [Math.min(340, size.x * 0.28), 100],
           paddingBottomRight: [Math.min(310, size.x * 0.25), 20] };
}
function home() {
  if (D.view) { map.setView([D.view[0], D.view[1]], D.view[2]); } else { map.fitBounds(bounds, fitOptions()); }
}
home();

/* base maps: when tiles cannot load the page says so (tileNotice) and draws the data */
var baseLayers = [], tiles = { ok: 0, bad: 0 };
function watchTiles(t) {
  t.on('tileload', function () { tiles.ok++; tileNotice(); });
  t.on('tileerror', function () { tiles.bad++; tileNotice(); });
  return t;
}
D.basemaps.forEach(function (b, k) {
  var opts = { maxZoom: b.maxZoom || 19, attribution: b.attr || '' };
  if (b.sub) { opts.subdomains = b.sub; }
  var layer = watchTiles(L.tileLayer(b.url, opts));
  if (b.labels) { layer = L.layerGroup([layer, watchTiles(L.tileLayer(b.labels, opts))]); }
  baseLayers.push({ name: b.name, layer: layer });
  if (k === 0) { layer.addTo(map); }
});

/* ------------------------------------------------------------- decoding */
var LAYERS = D.layers.slice();
if (D.service) { LAYERS.push(D.service); }
var MAXLAT = 85.0511287798;
function worldX(lon) { return 0.5 + lon / 360; }
function worldY(lat) {
  lat = Math.max(Math.min(MAXLAT, lat), -MAXLAT);
  var s = Math.sin(lat * Math.PI / 180);
  return 0.5 - 0.25 * Math.log((1 + s) / (1 - s)) / Math.PI;
}
/* G[li]: xy (world coords 0…1, Web Mercator), ll (lat, lon), ringStart (vertex offset of every
 * ring/line/point run, +1), featRing (ring offset of every feature, +1), part of each ring
 * (rings of one polygon part share it), bbox (world, 4 per feature) */
var G = LAYERS.map(function (Ld) {
  var g = Ld.geometry, c = decodeInts(g.c), nv = c.length / 2, xy = new Float64Array(c.length),
      ll = new Float64Array(c.length), k, lat = 0, lon = 0;
  for (k = 0; k < c.length; k += 2) {
    lat += c[k]; lon += c[k + 1];
    ll[k] = lat / 1e6; ll[k + 1] = lon / 1e6;
    xy[k] = worldX(ll[k + 1]); xy[k + 1] = worldY(ll[k]);
  }
  var np = g.np ? decodeInts(g.np) : null, nr = g.nr ? decodeInts(g.nr) : null, nc = g.nc ? decodeInts(g.nc) : null;
  var n = Ld.n, runs = [], featRing = new Int32Array(n + 1), i, j, q, pi = 0, ri = 0, v = 0, m, nRing;
  for (i = 0; i < n; i++) {
    featRing[i] = runs.length;
    m = np ? np[i] : 1;
    for (j = 0; j < m; j++) {
      if (Ld.geom === 'Point') { runs.push(v); v += 1; }
      else if (Ld.geom === 'Polygon') {
        nRing = nr ? nr[pi] : 1;
        for (q = 0; q < nRing; q++) { runs.push(v); v += nc[ri++]; }
      } else { runs.push(v); v += nc[pi]; }
      pi++;
    }
  }
  featRing[n] = runs.length; runs.push(v);
  var ringStart = Int32Array.from(runs), bbox = new Float64Array(4 * n), x, y, a, b;
  for (i = 0; i < n; i++) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    a = ringStart[featRing[i]]; b = ringStart[featRing[i + 1]];
    for (k = a; k < b; k++) {
      x = xy[2 * k]; y = xy[2 * k + 1];
      if (x < x0) { x0 = x; } if (x > x1) { x1 = x; } if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
    }
    bbox[4 * i] = x0; bbox[4 * i + 1] = y0; bbox[4 * i + 2] = x1; bbox[4 * i + 3] = y1;
  }
  return { xy: xy, ll: ll, ringStart: ringStart, featRing: featRing, bbox: bbox, nv: nv };
});
var COLS = LAYERS.map(function () { return {}; });
function column(li, name) {
  var c = LAYERS[li].columns[name];
  if (c === undefined) { return null; }
  if (!COLS[li][name]) { COLS[li][name] = expand(c); }
  return COLS[li][name];
}
function value(li, name, i) { var c = column(li, name); return c ? c[i] : null; }

/* status events per site: evStart (offset, +1), evDay, evCode; due day; works groups */
var EV = LAYERS.map(function (Ld) {
  if (!Ld.events) { return null; }
  var counts = decodeInts(Ld.events.n), n = Ld.n, start = new Int32Array(n + 1), i, t = 0;
  for (i = 0; i < n; i++) { start[i] = t; t += counts[i]; }
  start[n] = t;
  var days = Int32Array.from(cumsum(decodeInts(Ld.events.day))), codes = new Uint8Array(t);
  for (i = 0; i < t; i++) { codes[i] = Ld.events.code.charCodeAt(i) - 48; }
  var wk = Ld.works ? { d: Ld.works.d, i: decodeInts(Ld.works.i) } : null;
  return { start: start, day: days, code: codes, due: Int32Array.from(cumsum(decodeInts(Ld.due))), works: wk };
});
/* SPATIAL[li]: feature indices ordered by a 64 × 64 grid cell of their box centre, so that one
 * batch's path covers a small area (the rasteriser's cost grows with a path's extent) */
var SPATIAL = LAYERS.map(function (Ld, li) {
  var bb = G[li].bbox, n = Ld.n, keys = new Float64Array(n), idx = new Int32Array(n), i, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, cx, cy;
  for (i = 0; i < n; i++) {
    x0 = Math.min(x0, bb[4 * i]); y0 = Math.min(y0, bb[4 * i + 1]); x1 = Math.max(x1, bb[4 * i + 2]); y1 = Math.max(y1, bb[4 * i + 3]);
  }
  for (i = 0; i < n; i++) {
    cx = Math.min(63, Math.floor(64 * ((bb[4 * i] + bb[4 * i + 2]) / 2 - x0) / ((x1 - x0) || 1)));
    cy = Math.min(63, Math.floor(64 * ((bb[4 * i + 1] + bb[4 * i + 3]) / 2 - y0) / ((y1 - y0) || 1)));
    keys[i] = (cy * 64 + (cy % 2 ? 63 - cx : cx)) * n + i; idx[i] = i;
  }
  return Int32Array.from(Array.prototype.slice.call(idx).sort(function (a, b) { return keys[a] - keys[b]; }));
});
var DONE = 2, BEHIND = 3;
/* a work is done on a day when set so (its own events), or when it keeps a register status 已完成 */
function workDone(n, day) {
  var w = D.works[String(n)], k, done = null;
  if (!w) { return null; }  /* unknown work: its sites are on no list */
  for (k = 0; k < w.ev.length; k++) { if (w.ev[k][0] <= day) { done = w.ev[k][1] === 1; } }
  if (done !== null) { return done; }
  return w.fixed === 1;
}

/* ------------------------------------------------------------- state on a date */
/* CODE[li][i]: the style code of feature i: status (0…3) + 4 when late; service: covered 0/1 */
var CODE = LAYERS.map(function (Ld) { return new Uint8Array(Ld.n); });
var SDAY = LAYERS.map(function (Ld) { return Ld.events ? new Int32Array(Ld.n) : null; });
var BUCKETS = [];   /* BUCKETS[li][code] = Int32Array of feature indices */
function computeState(k) {
  var day = DATES[k].day, doneCache = {};
  function done(n) { if (!(n in doneCache)) { doneCache[n] = workDone(n, day); } return doneCache[n]; }
  LAYERS.forEach(function (Ld, li) {
    var code = CODE[li], e = EV[li], i, j, a, b, st, sd, late, ws;
    if (Ld.role === 'service') {
      var ix = Ld.coveredByDate[k], bits = ix >= 0 ? Ld.covered[ix] : '';
      for (i = 0; i < Ld.n; i++) { code[i] = bits.charCodeAt(i) === 49 ? 1 : 0; }
    } else if (e) {
      for (i = 0; i < Ld.n; i++) {
        st = 0; sd = 0; a = e.start[i]; b = e.start[i + 1];
        for (j = a; j < b && e.day[j] <= day; j++) { st = e.code[j]; sd = e.day[j]; }
        late = false;
        if (st === BEHIND || (e.due[i] <= day && st !== DONE)) {
          ws = e.works ? e.works.d[e.works.i[i]] : [];
          for (j = 0; j < ws.length && !late; j++) { late = done(ws[j]) === false; }
        }
        code[i] = st + (late ? 4 : 0);
        SDAY[li][i] = sd;
      }
    }
    var counts = new Int32Array(8), lists = [], c;
    for (i = 0; i < Ld.n; i++) { counts[code[i]]++; }
    for (c = 0; c < 8; c++) { lists.push(new Int32Array(counts[c])); counts[c] = 0; }
    var sp = SPATIAL[li], q;
    for (q = 0; q < Ld.n; q++) { i = sp[q]; c = code[i]; lists[c][counts[c]++] = i; }
    BUCKETS[li] = lists;
  });
}
function statusCode(li, i) { return LAYERS[li].events ? CODE[li][i] % 4 : -1; }
function isLate(li, i) { return LAYERS[li].events ? CODE[li][i] >= 4 : false; }
function statusDate(li, i) { return SDAY[li] ? dayToIso(SDAY[li][i]) : ''; }
function covered(li, i) { return LAYERS[li].role === 'service' ? CODE[li][i] === 1 : null; }

/* ------------------------------------------------------------- styles */
/* STYLES[li][code]: {fill, fillOpacity, stroke, opacity, weight, dash, shape, radius, late} */
var STYLES = LAYERS.map(function (Ld) {
  var s = Ld.style, out = [], k;
  for (k = 0; k < 8; k++) {
    var st = k % 4, o;
    if (Ld.role === 'context') {
      o = { fill: s.color, fillOpacity: s.fillOpacity, stroke: s.color, opacity: 0.8, weight: s.weight, dash: null, shape: 'circle', radius: 3 };
    } else if (Ld.role === 'service') {
      o = { fill: s.colors[st ? 1 : 0], fillOpacity: s.fillOpacity, stroke: s.colors[st ? 1 : 0], opacity: s.opacity,
            weight: s.weight, dash: st ? null : [3, 3] };
    } else {
      o = { fill: s.colors[st], fillOpacity: s.fillOpacity, stroke: s.colors[st], opacity: s.opacity, weight: s.weight,
            dash: D.dashes[st] ? D.dashes[st].split(' ').map(Number) : null, shape: D.shapes[st], radius: s.radius };
      if (Ld.geom === 'Point') { o.stroke = '#222'; o.weight = 1; o.dash = null; }
      if (Ld.role === 'pilot') { o.stroke = s.color; o.fill = null; }
    }
    o.late = k >= 4 && Ld.role !== 'service' && Ld.role !== 'context';
    out.push(o);
  }
  return out;
});
function styleOf(li, i) { return STYLES[li][CODE[li][i]]; }

/* ------------------------------------------------------------- the canvas layer */
var VISIBLE = LAYERS.map(function (Ld) { return Ld.role !== 'context' && Ld.role !== 'service'; });
var DRAWN = LAYERS.map(function () { return 0; });
var ORDER = LAYERS.map(function (_, li) { return li; });
/* the service layer under the sites, the rest in the blob's order (polygons, lines, points, zones) */
ORDER.sort(function (a, b) { return (LAYERS[a].role === 'service' ? -1 : a) - (LAYERS[b].role === 'service' ? -1 : b); });
function shapeAt(ctx, shape, x, y, r) {
  var k;
  ctx.moveTo(x + r, y);
  switch (shape) {
    case 'square': k = r * 0.9; ctx.moveTo(x - k, y - k); ctx.rect(x - k, y - k, 2 * k, 2 * k); break;
    case 'triangle': ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r * 1.1, y + r * 0.8); ctx.lineTo(x - r * 1.1, y + r * 0.8); ctx.closePath(); break;
    case 'diamond': k = r * 1.25; ctx.moveTo(x, y - k); ctx.lineTo(x + k, y); ctx.lineTo(x, y + k); ctx.lineTo(x - k, y); ctx.closePath(); break;
    default: ctx.arc(x, y, r, 0, Math.PI * 2, false);
  }
}
var Batched = L.Canvas.extend({
  options: { padding: 0.3 },
  /* two canvases in one box: vector paths below, points stamped pixel by pixel above */
  _initContainer: function () {
    var c = this._container = document.createElement('div');
    c.className = 'cm-canvas';
    this._vec = el('canvas', null, null, c); this._pix = el('canvas', null, null, c);
    this._ctx = this._vec.getContext('2d'); this._pctx = this._pix.getContext('2d');
  },
  _destroyContainer: function () { L.DomUtil.remove(this._container); delete this._ctx; delete this._container; },
  _update: function () {
    if (this._map._animatingZoom && this._bounds) { return; }
    L.Renderer.prototype._update.call(this);
    var b = this._bounds, size = b.getSize(), m = L.Browser.retina ? 2 : 1;
    L.DomUtil.setPosition(this._container, b.min);
    [this._vec, this._pix].forEach(function (c) {
      c.width = m * size.x; c.height = m * size.y; c.style.width = size.x + 'px'; c.style.height = size.y + 'px';
    });
    this._m = m;
    this._ctx.setTransform(m, 0, 0, m, -m * b.min.x, -m * b.min.y);
    this.fire('update');
  },
  _updatePaths: function () { this._drawAll(); },
  _redraw: function () { this._drawAll(); },
  _drawAll: function () {
    if (!this._map || !this._bounds || !this._ctx) { return; }
    var ctx = this._ctx, b = this._bounds, m = this._m || 1, W = this._pix.width, H = this._pix.height;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this._vec.width, this._vec.height);
    ctx.restore();
    if (!this._img || this._img.width !== W || this._img.height !== H) {
      this._img = this._pctx.createImageData(Math.max(W, 1), Math.max(H, 1));
      this._px = new Uint32Array(this._img.data.buffer);
    } else { this._px.fill(0); }
    var S = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin(), px = { d: this._px, W: W, H: H, m: m, x0: b.min.x, y0: b.min.y, any: false };
    var view = [(b.min.x + o.x) / S, (b.min.y + o.y) / S, (b.max.x + o.x) / S, (b.max.y + o.y) / S];
    ORDER.forEach(function (li) {
      DRAWN[li] = 0;
      if (!VISIBLE[li]) { return; }
      var gm = LAYERS[li].geom;
      if (gm === 'Point') { stampLayer(px, li, S, o, view); }
      else if (gm === 'LineString' && map.getZoom() < DETAIL) { plotLines(px, li, S, o, view); }
      else { drawLayer(ctx, li, S, o, view); }
    });
    this._pctx.clearRect(0, 0, W, H);
    if (px.any) { this._pctx.putImageData(this._img, 0, 0); }
  }
});
/* a point's marker drawn once per (layer, style) and stamped with drawImage: blitting an
 * image is far cheaper for the rasteriser than thousands of anti-aliased sub-paths */
var SPRITES = {};
function sprite(li, c) {
  var key = li + '/' + c, sp = SPRITES[key];
  if (sp) { return sp; }
  var st = STYLES[li][c], r = Math.max(Math.round(st.radius), 1), half = Math.ceil(r * 1.25) + (st.late ? 4 : 1);
  var m = window.devicePixelRatio >= 2 ? 2 : 1, cv = document.createElement('canvas'), x;
  cv.width = cv.height = 2 * half * m;
  x = cv.getContext('2d'); x.scale(m, m);
  x.beginPath(); shapeAt(x, st.shape, half, half, r);
  if (st.late) { x.globalAlpha = 0.9; x.strokeStyle = D.lateColor; x.lineWidth = 6; x.stroke(); }
  if (st.fill) { x.globalAlpha = 1; x.fillStyle = st.fill; x.fill(); }  /* opaque: copied, not blended */
  x.globalAlpha = 1; x.strokeStyle = st.stroke; x.lineWidth = st.weight || 1; x.stroke();
  sp = SPRITES[key] = { img: cv, half: half };
  return sp;
}
/* paint the path built so far in one style (the late mark under the feature's own stroke) */
var DETAIL = 14;  /* from this zoom: dashes and round joins (below, features are a few px) */
function paint(ctx, st, geom, fine) {
  if (st.late) {
    ctx.setLineDash([]); ctx.globalAlpha = 0.9; ctx.strokeStyle = D.lateColor;
    ctx.lineWidth = (st.weight || 2) + 6; ctx.stroke();
  }
  if (st.fill && geom !== 'LineString') {
    ctx.globalAlpha = st.fillOpacity; ctx.fillStyle = st.fill; ctx.fill('nonzero');
  }
  if (st.weight) {
    ctx.globalAlpha = st.opacity; ctx.strokeStyle = st.stroke; ctx.lineWidth = st.weight;
    ctx.setLineDash(fine && st.dash ? st.dash : []); ctx.stroke();
  }
}
var CHUNK = 2000, TINY = [];
/* the sprite's pixels (device pixels, 0xAABBGGRR on little-endian machines) */
function spritePixels(li, c) {
  var sp = sprite(li, c);
  if (!sp.px) {
    var w = sp.img.width, h = sp.img.height, id = sp.img.getContext('2d').getImageData(0, 0, w, h);
    sp.px = new Uint32Array(id.data.buffer.slice(0)); sp.w = w; sp.h = h;
    /* runs of opaque pixels (copied whole) and the anti-aliased edge pixels (blended) */
    var runs = [], edges = [], yy, xx, a, start;
    for (yy = 0; yy < h; yy++) {
      start = -1;
      for (xx = 0; xx <= w; xx++) {
        a = xx < w ? sp.px[yy * w + xx] >>> 24 : 0;
        if (a === 255) { if (start < 0) { start = xx; } continue; }
        if (start >= 0) { runs.push(yy, start, xx); start = -1; }
        if (a > 0) { edges.push(yy, xx); }
      }
    }
    sp.runs = runs; sp.edges = edges;
  }
  return sp;
}
/* points: every marker's pixels copied into one image (put once): blending "over" only on
 * the anti-aliased edge pixels, an opaque pixel is a plain copy */
function stampLayer(px, li, S, o, view) {
  var Ld = LAYERS[li], g = G[li], lists = BUCKETS[li], xy = g.xy, rs = g.ringStart, fr = g.featRing, bb = g.bbox;
  var d = px.d, W = px.W, H = px.H, m = px.m, c, list, j, i, r, sp, spx, sw, sh, half, pad, X, Y, xx, yy, v, a, dv, da, row, k, t, sx0, sx1, sy0, sy1;
  for (c = 0; c < lists.length; c++) {
    list = lists[c];
    if (!list.length) { continue; }
    sp = spritePixels(li, c); spx = sp.px; sw = sp.w; sh = sp.h; half = sp.half;
    pad = (half + 2) / S;
    for (j = 0; j < list.length; j++) {
      i = list[j];
      if (bb[4 * i + 2] < view[0] - pad || bb[4 * i] > view[2] + pad || bb[4 * i + 3] < view[1] - pad || bb[4 * i + 1] > view[3] + pad) { continue; }
      DRAWN[li]++; px.any = true;
      for (r = fr[i]; r < fr[i + 1]; r++) {
        k = rs[r];
        X = Math.round((xy[2 * k] * S - o.x - px.x0 - half) * m); Y = Math.round((xy[2 * k + 1] * S - o.y - px.y0 - half) * m);
        if (X >= 0 && Y >= 0 && X + sw <= W && Y + sh <= H) {  /* whole: runs and edges */
          for (t = 0; t < sp.runs.length; t += 3) {
            row = (Y + sp.runs[t]) * W + X;
            d.set(spx.subarray(sp.runs[t] * sw + sp.runs[t + 1], sp.runs[t] * sw + sp.runs[t + 2]), row + sp.runs[t + 1]);
          }
          for (t = 0; t < sp.edges.length; t += 2) {
            xx = sp.edges[t + 1]; yy = sp.edges[t]; row = (Y + yy) * W + X + xx;
            v = spx[yy * sw + xx]; dv = d[row]; da = dv >>> 24;
            d[row] = da === 0 ? v : blend(v, v >>> 24, dv, da);
          }
          continue;
        }
        sx0 = X < 0 ? -X : 0; sy0 = Y < 0 ? -Y : 0; sx1 = Math.min(sw, W - X); sy1 = Math.min(sh, H - Y);
        for (yy = sy0; yy < sy1; yy++) {
          row = (Y + yy) * W + X; t = yy * sw;
          for (xx = sx0; xx < sx1; xx++) {
            v = spx[t + xx]; a = v >>> 24;
            if (a === 0) { continue; }
            dv = d[row + xx]; da = dv >>> 24;
            d[row + xx] = a === 255 || da === 0 ? v : blend(v, a, dv, da);
          }
        }
      }
    }
  }
}
/* '#RRGGBB' and an opacity as one pixel value */
function pixel(hex, opacity) {
  var n = parseInt(String(hex).slice(1), 16);
  return ((Math.round(255 * opacity) << 24) | ((n & 255) << 16) | (n & 0xff00) | (n >> 16)) >>> 0;
}
/* lines below the detail zoom: plotted into the image (w × w squares along each segment),
 * the late mark first (wider), no anti-aliasing and no dashes at that scale */
function plotLines(px, li, S, o, view) {
  var Ld = LAYERS[li], g = G[li], lists = BUCKETS[li], xy = g.xy, rs = g.ringStart, fr = g.featRing, bb = g.bbox;
  var m = px.m, c, list, j, i, r, k, st, pad, cols, pass, w;
  for (c = 0; c < lists.length; c++) {
    list = lists[c];
    if (!list.length) { continue; }
    st = STYLES[li][c];
    pad = ((st.weight || 1) + 8) / S;
    cols = st.late ? [[pixel(D.lateColor, 0.9), Math.round(((st.weight || 2) + 4) * m)]] : [];
    cols.push([pixel(st.stroke, st.opacity), Math.max(1, Math.round((st.weight || 1) * m * 0.8))]);
    for (pass = 0; pass < cols.length; pass++) {
      w = cols[pass][1];
      for (j = 0; j < list.length; j++) {
        i = list[j];
        if (bb[4 * i + 2] < view[0] - pad || bb[4 * i] > view[2] + pad || bb[4 * i + 3] < view[1] - pad || bb[4 * i + 1] > view[3] + pad) { continue; }
        if (pass === 0) { DRAWN[li]++; }
        px.any = true;
        for (r = fr[i]; r < fr[i + 1]; r++) {
          for (k = rs[r]; k + 1 < rs[r + 1]; k++) {
            segment(px, (xy[2 * k] * S - o.x - px.x0) * m, (xy[2 * k + 1] * S - o.y - px.y0) * m,
              (xy[2 * k + 2] * S - o.x - px.x0) * m, (xy[2 * k + 3] * S - o.y - px.y0) * m, cols[pass][0], w);
          }
        }
      }
    }
  }
}
function segment(px, x0, y0, x1, y1, v, w) {
  var d = px.d, W = px.W, H = px.H, n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1), s, x, y, a, b, h = (w - 1) / 2, X, Y;
  for (s = 0; s <= n; s++) {
    x = Math.round(x0 + (x1 - x0) * s / n - h); y = Math.round(y0 + (y1 - y0) * s / n - h);
    for (b = 0; b < w; b++) {
      Y = y + b;
      if (Y < 0 || Y >= H) { continue; }
      for (a = 0; a < w; a++) { X = x + a; if (X >= 0 && X < W) { d[Y * W + X] = v; } }
    }
  }
}
function blend(v, a, dv, da) {
  var fa = a / 255, fd = da / 255 * (1 - fa), oa = fa + fd;
  var r = ((v & 255) * fa + (dv & 255) * fd) / oa, g = (((v >>> 8) & 255) * fa + ((dv >>> 8) & 255) * fd) / oa,
      b = (((v >>> 16) & 255) * fa + ((dv >>> 16) & 255) * fd) / oa;
  return ((Math.round(oa * 255) << 24) | (Math.round(b) << 16) | (Math.round(g) << 8) | Math.round(r)) >>> 0;
}  /* vertices per path: big paths cost the rasteriser more than the calls */
function drawLayer(ctx, li, S, o, view) {
  var Ld = LAYERS[li], g = G[li], lists = BUCKETS[li], c, list, j, i, st, pad, bb = g.bbox, xy = g.xy, rs = g.ringStart, fr = g.featRing;
  var r, a, e, k, x, y, sp, nv, point = Ld.geom === 'Point', fine = map.getZoom() >= DETAIL, w, h;
  var ox = -o.x, oy = -o.y, tiny = 3 / S;
  ctx.lineJoin = fine ? 'round' : 'miter'; ctx.lineCap = fine ? 'round' : 'butt';
  for (c = 0; c < lists.length; c++) {
    list = lists[c];
    if (!list.length) { continue; }
    st = STYLES[li][c];
    pad = ((st.radius || 0) + (st.weight || 0) + 8) / S;
    sp = point ? sprite(li, c) : null;
    if (point) { ctx.globalAlpha = 1; }
    ctx.beginPath(); nv = 0;
    for (j = 0; j < list.length; j++) {
      i = list[j];
      if (bb[4 * i + 2] < view[0] - pad || bb[4 * i] > view[2] + pad || bb[4 * i + 3] < view[1] - pad || bb[4 * i + 1] > view[3] + pad) { continue; }
      DRAWN[li]++;
      w = bb[4 * i + 2] - bb[4 * i]; h = bb[4 * i + 3] - bb[4 * i + 1];
      if (!point && w < tiny && h < tiny) {  /* a few pixels: a box in its colour, no path */
        TINY.push(Math.round(bb[4 * i] * S + ox) - 1, Math.round(bb[4 * i + 1] * S + oy) - 1,
          Math.round(w * S) + 2, Math.round(h * S) + 2);
        continue;
      }
      for (r = fr[i]; r < fr[i + 1]; r++) {
        a = rs[r]; e = rs[r + 1];
        if (point) {
          ctx.drawImage(sp.img, Math.round(xy[2 * a] * S + ox) - sp.half, Math.round(xy[2 * a + 1] * S + oy) - sp.half, 2 * sp.half, 2 * sp.half);
          continue;
        }
        for (k = a; k < e; k++) {
          x = xy[2 * k] * S + ox; y = xy[2 * k + 1] * S + oy;
          if (k === a) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
        }
        if (Ld.geom === 'Polygon') { ctx.closePath(); }
        nv += e - a;
      }
      if (nv > CHUNK) { paint(ctx, st, Ld.geom, fine); ctx.beginPath(); nv = 0; }
    }
    if (nv) { paint(ctx, st, Ld.geom, fine); }
    if (TINY.length) {
      ctx.globalAlpha = st.late ? 1 : st.opacity; ctx.fillStyle = st.late ? D.lateColor : st.stroke;
      for (k = 0; k < TINY.length; k += 4) { ctx.fillRect(TINY[k], TINY[k + 1], TINY[k + 2], TINY[k + 3]); }
      TINY.length = 0;
    }
  }
  ctx.globalAlpha = 1; ctx.setLineDash([]);
}
var renderer = new Batched();
renderer.addTo(map);
function redraw() { renderer._drawAll(); }

/* ------------------------------------------------------------- hit testing */
function segDist(px, py, ax, ay, bx, by) {
  var dx = bx - ax, dy = by - ay, t = dx || dy ? ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy) : 0;
  t = Math.max(0, Math.min(1, t));
  dx = ax + t * dx - px; dy = ay + t * dy - py;
  return Math.sqrt(dx * dx + dy * dy);
}
/* the feature under a layer point: [li, i] of the top-most, or null */
function hitTest(lp) {
  var S = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin(), px = lp.x + o.x, py = lp.y + o.y;
  var t, oi, li, Ld, g, i, st, tol, r, a, e, k, x, y, x2, y2, inside, near;
  for (oi = ORDER.length - 1; oi >= 0; oi--) {
    li = ORDER[oi]; Ld = LAYERS[li]; g = G[li];
    if (!VISIBLE[li]) { continue; }
    for (i = Ld.n - 1; i >= 0; i--) {
      st = STYLES[li][CODE[li][i]];
      tol = (Ld.geom === 'Point' ? st.radius * 1.3 : (st.weight || 1) / 2) + 4;
      t = tol / S;
      if (g.bbox[4 * i + 2] < px / S - t || g.bbox[4 * i] > px / S + t || g.bbox[4 * i + 3] < py / S - t || g.bbox[4 * i + 1] > py / S + t) { continue; }
      inside = false; near = false;
      for (r = g.featRing[i]; r < g.featRing[i + 1] && !near; r++) {
        a = g.ringStart[r]; e = g.ringStart[r + 1];
        if (Ld.geom === 'Point') {
          x = g.xy[2 * a] * S; y = g.xy[2 * a + 1] * S;
          near = Math.abs(x - px) <= tol && Math.abs(y - py) <= tol;
          continue;
        }
        for (k = a; k < e; k++) {
          x = g.xy[2 * k] * S; y = g.xy[2 * k + 1] * S;
          if (k + 1 < e) { x2 = g.xy[2 * k + 2] * S; y2 = g.xy[2 * k + 3] * S; }
          else if (Ld.geom === 'Polygon') { x2 = g.xy[2 * a] * S; y2 = g.xy[2 * a + 1] * S; }
          else { break; }
          if (segDist(px, py, x, y, x2, y2) <= tol) { near = true; break; }
          if (Ld.geom === 'Polygon' && ((y > py) !== (y2 > py)) && px < (x2 - x) * (py - y) / (y2 - y) + x) { inside = !inside; }
        }
      }
      if (near || (inside && st.fill)) { return [li, i]; }
    }
  }
  return null;
}
var hoverPending = false;
map.on('mousemove', function (e) {
  if (hoverPending) { return; }
  hoverPending = true;
  L.Util.requestAnimFrame(function () {
    hoverPending = false;
    map.getContainer().style.cursor = hitTest(e.layerPoint) ? 'pointer' : '';
  });
});
map.on('click', function (e) {
  if (measuringNow()) { return; }
  var h = hitTest(e.layerPoint);
  if (h) { openPopup(h[0], h[1], e.latlng); }
});

/* the geometry of one feature, for search and the API */
function featureBounds(li, i) {
  var g = G[li], a = g.ringStart[g.featRing[i]], b = g.ringStart[g.featRing[i + 1]], k, lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
  for (k = a; k < b; k++) {
    lat0 = Math.min(lat0, g.ll[2 * k]); lat1 = Math.max(lat1, g.ll[2 * k]);
    lon0 = Math.min(lon0, g.ll[2 * k + 1]); lon1 = Math.max(lon1, g.ll[2 * k + 1]);
  }
  return L.latLngBounds([lat0, lon0], [lat1, lon1]);
}
function firstLatLng(li, i) { var g = G[li], a = g.ringStart[g.featRing[i]]; return L.latLng(g.ll[2 * a], g.ll[2 * a + 1]); }

/* the service-radius layer: its covered flags follow the date */
var SERVICE = [];
LAYERS.forEach(function (Ld, li) { if (Ld.role === 'service') { SERVICE.push(li); } });
function serviceCount() {
  var n = null;
  SERVICE.forEach(function (li) { if (LAYERS[li].coveredByDate[cur] >= 0) { n = LAYERS[li].n; } });
  return n;
}

computeState(cur);
redraw();
