/* Mouse position, scale, minimap; window.citymap (tests, embedding); ready flag. */
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
