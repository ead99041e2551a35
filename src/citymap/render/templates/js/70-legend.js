/* Legend. */
control('bottomright', function () {
  var box = el('div', 'cm-box cm-legend'), kinds = {};
  collapsible(box, U.legend, false);
  LAYERS.forEach(function (Ld) { if (Ld.role === 'sites') { kinds[Ld.geom] = true; } });
  D.statuses.forEach(function (s, k) {
    var r = el('div', 'cm-row', null, box);
    ['Point', 'LineString', 'Polygon'].forEach(function (g) { if (kinds[g]) { r.appendChild(swatch(g, D.palette[k], D.dashes[k], D.shapes[k])); } });
    el('span', null, s, r);
  });
  /* late: the wide outline drawn under a late site (the overdue list's sites) */
  if (LAYERS.some(function (Ld) { return Ld.events; })) {
    var rl = el('div', 'cm-row cm-legend-late', null, box);
    ['Point', 'LineString', 'Polygon'].forEach(function (g) { if (kinds[g]) { rl.appendChild(lateSwatch(g)); } });
    el('span', null, U.lateLegend, rl);
  }
  if (LAYERS.some(function (Ld) { return Ld.role === 'pilot'; })) {
    var r = el('div', 'cm-row', null, box);
    r.appendChild(swatch('LineString', '#000', null, null)); el('span', null, U.pilot, r);
  }
  if (SERVICE.length) {
    var sc = LAYERS[SERVICE[0]].style.colors;
    el('div', 'cm-legend-sub', U.service, box);
    [[1, U.covered], [0, U.uncovered]].forEach(function (x) {
      var r2 = el('div', 'cm-row', null, box);
      r2.appendChild(swatch('Polygon', sc[x[0]], x[0] ? null : '3 3', null)); el('span', null, x[1], r2);
    });
  }
  return box;
});
function lateSwatch(kind) {
  var s = swatch(kind, D.palette[1], null, D.shapes[1]), g = s.firstChild, halo = g.cloneNode(false);
  halo.setAttribute('stroke', D.lateColor); halo.setAttribute('stroke-width', kind === 'Point' ? '5' : '8');
  halo.setAttribute('fill', 'none'); halo.removeAttribute('stroke-dasharray');
  s.insertBefore(halo, g);
  return s;
}
