/* citymap map script: draws the map's JSON blob on a Leaflet canvas.
 * All text from the data is put in the page with textContent, never innerHTML. */
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('citymap-data').textContent);
  var U = D.ui;
  var T0 = (window.performance && performance.now()) || 0;

  /* ---------------------------------------------------------------- helpers */
  function decodeInts(s) {
    var out = [], r = 0, sh = 0, b, i;
    if (!s) { return out; }
    for (i = 0; i < s.length; i++) {
      b = s.charCodeAt(i) - 63;
      r += (b & 31) * Math.pow(2, sh);
      sh += 5;
      if (b < 32) {
        out.push(r % 2 ? -(r + 1) / 2 : r / 2);
        r = 0; sh = 0;
      }
    }
    return out;
  }
  function el(tag, cls, text, parent) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function fmt(v) {
    if (v === null || v === undefined) { return '—'; }
    if (typeof v === 'number') {
      if (Number.isInteger(v) && Math.abs(v) < 10000) { return String(v); }  /* years, counts */
      return (Math.round(v * 100) / 100).toLocaleString(D.lang === 'en' ? 'en' : 'zh-CN');
    }
    if (typeof v === 'boolean') { return v ? U.yes : U.no; }
    return String(v);
  }
  function pct(v) {
    if (v === null || v === undefined) { return '—'; }
    return (Math.round(v * 10) / 10).toFixed(1) + '%';
  }
  function dayToIso(n) {
    if (!n) { return ''; }
    var d = new Date(Date.parse(D.epoch + 'T00:00:00Z') + n * 86400000);
    return d.toISOString().slice(0, 10);
  }
  var SVGNS = 'http://www.w3.org/2000/svg';
  function swatch(kind, color, dash, shape) {
    var s = document.createElementNS(SVGNS, 'svg'), g;
    s.setAttribute('width', '30'); s.setAttribute('height', '14');
    s.setAttribute('class', 'cm-swatch');
    if (kind === 'Point') {
      g = document.createElementNS(SVGNS, 'path');
      g.setAttribute('d', shapePath(shape, 15, 7, 5));
      g.setAttribute('fill', color); g.setAttribute('stroke', '#222'); g.setAttribute('stroke-width', '1');
    } else {
      g = document.createElementNS(SVGNS, kind === 'Polygon' ? 'rect' : 'line');
      if (kind === 'Polygon') {
        g.setAttribute('x', '2'); g.setAttribute('y', '2'); g.setAttribute('width', '26'); g.setAttribute('height', '10');
        g.setAttribute('fill', color); g.setAttribute('fill-opacity', '0.35');
      } else {
        g.setAttribute('x1', '1'); g.setAttribute('y1', '7'); g.setAttribute('x2', '29'); g.setAttribute('y2', '7');
      }
      g.setAttribute('stroke', color); g.setAttribute('stroke-width', kind === 'Polygon' ? '2' : '3');
      if (dash) { g.setAttribute('stroke-dasharray', dash); }
    }
    s.appendChild(g);
    return s;
  }
  function shapePath(shape, x, y, r) {
    var k;
    if (shape === 'square') { k = r * 0.9; return 'M' + (x - k) + ' ' + (y - k) + 'h' + 2 * k + 'v' + 2 * k + 'h' + -2 * k + 'z'; }
    if (shape === 'triangle') { return 'M' + x + ' ' + (y - r * 1.15) + 'L' + (x + r * 1.1) + ' ' + (y + r * 0.8) + 'L' + (x - r * 1.1) + ' ' + (y + r * 0.8) + 'z'; }
    if (shape === 'diamond') { k = r * 1.25; return 'M' + x + ' ' + (y - k) + 'L' + (x + k) + ' ' + y + 'L' + x + ' ' + (y + k) + 'L' + (x - k) + ' ' + y + 'z'; }
    return 'M' + (x - r) + ' ' + y + 'a' + r + ' ' + r + ' 0 1 0 ' + 2 * r + ' 0a' + r + ' ' + r + ' 0 1 0 ' + -2 * r + ' 0z';
  }

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

  /* ------------------------------------------------------------- popups */
  var popup = L.popup({ maxWidth: 340, autoPanPaddingTopLeft: [60, 120], autoPanPaddingBottomRight: [40, 40] });
  var current = null;
  function row(tbody, label, text) {
    if (text === null || text === undefined || text === '') { return; }
    var tr = el('tr', null, null, tbody);
    el('th', null, label, tr); el('td', null, text, tr);
  }
  function servicePopup(li, i) {
    var Ld = LAYERS[li], box = el('div', 'cm-popup'), tb, a = value(li, 'area_m2', i);
    el('h3', null, value(li, 'name', i) || value(li, 'id', i), box);
    el('div', 'cm-id', U.parcel + ' · ' + U.id + ' ' + value(li, 'id', i), box);
    tb = el('tbody', null, null, el('table', null, null, box));
    row(tb, U.service, covered(li, i) ? U.yes + ' — ' + U.covered : U.no + ' — ' + U.uncovered);
    row(tb, U.area, a === null ? null : fmt(a) + ' m²');
    el('div', 'cm-id', U.asof + ' ' + D.dates[Ld.d][0], box);
    return box;
  }
  function zoneCov(li, i) {
    var z = LAYERS[li].zone, c = z && z.cov[dateIndex];
    return c ? c[i] : null;
  }
  function popupNode(li, i) {
    var Ld = LAYERS[li], box = el('div', 'cm-popup'), t, works, code, tb, tg, list;
    if (Ld.role === 'service') { return servicePopup(li, i); }
    el('h3', null, value(li, 'name', i) || value(li, 'id', i), box);
    el('div', 'cm-id', Ld.title + ' · ' + U.id + ' ' + value(li, 'id', i), box);
    works = String(value(li, 'works', i) || '').split(';').filter(Boolean);
    works.forEach(function (n) {
      var w = D.works[n], wb = el('div', 'cm-work', null, box), tbw = el('tbody', null, null, el('table', null, null, wb));
      if (!w) { row(tbw, U.work, n); return; }
      row(tbw, U.work, n + ' · ' + w.n);
      var a = D.actions.filter(function (x) { return x.n === w.a; })[0];
      row(tbw, U.action, a ? a.n + ' · ' + a.name : w.a);
      row(tbw, U.lead, w.l.join('、'));
      row(tbw, U.partners, w.p.join('、'));
    });
    tb = el('tbody', null, null, el('table', null, null, box));
    code = statusCode(li, i);
    if (code >= 0) {
      var tr = el('tr', null, null, tb), td;
      el('th', null, U.status, tr);
      td = el('td', null, null, tr);
      td.appendChild(swatch(Ld.geom, D.palette[code], D.dashes[code], D.shapes[code]));
      el('span', 'cm-status', ' ' + D.statuses[code] + (statusDate(li, i) ? ' · ' + statusDate(li, i) : ''), td);
      el('span', 'cm-id', ' (' + U.asof + ' ' + D.dates[dateIndex][0] + ')', td);
    }
    (Ld.f || []).forEach(function (f) { row(tb, f[1], value(li, f[0], i) === null ? null : fmt(value(li, f[0], i))); });
    if (Ld.role === 'pilot' && Ld.zone) {
      row(tb, U.area, fmt(Ld.zone.area[i]) + ' km²' + (Ld.zone.below[i] ? ' ⚠ ' + U.belowMin + ' ' + fmt(Ld.zone.min) + ' km²' : ''));
      t = zoneCov(li, i);
      if (t) { row(tb, U.zoneCovered, pct(t[0])); row(tb, U.zoneDone, pct(t[1])); }
    }
    if (Ld.tg) {
      tg = Ld.tg.d[decodedTg(li)[i]];
      if (tg && tg.length) {
        el('div', 'cm-head', U.targets, box);
        list = el('ul', null, null, box);
        tg.forEach(function (k) {
          var x = D.targets[k];
          el('li', null, x[0] + ' ' + x[1] + ' (' + x[2] + ' ' + (x[3] === '=' ? '' : x[3] + ' ') + fmt(x[4]) + ' ' + x[5] + ')', list);
        });
      }
    }
    photoBlock(box, value(li, 'id', i));
    var src = value(li, 'source', i);
    if (src === '示意') { el('span', 'cm-badge', U.schematic, box); }
    else if (src) { el('div', 'cm-id', U.source + ': ' + src, box); }
    return box;
  }
  /* photos (形象进度): before/after thumbnails copied beside the maps, dated up to the day shown */
  function photoBlock(box, id) {
    var P = D.photos, day = D.dates[dateIndex][0], list = P && P.s[id], wrap;
    list = (list || []).filter(function (p) { return p[1] <= day; });
    if (!list.length) { return; }
    el('div', 'cm-head', P.label, box);
    wrap = el('div', 'cm-photos', null, box);
    list.forEach(function (p) {
      var fig = el('figure', null, null, wrap), img = el('img', null, null, fig), k = P.kinds[p[2]] || p[2];
      img.addEventListener('load', function () { if (popup.isOpen()) { popup.update(); } });
      img.src = p[0];
      img.alt = k + ' ' + p[1];
      el('figcaption', null, k + ' · ' + p[1], fig);
    });
  }
  var tgCache = {};
  function decodedTg(li) { if (!tgCache[li]) { tgCache[li] = decodeInts(LAYERS[li].tg.i); } return tgCache[li]; }
  function openPopup(li, i, latlng) {
    current = { li: li, i: i, latlng: latlng };
    popup.setLatLng(latlng).setContent(popupNode(li, i)).openOn(map);
  }
  map.on('popupclose', function () { current = null; });

  /* ------------------------------------------------------------- header */
  var header = el('div', 'cm-header cm-box', null, document.getElementById('map'));
  el('div', 'cm-title', D.title + (D.subtitle ? ' — ' + D.subtitle : ''), header);
  var dateLabel = el('label', null, U.asof, header);
  var select = el('select', 'cm-date', null, dateLabel);
  select.setAttribute('aria-label', U.asof);
  D.dates.forEach(function (d, k) {
    var o = el('option', null, d[1], select); o.value = String(k);
    if (k === dateIndex) { o.selected = true; }
  });
  var notice = el('div', 'cm-notice', U.schematic, header);
  L.DomEvent.disableClickPropagation(header);
  L.DomEvent.disableScrollPropagation(header);
  select.addEventListener('change', function () { setDate(parseInt(select.value, 10)); });

  function updateNotice() {
    var any = LAYERS.some(function (Ld, li) { return Ld.sch && map.hasLayer(GROUPS[li]); });
    notice.hidden = !any;
  }

  /* ------------------------------------------------------- pilot labels */
  var LABELS = [];
  function pilotText(li, i) {
    var z = LAYERS[li].zone, t = zoneCov(li, i), a = z ? z.area[i] : null, s;
    s = (a === null || a === undefined ? '—' : fmt(a)) + ' km²';
    if (z && z.below[i]) { s += ' ⚠ ' + U.belowMin + ' ' + fmt(z.min) + ' km²'; }
    if (t) { s += ' · ' + U.zoneCovered + ' ' + pct(t[0]) + ' · ' + U.zoneDone + ' ' + pct(t[1]); }
    return s;
  }
  LAYERS.forEach(function (Ld, li) {
    if (Ld.role !== 'pilot') { return; }
    OBJ[li].forEach(function (obj, i) {
      var box = el('div', Ld.zone && Ld.zone.below[i] ? 'cm-below' : null), node;
      box.setAttribute('data-zone', value(li, 'id', i));
      el('div', 'cm-label-name', value(li, 'name', i) || '', box);
      node = el('div', 'cm-label-text', pilotText(li, i), box);
      obj.bindTooltip(box, { permanent: true, direction: 'center', className: 'cm-label' });
      LABELS.push({ li: li, i: i, node: node });
    });
  });
  function labelZoom() { L.DomUtil[map.getZoom() < 12.5 ? 'addClass' : 'removeClass'](map.getContainer(), 'cm-nolabels'); }
  map.on('zoomend', labelZoom); labelZoom();

  /* ------------------------------------------------------------- date */
  function setDate(k) {
    dateIndex = k;
    LAYERS.forEach(function (Ld, li) {
      if (!Ld.st) { return; }
      var objs = GROUPS[li].getLayers(), j, o;
      for (j = 0; j < objs.length; j++) { o = objs[j]; o.setStyle(STYLES[li][statusCode(li, o._cmI)]); }
    });
    LABELS.forEach(function (x) { x.node.textContent = pilotText(x.li, x.i); });
    showService();
    if (serviceN) { serviceN.textContent = '(' + serviceCount() + ')'; }
    drawPanel();
    if (current) { popup.setContent(popupNode(current.li, current.i)); }
    if (select.value !== String(k)) { select.value = String(k); }
  }

  /* ---------------------------------------------------------- controls */
  function control(position, build) {
    var C = L.Control.extend({ onAdd: function () {
      var box = build();
      L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
      return box;
    } });
    var c = new C({ position: position }); c.addTo(map); return c;
  }
  function collapsible(box, title, collapsed) {
    var head = el('div', 'cm-head', null, box), btn;
    el('span', null, title, head);
    btn = el('button', 'cm-collapse', collapsed ? '▸' : '▾', head);
    btn.type = 'button'; btn.setAttribute('aria-label', title);
    if (collapsed) { box.classList.add('cm-collapsed'); }
    btn.addEventListener('click', function () {
      var c = box.classList.toggle('cm-collapsed'); btn.textContent = c ? '▸' : '▾';
    });
    return head;
  }

  if (L.Control.FullScreen) {
    new L.Control.FullScreen({ position: 'topleft', title: U.fullscreen, titleCancel: U.exitFullscreen }).addTo(map);
  }
  control('topleft', function () {
    var bar = el('div', 'leaflet-bar'), a = el('a', 'cm-btn cm-reset', '⌂', bar);
    a.href = '#'; a.title = U.reset; a.setAttribute('role', 'button'); a.setAttribute('aria-label', U.reset);
    a.addEventListener('click', function (e) { e.preventDefault(); home(); });
    return bar;
  });

  /* measure: distance (geodesic) and area (spherical) */
  var measuring = null;
  function ringArea(lls) {
    var R = 6378137, s = 0, i, a, b, n = lls.length;
    if (n < 3) { return 0; }
    for (i = 0; i < n; i++) {
      a = lls[i]; b = lls[(i + 1) % n];
      s += (b.lng - a.lng) * Math.PI / 180 * (2 + Math.sin(a.lat * Math.PI / 180) + Math.sin(b.lat * Math.PI / 180));
    }
    return Math.abs(s * R * R / 2);
  }
  function measureText(lls) {
    var d = 0, i, a = ringArea(lls), s;
    for (i = 1; i < lls.length; i++) { d += lls[i - 1].distanceTo(lls[i]); }
    s = U.distance + ' ' + (d >= 1000 ? (d / 1000).toFixed(3) + ' km' : d.toFixed(1) + ' m');
    if (lls.length >= 3) { s += ' · ' + U.area + ' ' + (a >= 1e6 ? (a / 1e6).toFixed(3) + ' km²' : a.toFixed(0) + ' m²'); }
    return s;
  }
  control('topleft', function () {
    var bar = el('div', 'leaflet-bar'), a = el('a', 'cm-btn cm-measure', null, bar), icon = document.createElementNS(SVGNS, 'svg'), path = document.createElementNS(SVGNS, 'path');
    icon.setAttribute('width', '18'); icon.setAttribute('height', '18'); icon.setAttribute('viewBox', '0 0 18 18');
    icon.style.verticalAlign = 'middle';
    path.setAttribute('d', 'M2 13 L13 2 L16 5 L5 16 Z M5 10 l2 2 M7.5 7.5 l2 2 M10 5 l2 2');
    path.setAttribute('fill', 'none'); path.setAttribute('stroke', '#222'); path.setAttribute('stroke-width', '1.4');
    icon.appendChild(path); a.appendChild(icon);
    a.href = '#'; a.title = U.measure + ' — ' + U.measureHint; a.setAttribute('role', 'button');
    a.setAttribute('aria-label', U.measure);
    a.addEventListener('click', function (e) {
      e.preventDefault();
      if (measuring) { stopMeasure(true); a.classList.remove('cm-on'); return; }
      a.classList.add('cm-on');
      measuring = { pts: [], line: L.polyline([], { color: '#CC79A7', weight: 3, dashArray: '6 4', interactive: false }).addTo(map),
        area: L.polygon([], { color: '#CC79A7', weight: 0, fillOpacity: 0.15, interactive: false }).addTo(map),
        tip: L.tooltip({ permanent: true, className: 'cm-measure-tip', direction: 'right', offset: [8, 0] }) };
      map.doubleClickZoom.disable();
      L.DomUtil.addClass(map.getContainer(), 'leaflet-crosshair');
    });
    return bar;
  });
  function stopMeasure(clear) {
    if (!measuring) { return; }
    if (clear) { map.removeLayer(measuring.line); map.removeLayer(measuring.area); map.removeLayer(measuring.tip); }
    measuring = clear ? null : measuring;
    map.doubleClickZoom.enable();
    L.DomUtil.removeClass(map.getContainer(), 'leaflet-crosshair');
  }
  map.on('click', function (e) {
    if (!measuring || measuring.done) { return; }
    measuring.pts.push(e.latlng);
    measuring.line.setLatLngs(measuring.pts);
    if (measuring.pts.length >= 3) { measuring.area.setLatLngs(measuring.pts); }
    measuring.tip.setLatLng(e.latlng).setContent(measureText(measuring.pts));
    if (!map.hasLayer(measuring.tip)) { measuring.tip.addTo(map); }
  });
  map.on('dblclick', function () { if (measuring) { measuring.done = true; stopMeasure(false); } });

  /* search by name, id or work number */
  var searchApi = {};
  control('topleft', function () {
    var box = el('div', 'cm-box cm-search'), input = el('input', null, null, box), res = el('div', 'cm-results', null, box);
    input.type = 'search'; input.placeholder = U.search; input.setAttribute('aria-label', U.search);
    function find(q) {
      var out = [], li, i, name, works, n, Ld, isNum;
      q = String(q).trim().toLowerCase();
      if (!q) { return out; }
      isNum = /^\d+$/.test(q);
      for (li = 0; li < LAYERS.length && out.length < 30; li++) {
        Ld = LAYERS[li];
        if (Ld.role === 'service') { continue; }
        for (i = 0; i < Ld.n && out.length < 30; i++) {
          name = String(value(li, 'name', i) || '').toLowerCase();
          works = isNum ? String(value(li, 'works', i) || '').split(';') : [];
          n = String(value(li, 'id', i) || '').toLowerCase();
          if (name.indexOf(q) >= 0 || n === q || (isNum && works.indexOf(q) >= 0)) { out.push([li, i]); }
        }
      }
      return out;
    }
    function show(list) {
      res.textContent = '';
      if (!list.length && input.value.trim()) { el('div', 'cm-id', U.noresult, res); return; }
      list.forEach(function (x) {
        var d = el('div', null, null, res), w = value(x[0], 'works', x[1]);
        d.tabIndex = 0;
        el('span', null, value(x[0], 'name', x[1]) || value(x[0], 'id', x[1]), d);
        el('span', 'cm-id', ' · ' + LAYERS[x[0]].title + (w ? ' · ' + U.work + ' ' + String(w).replace(/;/g, '、') : ''), d);
        d.addEventListener('click', function () { select_(x[0], x[1]); });
        d.addEventListener('keydown', function (e) { if (e.key === 'Enter') { select_(x[0], x[1]); } });
      });
    }
    input.addEventListener('input', function () { show(find(input.value)); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') { var r = find(input.value); if (r.length) { select_(r[0][0], r[0][1]); } }
    });
    searchApi.find = find; searchApi.input = input; searchApi.show = show;
    return box;
  });
  function select_(li, i) {
    var obj = OBJ[li][i], ll;
    if (!map.hasLayer(GROUPS[li])) { setLayer(li, true); }
    if (obj.getBounds) {
      map.fitBounds(obj.getBounds(), { maxZoom: 17, padding: [40, 40], animate: false });
      ll = obj.getBounds().getCenter();
    } else {
      ll = obj.getLatLng();
      map.setView(ll, Math.max(map.getZoom(), 16), { animate: false });
    }
    openPopup(li, i, ll);
  }

  /* layer control: base maps, then overlays grouped by action */
  var CHECKS = [], serviceN = null;
  function setLayer(li, on) {
    if (LAYERS[li].role === 'service') { serviceOn = on; showService(); }
    else if (on) { GROUPS[li].addTo(map); } else { map.removeLayer(GROUPS[li]); }
    if (CHECKS[li]) { CHECKS[li].checked = on; }
    updateNotice();
  }
  control('topright', function () {
    var box = el('div', 'cm-box cm-layers');
    collapsible(box, U.layers, false);
    if (baseLayers.length > 1) {
      el('div', 'cm-group', U.basemaps, box);
      baseLayers.forEach(function (b, k) {
        var lab = el('label', 'cm-item', null, box), r = el('input', null, null, lab);
        r.type = 'radio'; r.name = 'cm-base'; r.checked = k === 0;
        el('span', null, ' ' + b.name, lab);
        r.addEventListener('change', function () {
          baseLayers.forEach(function (x) { map.removeLayer(x.layer); });
          b.layer.addTo(map); b.layer.bringToBack && b.layer.bringToBack();
        });
      });
    }
    var groups = [];
    D.actions.forEach(function (a) {
      var ls = []; LAYERS.forEach(function (Ld, li) { if (Ld.role === 'sites' && Ld.action === a.n) { ls.push(li); } });
      if (ls.length) { groups.push([a.n + ' ' + a.name, ls]); }
    });
    var other = [], pilot = [], ctx = [];
    LAYERS.forEach(function (Ld, li) {
      if (Ld.role === 'pilot') { pilot.push(li); }
      else if (Ld.role === 'context') { ctx.push(li); }
      else if (Ld.role === 'service') { return; }  /* its own group, below */
      else if (!D.actions.some(function (a) { return a.n === Ld.action; })) { other.push(li); }
    });
    if (other.length) { groups.push([U.other, other]); }
    if (pilot.length) { groups.push([U.pilot, pilot]); }
    if (ctx.length) { groups.push([U.context, ctx]); }
    groups.forEach(function (g) {
      var head = el('label', 'cm-group', null, box), all = el('input', null, null, head);
      all.type = 'checkbox'; all.checked = g[1].some(function (li) { return map.hasLayer(GROUPS[li]); });
      el('span', null, ' ' + g[0], head);
      all.addEventListener('change', function () { g[1].forEach(function (li) { setLayer(li, all.checked); }); });
      g[1].forEach(function (li) {
        var Ld = LAYERS[li], lab = el('label', 'cm-item', null, box), c = el('input', null, null, lab);
        c.type = 'checkbox'; c.checked = map.hasLayer(GROUPS[li]); c.setAttribute('data-layer', Ld.name);
        el('span', null, ' ' + Ld.title + ' ', lab); el('span', 'cm-n', '(' + Ld.n + ')', lab);
        c.addEventListener('change', function () { setLayer(li, c.checked); });
        CHECKS[li] = c;
      });
    });
    if (SERVICE.length) {  /* health-check indicators: one entry for every date's layer */
      var head = el('div', 'cm-group', U.health, box), lab = el('label', 'cm-item', null, box), c = el('input', null, null, lab);
      c.type = 'checkbox'; c.checked = serviceOn; c.setAttribute('data-layer', LAYERS[SERVICE[0]].name);
      el('span', null, ' ' + U.service + ' ', lab); serviceN = el('span', 'cm-n', '(' + serviceCount() + ')', lab);
      c.addEventListener('change', function () { SERVICE.forEach(function (li) { setLayer(li, c.checked); }); });
      SERVICE.forEach(function (li) { CHECKS[li] = c; });
      head.setAttribute('data-group', 'health');
    }
    return box;
  });

  if (D.links.length || D.home) {
    control('topright', function () {
      var box = el('div', 'cm-box cm-links'), groups = {};
      collapsible(box, U.maps, true);
      if (D.home) { var h = el('a', null, U.home, box); h.href = D.home; }
      D.links.forEach(function (lk) {
        if (!groups[lk[0]]) { groups[lk[0]] = el('div', 'cm-group', U[lk[0]] || lk[0], box); }
        var a = el('a', null, lk[1], box); a.href = lk[2];
      });
      return box;
    });
  }

  /* legend */
  control('bottomright', function () {
    var box = el('div', 'cm-box cm-legend'), kinds = {};
    collapsible(box, U.legend, false);
    LAYERS.forEach(function (Ld) { if (Ld.role === 'sites') { kinds[Ld.geom] = true; } });
    D.statuses.forEach(function (s, k) {
      var r = el('div', 'cm-row', null, box);
      ['Point', 'LineString', 'Polygon'].forEach(function (g) { if (kinds[g]) { r.appendChild(swatch(g, D.palette[k], D.dashes[k], D.shapes[k])); } });
      el('span', null, s, r);
    });
    if (LAYERS.some(function (Ld) { return Ld.role === 'pilot'; })) {
      var r = el('div', 'cm-row', null, box);
      r.appendChild(swatch('LineString', '#000', null, null)); el('span', null, U.pilot, r);
    }
    if (SERVICE.length) {
      var sc = LAYERS[SERVICE[0]].style.colors;
      el('div', 'cm-head cm-legend-sub', U.service, box);
      [[1, U.covered], [0, U.uncovered]].forEach(function (x) {
        var r2 = el('div', 'cm-row', null, box);
        r2.appendChild(swatch('Polygon', sc[x[0]], x[0] ? null : '3 3', null)); el('span', null, x[1], r2);
      });
    }
    return box;
  });

  /* metrics panel: numbers computed by the metrics code at build time */
  var panelBody;
  control('bottomleft', function () {
    var box = el('div', 'cm-box cm-panel');
    collapsible(box, U.metrics, false);
    panelBody = el('div', 'cm-panel-body', null, box);
    return box;
  });
  function verdictOf(v) { return U['v_' + v] || v; }
  function bar(parent, frac, cls, mark) {
    var b = el('div', 'cm-bar' + (cls ? ' ' + cls : ''), null, parent), fill = el('div', null, null, b), m;
    var p = frac === null ? 0 : Math.round(frac * 100);
    fill.style.width = p + '%';
    b.setAttribute('role', 'progressbar'); b.setAttribute('aria-valuenow', String(p));
    b.setAttribute('aria-valuemin', '0'); b.setAttribute('aria-valuemax', '100');
    if (mark !== undefined && mark !== null) { m = el('span', 'cm-mark', null, b); m.style.left = Math.max(0, Math.min(100, mark)) + '%'; }
    return b;
  }
  function cmpText(c) { return c === '=' ? '' : (c === '>=' ? '≥' : c === '<=' ? '≤' : c) + ' '; }
  function num(v, unit) { return unit === '%' ? pct(v) : fmt(v) + (unit ? ' ' + unit : ''); }
  function drawPanel() {
    var P = D.panel[dateIndex], body = panelBody;
    body.textContent = '';
    if (!P) { el('div', 'cm-id', U.noMetrics, body); return; }
    el('div', 'cm-id', U.asof + ' ' + D.dates[dateIndex][0], body);
    /* counts by status first: always in view */
    var counts = el('div', 'cm-counts', null, body);
    el('span', null, U.total + ':', counts);
    D.statuses.forEach(function (s, k) {
      var c = el('span', 'cm-count', null, counts);
      c.appendChild(swatch('Point', D.palette[k], null, D.shapes[k]));
      el('span', null, s + ' ' + (P.counts[k] === undefined ? '—' : P.counts[k]), c);
    });
    /* ind: [key, name, scope, value, unit, comparison, standard, verdict] */
    if (P.ind && P.ind.length) {
      el('div', 'cm-head cm-health', U.health, body);
      P.ind.forEach(function (x) {
        var t = el('div', 'cm-target cm-indicator', null, body), head;
        t.setAttribute('data-indicator', x[0]); t.setAttribute('data-scope', x[2]);
        t.setAttribute('data-value', x[3] === null ? '' : String(x[3]));
        head = el('div', 'cm-tname', null, t);
        el('span', null, x[1] + ' (' + (U['scope_' + x[2]] || x[2]) + ')', head);
        el('span', 'cm-verdict cm-v-' + String(x[7]).replace(/ /g, '-'), verdictOf(x[7]), head);
        el('div', 'cm-id cm-nums', num(x[3], x[4]) + ' · ' + U.standard + ' ' + cmpText(x[5]) + num(x[6], x[4]), t);
        if (x[4] === '%') { bar(t, x[3] === null ? null : x[3] / 100, 'cm-v-' + String(x[7]).replace(/ /g, '-'), x[6]); }
      });
    }
    el('div', 'cm-head cm-health', U.targetsOf.replace('{y}', P.year), body);
    if (!P.ok) { el('div', 'cm-id', U.noMetrics, body); }
    else if (!P.rows.length) { el('div', 'cm-id', U.noTargets, body); }
    /* row: [id, name, years, target, actual, unit, comparison, verdict, recorded status, recorded %] */
    P.rows.forEach(function (r) {
      var t = el('div', 'cm-target', null, body), head, nums, cmp = cmpText(r[6]);
      var frac = (r[4] !== null && r[3]) ? Math.max(0, Math.min(1, r[4] / r[3])) : null;
      t.setAttribute('data-target', r[0]); t.setAttribute('data-verdict', r[7]);
      t.setAttribute('data-actual', r[4] === null ? '' : String(r[4])); t.setAttribute('data-value', String(r[3]));
      head = el('div', 'cm-tname', null, t);
      el('span', null, r[0] + ' ' + r[1] + ' (' + r[2] + ')', head);
      el('span', 'cm-verdict cm-v-' + String(r[7]).replace(/ /g, '-'), verdictOf(r[7]), head);
      nums = U.target + ' ' + cmp + num(r[3], r[5]) + ' · ' + U.done + ' ' + (r[4] === null ? '—' : num(r[4], r[5]));
      el('div', 'cm-id cm-nums', nums, t);
      if (r[7] === 'not measurable') {
        el('div', 'cm-id cm-nm', U.notMeasurable + (r[8] ? ' · ' + U.recorded + ': ' + r[8] + (r[9] !== null ? ' ' + fmt(r[9]) + '%' : '') : ''), t);
      }
      bar(t, frac, 'cm-v-' + String(r[7]).replace(/ /g, '-'));
    });
    (P.warn || []).forEach(function (w) { el('div', 'cm-id cm-warn', U.warn + ': ' + w, body); });
  }

  /* mouse position, scale, minimap */
  control('bottomleft', function () {
    var box = el('div', 'cm-box cm-mouse', D.gcj02 ? U.gcj : '—');
    map.on('mousemove', function (e) {
      box.textContent = e.latlng.lat.toFixed(6) + ', ' + e.latlng.lng.toFixed(6) + (D.gcj02 ? ' (GCJ-02)' : '');
    });
    return box;
  });
  L.control.scale({ imperial: false, metric: true, position: 'bottomleft' }).addTo(map);
  if (L.Control.MiniMap && D.basemaps.length) {
    var b0 = D.basemaps[0], mo = { maxZoom: 13, attribution: '' };
    if (b0.sub) { mo.subdomains = b0.sub; }
    new L.Control.MiniMap(L.tileLayer(b0.url, mo), { toggleDisplay: true, position: 'bottomright', width: 140, height: 120 }).addTo(map);
  }

  drawPanel();
  updateNotice();
  map.on('overlayadd overlayremove', updateNotice);

  /* a small API for tests and embedding */
  window.citymap = {
    map: map, data: D, setDate: setDate, setLayer: function (name, on) {
      LAYERS.forEach(function (Ld, li) { if (Ld.name === name) { setLayer(li, on); } });
    },
    select: function (name, id) {
      LAYERS.forEach(function (Ld, li) {
        var ids = column(li, 'id'), i = ids ? ids.indexOf(id) : -1;
        if (Ld.name === name && i >= 0) { select_(li, i); }
      });
    },
    find: function (q) { return (searchApi.find(q) || []).map(function (x) { return [LAYERS[x[0]].name, value(x[0], 'id', x[1])]; }); },
    drawn: function () {
      var out = {};
      LAYERS.forEach(function (Ld, li) {
        var seen = {}, n = 0;
        GROUPS[li].eachLayer(function (o) { if (o._cmDrawn && o._map && !seen[o._cmI]) { seen[o._cmI] = 1; n++; } });
        out[Ld.name] = (out[Ld.name] || 0) + n;
      });
      return out;
    },
    status: function (name, id) {
      var r = null;
      LAYERS.forEach(function (Ld, li) {
        var ids = column(li, 'id'), i = ids ? ids.indexOf(id) : -1, o;
        if (Ld.name === name && i >= 0) {
          o = OBJ[li][i];
          r = { code: statusCode(li, i), status: D.statuses[statusCode(li, i)], color: o.options.fillColor,
            latlng: o.getLatLng ? [o.getLatLng().lat, o.getLatLng().lng] : null };
        }
      });
      return r;
    },
    ready: false
  };
  /* ready once the canvas has drawn every feature (two animation frames) */
  L.Util.requestAnimFrame(function () {
    L.Util.requestAnimFrame(function () {
      window.citymap.ready = true;
      window.citymap.readyMs = ((window.performance && performance.now()) || 0) - T0;
      document.documentElement.setAttribute('data-citymap-ready', '1');
    });
  });
}());
