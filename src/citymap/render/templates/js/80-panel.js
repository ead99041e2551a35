/* Metrics panel. */
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
/* sites by status as the script replays them (maps built without the metrics) */
function statusCounts() {
  var out = [0, 0, 0, 0];
  LAYERS.forEach(function (Ld, li) {
    var i;
    if (!Ld.events) { return; }
    for (i = 0; i < Ld.n; i++) { out[CODE[li][i] % 4]++; }
  });
  return out;
}
function vcls(v) { return 'cm-v-' + String(v).replace(/ /g, '-'); }
function drawPanel() {
  var P = D.panel[cur], body = panelBody;
  body.textContent = '';
  if (!P) { el('div', 'cm-id', U.noMetrics, body); return; }
  el('div', 'cm-id cm-panel-date', U.asof + ' ' + DATES[cur].iso, body);
  /* counts by status first: always in view (every site layer, the pilot zones too) */
  var counts = el('div', 'cm-counts', null, body);
  el('span', null, U.total + ':', counts);
  var n = P.counts || statusCounts();
  D.statuses.forEach(function (s, k) {
    var c = el('span', 'cm-count', null, counts);
    c.setAttribute('data-status', String(k));
    c.appendChild(swatch('Point', D.palette[k], null, D.shapes[k]));
    el('span', null, s + ' ' + (n[k] === undefined ? '—' : n[k]), c);
  });
  /* the overdue list's counts (as `citymap overdue` counts them) */
  if (P.late) {
    var late = el('div', 'cm-counts cm-late-counts', null, body);
    [['sites', U.lateSites], ['works', U.lateWorks], ['targets', U.lateTargets]].forEach(function (x) {
      var c = el('span', 'cm-count', x[1] + ' ' + P.late[x[0]], late);
      c.setAttribute('data-late', x[0]); c.setAttribute('data-n', String(P.late[x[0]]));
    });
  }
  if (P.indicators && P.indicators.length) {
    el('div', 'cm-head cm-health', U.health, body);
    P.indicators.forEach(function (x) {
      var t = el('div', 'cm-target cm-indicator', null, body), head;
      t.setAttribute('data-indicator', x.key); t.setAttribute('data-scope', x.scope);
      t.setAttribute('data-value', x.value === null ? '' : String(x.value));
      head = el('div', 'cm-tname', null, t);
      el('span', null, x.name + ' (' + (U['scope_' + x.scope] || x.scope) + ')', head);
      el('span', 'cm-verdict ' + vcls(x.verdict), verdictOf(x.verdict), head);
      el('div', 'cm-id cm-nums', num(x.value, x.unit) + ' · ' + U.standard + ' ' + cmpText(x.comparison) + num(x.standard, x.unit), t);
      if (x.unit === '%') { bar(t, x.value === null ? null : x.value / 100, vcls(x.verdict), x.standard); }
    });
  }
  if (P.year !== undefined) { el('div', 'cm-head cm-health', U.targetsOf.replace('{y}', P.year), body); }
  if (!P.ok) { el('div', 'cm-id', U.noMetrics, body); }
  else if (!P.rows.length) { el('div', 'cm-id', U.noTargets, body); }
  P.rows.forEach(function (r) {
    var t = el('div', 'cm-target', null, body), head, nums;
    var frac = (r.actual !== null && r.target) ? Math.max(0, Math.min(1, r.actual / r.target)) : null;
    t.setAttribute('data-target', r.id); t.setAttribute('data-verdict', r.verdict);
    t.setAttribute('data-actual', r.actual === null ? '' : String(r.actual)); t.setAttribute('data-value', String(r.target));
    head = el('div', 'cm-tname', null, t);
    el('span', null, r.id + ' ' + r.name + ' (' + r.years + ')', head);
    el('span', 'cm-verdict ' + vcls(r.verdict), verdictOf(r.verdict), head);
    nums = U.target + ' ' + cmpText(r.comparison) + num(r.target, r.unit) + ' · ' + U.done + ' ' + (r.actual === null ? '—' : num(r.actual, r.unit));
    el('div', 'cm-id cm-nums', nums, t);
    if (r.verdict === 'not measurable') {
      el('div', 'cm-id cm-nm', U.notMeasurable + (r.recordedStatus ? ' · ' + U.recorded + ': ' + r.recordedStatus + (r.recordedPercent !== null ? ' ' + fmt(r.recordedPercent) + '%' : '') : ''), t);
    }
    bar(t, frac, vcls(r.verdict));
  });
  (P.warnings || []).forEach(function (w) { el('div', 'cm-id cm-warn', U.warn + ': ' + w, body); });
}
