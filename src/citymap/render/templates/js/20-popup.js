/* Popups: built from the blob with textContent. */
var popup = L.popup({ maxWidth: 340, autoPanPaddingTopLeft: [60, 120], autoPanPaddingBottomRight: [40, 40] });
var current = null;
function row(tbody, label, text) {
  if (text === null || text === undefined || text === '') { return; }
  var tr = el('tr', null, null, tbody);
  el('th', null, label, tr); el('td', null, text, tr);
}
function servicePopup(li, i) {
  var box = el('div', 'cm-popup'), tb, a = value(li, 'area_m2', i);
  el('h3', null, value(li, 'name', i) || value(li, 'id', i), box);
  el('div', 'cm-id', U.parcel + ' · ' + U.id + ' ' + value(li, 'id', i), box);
  tb = el('tbody', null, null, el('table', null, null, box));
  row(tb, U.service, covered(li, i) ? U.yes + ' — ' + U.covered : U.no + ' — ' + U.uncovered);
  row(tb, U.area, a === null ? null : fmt(a) + ' m²');
  el('div', 'cm-id', U.asof + ' ' + DATES[cur].iso, box);
  return box;
}
function zoneCov(li, i) {
  var z = LAYERS[li].zone, c = z && z.coverage[cur];
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
    el('span', 'cm-id', ' (' + U.asof + ' ' + DATES[cur].iso + ')', td);
    if (isLate(li, i)) {
      var lt = el('tr', 'cm-late-row', null, tb);
      el('th', null, U.late, lt); el('td', 'cm-late', '⚠ ' + U.lateLegend, lt);
    }
  }
  (Ld.fields || []).forEach(function (f) { var v = value(li, f.column, i); row(tb, f.label, v === null ? null : fmt(v)); });
  if (Ld.role === 'pilot' && Ld.zone) {
    row(tb, U.area, fmt(Ld.zone.area[i]) + ' km²' + (Ld.zone.below[i] ? ' ⚠ ' + U.belowMin + ' ' + fmt(Ld.zone.min) + ' km²' : ''));
    t = zoneCov(li, i);
    if (t) { row(tb, U.zoneCovered, pct(t[0])); row(tb, U.zoneDone, pct(t[1])); }
  }
  if (Ld.targets) {
    tg = Ld.targets.d[decodedTg(li)[i]];
    if (tg && tg.length) {
      el('div', 'cm-head', U.targets, box);
      list = el('ul', null, null, box);
      tg.forEach(function (k) {
        var x = D.targets[k];
        el('li', null, x.id + ' ' + x.name + ' (' + x.years + ' ' + (x.comparison === '=' ? '' : x.comparison + ' ') + fmt(x.value) + ' ' + x.unit + ')', list);
      });
    }
  }
  photoBlock(box, value(li, 'id', i));
  var src = value(li, 'source', i);
  if (src === '示意') { el('span', 'cm-badge', U.schematic, box); }
  else if (src) { el('div', 'cm-id', U.source + ': ' + src, box); }
  return box;
}
var tgCache = {};
/* photos (形象进度): before/after thumbnails copied beside the maps, dated up to the day shown */
function photoBlock(box, id) {
  var P = D.photos, day = DATES[cur].iso, list = P && P.s[id], wrap;
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
function decodedTg(li) { if (!tgCache[li]) { tgCache[li] = decodeInts(LAYERS[li].targets.i); } return tgCache[li]; }
function openPopup(li, i, latlng) {
  var size = map.getSize(), top = 120, k, r, corners;
  if (narrow()) {  /* a phone: open it below the header and the buttons of the top corners */
    corners = map.getContainer().querySelectorAll('.leaflet-top');
    top = header.offsetHeight + 8;
    for (k = 0; k < corners.length; k++) {
      r = corners[k].getBoundingClientRect();
      top = Math.max(top, r.bottom - map.getContainer().getBoundingClientRect().top + 8);
    }
  }
  current = { li: li, i: i, latlng: latlng };
  popup.options.maxWidth = Math.min(340, size.x - 40);
  popup.options.autoPanPaddingTopLeft = L.point(narrow() ? 8 : 60, top);
  popup.options.autoPanPaddingBottomRight = L.point(narrow() ? 8 : 40, 40);
  popup.setLatLng(latlng).setContent(popupNode(li, i)).openOn(map);
}
map.on('popupclose', function () { current = null; });
