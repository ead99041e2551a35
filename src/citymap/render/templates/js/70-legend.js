/* Legend. */
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
