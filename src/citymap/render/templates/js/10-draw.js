/* The map, base layers and the canvas features of every layer. */
/* ------------------------------------------------ canvas feature classes */
function drawnHook(proto) {
  return {
    _updatePath: function () {
      proto._updatePath.call(this);
      if (this._renderer && this._renderer._drawing && this._parts && this._parts.length) { this._cmDrawn = true; }
    },
    onRemove: function (map) { this._cmDrawn = false; proto.onRemove.call(this, map); }
  };
}
var Line = L.Polyline.extend(drawnHook(L.Polyline.prototype));
var Poly = L.Polygon.extend(drawnHook(L.Polygon.prototype));
var Shape = L.CircleMarker.extend({
  _updatePath: function () {
    var r = this._renderer;
    if (!r || !r._drawing || this._empty()) { return; }
    var ctx = r._ctx, p = this._point, rad = Math.max(Math.round(this._radius), 1), k;
    ctx.beginPath();
    switch (this.options.shape) {
      case 'square':
        k = rad * 0.9; ctx.rect(p.x - k, p.y - k, 2 * k, 2 * k); break;
      case 'triangle':
        ctx.moveTo(p.x, p.y - rad * 1.15); ctx.lineTo(p.x + rad * 1.1, p.y + rad * 0.8);
        ctx.lineTo(p.x - rad * 1.1, p.y + rad * 0.8); ctx.closePath(); break;
      case 'diamond':
        k = rad * 1.25; ctx.moveTo(p.x, p.y - k); ctx.lineTo(p.x + k, p.y); ctx.lineTo(p.x, p.y + k);
        ctx.lineTo(p.x - k, p.y); ctx.closePath(); break;
      default:
        ctx.arc(p.x, p.y, rad, 0, Math.PI * 2, false);
    }
    r._fillStroke(ctx, this);
    this._cmDrawn = true;
  },
  onRemove: function (map) { this._cmDrawn = false; L.CircleMarker.prototype.onRemove.call(this, map); }
});

/* ---------------------------------------------------------------- the map */
var renderer = L.canvas({ padding: 0.3, tolerance: 4 });
var map = L.map('map', { preferCanvas: true, renderer: renderer, zoomSnap: 0.25, minZoom: 3 });
var bounds = L.latLngBounds(D.bounds);
function fitOptions() {
  // keep the features clear of the panels (search and metrics left, layers right)
  var size = map.getSize();
  if (size.x < 900 || size.y < 500) { return { padding: [20, 20] }; }
  return { paddingTopLeft: [Math.min(340, size.x * 0.28), 100],
           paddingBottomRight: [Math.min(310, size.x * 0.25), 20] };
}
function home() {
  if (D.view) { map.setView([D.view[0], D.view[1]], D.view[2]); } else { map.fitBounds(bounds, fitOptions()); }
}
home();

var baseLayers = [];
D.basemaps.forEach(function (b, k) {
  var opts = { maxZoom: b.maxZoom || 19, attribution: b.attr || '' };
  if (b.sub) { opts.subdomains = b.sub; }
  var layer = L.tileLayer(b.url, opts);
  if (b.labels) { layer = L.layerGroup([layer, L.tileLayer(b.labels, opts)]); }
  baseLayers.push({ name: b.name, layer: layer });
  if (k === 0) { layer.addTo(map); }
});

/* ------------------------------------------------------------- decoding */
var dateIndex = D.date;
var LAYERS = D.layers;
var decoded = {};
function column(li, name) {
  var Ld = LAYERS[li], c = Ld.cols[name], key = li + '/' + name;
  if (c === undefined) { return null; }
  if (Array.isArray(c)) { return c; }
  if (!decoded[key]) {
    var idx = decodeInts(c.i), out = new Array(idx.length), j;
    for (j = 0; j < idx.length; j++) { out[j] = c.d[idx[j]]; }
    decoded[key] = out;
  }
  return decoded[key];
}
function value(li, name, i) { var c = column(li, name); return c ? c[i] : null; }
function statusCode(li, i, k) {
  var st = LAYERS[li].st;
  if (!st) { return -1; }
  return st[k === undefined ? dateIndex : k].charCodeAt(i) - 48;
}
var sdCache = {};
function statusDate(li, i) {
  var key = li + '/' + dateIndex, arr = sdCache[key], j, acc;
  if (!LAYERS[li].sd) { return ''; }
  if (!arr) {
    arr = decodeInts(LAYERS[li].sd[dateIndex]);
    for (j = 0, acc = 0; j < arr.length; j++) { acc += arr[j]; arr[j] = acc; }
    sdCache[key] = arr;
  }
  return dayToIso(arr[i]);
}

