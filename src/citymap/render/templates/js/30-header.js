/* Header (title, date selector, schematic notice), pilot-zone labels, setDate. */
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
