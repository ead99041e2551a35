/* Mouse position, scale, minimap; window.citymap (tests, embedding); ready flag. */
control('bottomleft', function () {
  /* the pointer's coordinates while it is over the map; away from it the box keeps its place
   * but shows nothing (a lone placeholder box under the scale looked like a stray button),
   * except the GCJ-02 note on an AMap base map */
  var rest = D.gcj02 ? U.gcj : '';
  var box = el('div', 'cm-box cm-mouse');
  function idle() {
    box.textContent = rest || '\u00a0';
    box.classList.toggle('cm-idle', !rest);
  }
  idle();
  map.on('mousemove', function (e) {
    box.textContent = e.latlng.lat.toFixed(6) + ', ' + e.latlng.lng.toFixed(6) + (D.gcj02 ? ' (GCJ-02)' : '');
    box.classList.remove('cm-idle');
  });
  map.on('mouseout', idle);
  return box;
});
L.control.scale({ imperial: false, metric: true, position: 'bottomleft' }).addTo(map);
if (L.Control.MiniMap && D.basemaps.length && !narrow()) {
  var b0 = D.basemaps[0], mo = { maxZoom: 13, attribution: '' };
  if (b0.sub) { mo.subdomains = b0.sub; }
  new L.Control.MiniMap(L.tileLayer(b0.url, mo), { toggleDisplay: true, position: 'bottomright', width: 140, height: 120 }).addTo(map);
}

drawPanel();
updateNotice();
layout();

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
  /* features drawn on the canvas in the last pass, per layer (those in view, layer on) */
  drawn: function () {
    var out = {};
    LAYERS.forEach(function (Ld, li) { out[Ld.name] = (out[Ld.name] || 0) + DRAWN[li]; });
    return out;
  },
  status: function (name, id) {
    var r = null;
    LAYERS.forEach(function (Ld, li) {
      var ids = column(li, 'id'), i = ids ? ids.indexOf(id) : -1, c;
      if (Ld.name === name && i >= 0) {
        c = statusCode(li, i);
        r = { code: c, status: D.statuses[c], color: styleOf(li, i).fill, late: isLate(li, i),
          date: statusDate(li, i), latlng: Ld.geom === 'Point' ? [firstLatLng(li, i).lat, firstLatLng(li, i).lng] : null };
      }
    });
    return r;
  },
  /* the layer point where the first vertex of a feature is drawn */
  point: function (name, id) {
    var r = null, S = 256 * Math.pow(2, map.getZoom()), o = map.getPixelOrigin();
    LAYERS.forEach(function (Ld, li) {
      var ids = column(li, 'id'), i = ids ? ids.indexOf(id) : -1, g = G[li], a;
      if (Ld.name === name && i >= 0) { a = g.ringStart[g.featRing[i]]; r = [g.xy[2 * a] * S - o.x, g.xy[2 * a + 1] * S - o.y]; }
    });
    return r;
  },
  /* the position on the time axis: index, ISO date; late ids by layer */
  date: function () { return { index: cur, iso: DATES[cur].iso }; },
  late: function () {
    var out = {};
    LAYERS.forEach(function (Ld, li) {
      var ids = column(li, 'id'), i;
      if (!Ld.events) { return; }
      for (i = 0; i < Ld.n; i++) { if (isLate(li, i)) { out[ids[i]] = Ld.name; } }
    });
    return out;
  },
  statuses: function () {
    var out = {};
    LAYERS.forEach(function (Ld, li) {
      var ids = column(li, 'id'), i;
      if (!Ld.events) { return; }
      for (i = 0; i < Ld.n; i++) { out[ids[i]] = D.statuses[statusCode(li, i)]; }
    });
    return out;
  },
  play: play, stop: stop, redraw: redraw,
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