/* styles: once per layer and status */
var STYLES = LAYERS.map(function (Ld) {
  var s = Ld.style;
  if (Ld.role === 'context') {
    return [{ color: s.color, weight: s.weight, opacity: 0.8, fillColor: s.color, fillOpacity: s.fillOpacity, radius: 3, shape: 'circle', dashArray: null }];
  }
  if (Ld.role === 'service') {  /* 0: outside the service radius, 1: within */
    return s.colors.map(function (c, k) {
      return { color: c, fillColor: c, weight: s.weight, opacity: s.opacity, fillOpacity: s.fillOpacity, dashArray: k ? null : '3 3' };
    });
  }
  return D.statuses.map(function (_, k) {
    var st = { color: s.colors[k], fillColor: s.colors[k], weight: s.weight, opacity: s.opacity,
      fillOpacity: s.fillOpacity, dashArray: D.dashes[k], shape: D.shapes[k], radius: s.radius };
    if (Ld.geom === 'Point') { st.color = '#222'; st.weight = 1; st.dashArray = null; }
    if (Ld.role === 'pilot') { st.color = s.color; st.fill = false; st.weight = s.weight; }
    return st;
  });
});
function covered(li, i) { return LAYERS[li].cv ? LAYERS[li].cv.charAt(i) === '1' : null; }
function styleOf(li, i) {
  if (LAYERS[li].role === 'service') { return STYLES[li][covered(li, i) ? 1 : 0]; }
  var c = statusCode(li, i);
  return STYLES[li][c < 0 ? 0 : c];
}

/* features: one Leaflet object per part group; canvas renderer */
var OBJ = [];      // OBJ[li][i] = first object of feature i
var GROUPS = [];   // one FeatureGroup per layer
LAYERS.forEach(function (Ld, li) {
  var g = Ld.g, c = decodeInts(g.c), pts = new Float64Array(c.length), k, lat = 0, lon = 0;
  for (k = 0; k < c.length; k += 2) { lat += c[k]; lon += c[k + 1]; pts[k] = lat / 1e6; pts[k + 1] = lon / 1e6; }
  var np = g.np ? decodeInts(g.np) : null, nr = g.nr ? decodeInts(g.nr) : null, nc = g.nc ? decodeInts(g.nc) : null;
  var p = 0, pi = 0, ri = 0, objs = new Array(Ld.n), group = L.featureGroup(), i, j, m, q, parts, rings, nRing, obj, st;
  function run(n) {
    var out = new Array(n), t;
    for (t = 0; t < n; t++) { out[t] = new L.LatLng(pts[p], pts[p + 1]); p += 2; }
    return out;
  }
  for (i = 0; i < Ld.n; i++) {
    m = np ? np[i] : 1;
    st = styleOf(li, i);
    if (Ld.geom === 'Point') {
      for (j = 0; j < m; j++) {
        obj = new Shape(new L.LatLng(pts[p], pts[p + 1]), L.extend({ renderer: renderer }, st));
        p += 2; obj._cmL = li; obj._cmI = i; group.addLayer(obj);
        if (!j) { objs[i] = obj; }
      }
      continue;
    }
    parts = [];
    for (j = 0; j < m; j++) {
      if (Ld.geom === 'Polygon') {
        nRing = nr ? nr[pi] : 1; rings = [];
        for (q = 0; q < nRing; q++) { rings.push(run(nc[ri++])); }
        parts.push(rings);
      } else {
        parts.push(run(nc[pi]));
      }
      pi++;
    }
    obj = Ld.geom === 'Polygon' ? new Poly(m === 1 ? parts[0] : parts, L.extend({ renderer: renderer }, st))
      : new Line(m === 1 ? parts[0] : parts, L.extend({ renderer: renderer }, st));
    obj._cmL = li; obj._cmI = i; objs[i] = obj; group.addLayer(obj);
  }
  OBJ.push(objs);
  group.on('click', function (e) { openPopup(e.layer._cmL, e.layer._cmI, e.latlng); });
  GROUPS.push(group);
  if (Ld.role !== 'context' && Ld.role !== 'service') { group.addTo(map); }
});

/* the service-radius layer: one group per date, the selected date's shown when on */
var SERVICE = [], serviceOn = false;
LAYERS.forEach(function (Ld, li) { if (Ld.role === 'service') { SERVICE.push(li); } });
function showService() {
  SERVICE.forEach(function (li) {
    var want = serviceOn && LAYERS[li].d === dateIndex;
    if (want && !map.hasLayer(GROUPS[li])) { GROUPS[li].addTo(map).bringToBack(); }  /* under the sites */
    if (!want && map.hasLayer(GROUPS[li])) { map.removeLayer(GROUPS[li]); }
  });
}
function serviceCount() {
  var n = null;
  SERVICE.forEach(function (li) { if (LAYERS[li].d === dateIndex) { n = LAYERS[li].n; } });
  return n;
}
