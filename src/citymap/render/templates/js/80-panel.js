/* Metrics panel. */
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
