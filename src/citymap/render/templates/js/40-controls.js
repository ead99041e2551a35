/* Control helpers (control, collapsible), full screen, reset view, measure. */
function control(position, build) {
  var C = L.Control.extend({ onAdd: function () {
    var box = build();
    L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);
    return box;
  } });
  var c = new C({ position: position }); c.addTo(map); return c;
}
/* a box that folds to its title: ▾ open, ▸ folded. Below 700 px every box starts folded and
 * opening one folds the others, so an open box never covers another's buttons. */
var FOLDS = [];
function fold(box, folded) {
  box.classList.toggle('cm-collapsed', folded);
  box._cmBtn.textContent = folded ? '▸' : '▾';
  box._cmBtn.setAttribute('aria-expanded', folded ? 'false' : 'true');
}
function collapsible(box, title, collapsed) {
  var head = el('div', 'cm-head cm-fold-head', null, box), btn;
  el('span', null, title, head);
  btn = el('button', 'cm-collapse', '', head);
  btn.type = 'button'; btn.setAttribute('aria-label', title);
  box._cmBtn = btn;
  FOLDS.push(box);
  fold(box, collapsed || narrow());
  head.addEventListener('click', function (e) {
    var folded = !box.classList.contains('cm-collapsed');
    e.preventDefault();
    fold(box, folded);
    if (!folded && narrow()) { FOLDS.forEach(function (b) { if (b !== box) { fold(b, true); } }); }
  });
  return head;
}
/* phones: the header spans the top, the control corners move below it */
function layout() {
  var n = narrow(), c = map.getContainer();
  L.DomUtil[n ? 'addClass' : 'removeClass'](c, 'cm-narrow');
  var tops = c.querySelectorAll('.leaflet-top');
  for (var k = 0; k < tops.length; k++) { tops[k].style.top = n ? header.offsetHeight + 'px' : ''; }
}
map.on('resize', layout);

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
function measuringNow() { return measuring !== null && !measuring.done; }
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
