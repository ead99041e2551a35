/* Pending review (待审核): changes of submissions not yet accepted, a layer of their own,
   dashed in the proposed status colour; the popup names submission, unit, person, status. */
var PENDING = D.pending || [], pendingLayer = null, pendingOn = false;
function pendingPopup(p) {
  var box = el('div', 'cm-popup cm-pending-popup');
  el('b', null, U.pending + ' · ' + (p.name || p.id), box);
  [[U.submission, p.submission + ' (' + p.at + ')'], [U.unit, p.unit], [U.submitter, p.person],
   [U.status, (p.current || '—') + ' → ' + p.proposed + (p.percent === null || p.percent === undefined ? '' : ' ' + p.percent + '%')],
   [U.asof, p.date], [U.note || '', p.note]].forEach(function (r) {
    if (!r[1]) { return; }
    var line = el('div', null, null, box);
    el('span', 'cm-k', r[0] + ': ', line); el('span', null, r[1], line);
  });
  return box;
}
function setPending(on) {
  pendingOn = on;
  if (!pendingLayer) { return; }
  if (on) { pendingLayer.addTo(map); } else { map.removeLayer(pendingLayer); }
}
if (PENDING.length) {
  pendingLayer = L.featureGroup();
  PENDING.forEach(function (p, k) {
    var style = { color: p.color, weight: 3, dashArray: '6 4', fill: true, fillColor: p.color, fillOpacity: 0.08 };
    var g = L.geoJSON({ type: 'Feature', properties: {}, geometry: p.geometry }, {
      style: function () { return style; },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, L.extend({ radius: 10 }, style)); }
    });
    g.eachLayer(function (lyr) { lyr._cmPending = k; lyr.bindPopup(function () { return pendingPopup(p); }); });
    pendingLayer.addLayer(g);
  });
  control('topright', function () {
    var box = el('div', 'cm-box cm-pending'), lab = el('label', 'cm-item', null, box), c = el('input', null, null, lab);
    c.type = 'checkbox'; c.checked = true; c.setAttribute('data-layer', 'pending');
    el('span', 'cm-pending-key', '', lab);
    el('span', null, ' ' + U.pending + ' ', lab); el('span', 'cm-n', '(' + PENDING.length + ')', lab);
    c.addEventListener('change', function () { setPending(c.checked); });
    return box;
  });
  setPending(true);
}
