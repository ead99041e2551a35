/* Header: title, the time axis (quick positions, month slider, play/pause), notices;
 * pilot-zone labels; setDate. */
var header = el('div', 'cm-header cm-box', null, document.getElementById('map'));
el('div', 'cm-title', D.title + (D.subtitle ? ' — ' + D.subtitle : ''), header);
var timeRow = el('div', 'cm-time', null, header);
var dateLabel = el('label', 'cm-quick', U.asof + ' ', timeRow);
var select = el('select', 'cm-date', null, dateLabel);
select.setAttribute('aria-label', U.asof);
function fillQuick() {
  select.textContent = '';
  DATES.forEach(function (d, k) {
    if (!d.quick && k !== cur) { return; }
    var o = el('option', null, d.label, select); o.value = String(k);
    if (k === cur) { o.selected = true; }
  });
}
fillQuick();
var playBtn = el('button', 'cm-play', '▶', timeRow);
playBtn.type = 'button'; playBtn.title = U.play; playBtn.setAttribute('aria-label', U.play);
var slider = el('input', 'cm-slider', null, timeRow);
slider.type = 'range'; slider.min = '0'; slider.max = String(DATES.length - 1); slider.step = '1';
slider.value = String(cur); slider.setAttribute('aria-label', U.timeAxis); slider.title = U.timeAxis;
var monthLabel = el('span', 'cm-month', DATES[cur].iso, timeRow);
var notice = el('div', 'cm-notice', U.schematic, header);
var tilesNote = el('div', 'cm-notice cm-tiles-notice', U.tilesFailed, header);
tilesNote.hidden = true;
L.DomEvent.disableClickPropagation(header);
L.DomEvent.disableScrollPropagation(header);
select.addEventListener('change', function () { stop(); setDate(parseInt(select.value, 10)); });
slider.addEventListener('input', function () { stop(); setDate(parseInt(slider.value, 10)); });

/* playback: one month per step, at least 5 steps a second */
var playing = null;
function stop() {
  if (playing === null) { return; }
  clearInterval(playing); playing = null;
  playBtn.textContent = '▶'; playBtn.title = U.play; playBtn.setAttribute('aria-label', U.play);
}
function play() {
  if (cur >= DATES.length - 1) { setDate(0); }
  playBtn.textContent = '❚❚'; playBtn.title = U.pause; playBtn.setAttribute('aria-label', U.pause);
  playing = setInterval(function () {
    if (cur >= DATES.length - 1) { stop(); return; }
    setDate(cur + 1);
  }, 150);
}
playBtn.addEventListener('click', function () { if (playing === null) { play(); } else { stop(); } });

function updateNotice() {
  notice.hidden = !LAYERS.some(function (Ld, li) { return Ld.schematic && VISIBLE[li]; });
  layout();
}
/* the base map could not load a single tile: say so, keep drawing the data */
function tileNotice() {
  var hide = !(tiles.bad > 0 && tiles.ok === 0);
  if (tilesNote.hidden !== hide) { tilesNote.hidden = hide; layout(); }
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
  if (Ld.role !== 'pilot' || !Ld.labelAt) { return; }
  Ld.labelAt.forEach(function (at, i) {
    var box = el('div', Ld.zone && Ld.zone.below[i] ? 'cm-below' : null), node, tip;
    box.setAttribute('data-zone', value(li, 'id', i));
    el('div', 'cm-label-name', value(li, 'name', i) || '', box);
    node = el('div', 'cm-label-text', pilotText(li, i), box);
    tip = L.tooltip({ permanent: true, direction: 'center', className: 'cm-label', interactive: false })
      .setLatLng(at).setContent(box);
    LABELS.push({ li: li, i: i, node: node, tip: tip });
  });
});
function showLabels() {
  LABELS.forEach(function (x) {
    if (VISIBLE[x.li] && !map.hasLayer(x.tip)) { x.tip.addTo(map); }
    if (!VISIBLE[x.li] && map.hasLayer(x.tip)) { map.removeLayer(x.tip); }
  });
}
function labelZoom() { L.DomUtil[map.getZoom() < 12.5 ? 'addClass' : 'removeClass'](map.getContainer(), 'cm-nolabels'); }
map.on('zoomend', labelZoom); labelZoom(); showLabels();

/* ------------------------------------------------------------- date */
function setDate(k) {
  cur = k;
  computeState(k);
  redraw();
  LABELS.forEach(function (x) { x.node.textContent = pilotText(x.li, x.i); });
  if (serviceN) { serviceN.textContent = '(' + serviceCount() + ')'; }
  drawPanel();
  if (current) { popup.setContent(popupNode(current.li, current.i)); }
  slider.value = String(k);
  monthLabel.textContent = DATES[k].quick ? DATES[k].label : DATES[k].label;
  fillQuick();
}
