/* Core: the data blob, decoding and DOM helpers shared by every control. */
var D = JSON.parse(document.getElementById('citymap-data').textContent);
var U = D.ui;
var T0 = (window.performance && performance.now()) || 0;
if (D.schema !== 'citymap-map' || D.version !== 2) { throw new Error('citymap: unknown map data ' + D.schema + ' ' + D.version); }
var DATES = D.dates;      /* the time axis: {day, iso, label, quick} */
var cur = D.selected;     /* the position shown */

/* ---------------------------------------------------------------- helpers */
function decodeInts(s) {
  var out = [], r = 0, sh = 0, b, i;
  if (!s) { return out; }
  for (i = 0; i < s.length; i++) {
    b = s.charCodeAt(i) - 63;
    r += (b & 31) * Math.pow(2, sh);
    sh += 5;
    if (b < 32) {
      out.push(r % 2 ? -(r + 1) / 2 : r / 2);
      r = 0; sh = 0;
    }
  }
  return out;
}
function cumsum(a) {
  var j, acc = 0;
  for (j = 0; j < a.length; j++) { acc += a[j]; a[j] = acc; }
  return a;
}
/* a column of a layer: a plain list, or dictionary-coded {d: values, i: encoded indices} */
function expand(c) {
  if (c === undefined || c === null) { return null; }
  if (Array.isArray(c)) { return c; }
  var idx = decodeInts(c.i), out = new Array(idx.length), j;
  for (j = 0; j < idx.length; j++) { out[j] = c.d[idx[j]]; }
  return out;
}
function el(tag, cls, text, parent) {
  var e = document.createElement(tag);
  if (cls) { e.className = cls; }
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  if (parent) { parent.appendChild(e); }
  return e;
}
function fmt(v) {
  if (v === null || v === undefined) { return '—'; }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) < 10000) { return String(v); }  /* years, counts */
    return (Math.round(v * 100) / 100).toLocaleString(D.lang === 'en' ? 'en' : 'zh-CN');
  }
  if (typeof v === 'boolean') { return v ? U.yes : U.no; }
  return String(v);
}
function pct(v) {
  if (v === null || v === undefined) { return '—'; }
  return (Math.round(v * 10) / 10).toFixed(1) + '%';
}
function dayToIso(n) {
  if (!n) { return ''; }
  var d = new Date(Date.parse(D.epoch + 'T00:00:00Z') + n * 86400000);
  return d.toISOString().slice(0, 10);
}
var SVGNS = 'http://www.w3.org/2000/svg';
function swatch(kind, color, dash, shape) {
  var s = document.createElementNS(SVGNS, 'svg'), g;
  s.setAttribute('width', '30'); s.setAttribute('height', '14');
  s.setAttribute('class', 'cm-swatch');
  if (kind === 'Point') {
    g = document.createElementNS(SVGNS, 'path');
    g.setAttribute('d', shapePath(shape, 15, 7, 5));
    g.setAttribute('fill', color); g.setAttribute('stroke', '#222'); g.setAttribute('stroke-width', '1');
  } else {
    g = document.createElementNS(SVGNS, kind === 'Polygon' ? 'rect' : 'line');
    if (kind === 'Polygon') {
      g.setAttribute('x', '2'); g.setAttribute('y', '2'); g.setAttribute('width', '26'); g.setAttribute('height', '10');
      g.setAttribute('fill', color); g.setAttribute('fill-opacity', '0.35');
    } else {
      g.setAttribute('x1', '1'); g.setAttribute('y1', '7'); g.setAttribute('x2', '29'); g.setAttribute('y2', '7');
    }
    g.setAttribute('stroke', color); g.setAttribute('stroke-width', kind === 'Polygon' ? '2' : '3');
    if (dash) { g.setAttribute('stroke-dasharray', dash); }
  }
  s.appendChild(g);
  return s;
}
function shapePath(shape, x, y, r) {
  var k;
  if (shape === 'square') { k = r * 0.9; return 'M' + (x - k) + ' ' + (y - k) + 'h' + 2 * k + 'v' + 2 * k + 'h' + -2 * k + 'z'; }
  if (shape === 'triangle') { return 'M' + x + ' ' + (y - r * 1.15) + 'L' + (x + r * 1.1) + ' ' + (y + r * 0.8) + 'L' + (x - r * 1.1) + ' ' + (y + r * 0.8) + 'z'; }
  if (shape === 'diamond') { k = r * 1.25; return 'M' + x + ' ' + (y - k) + 'L' + (x + k) + ' ' + y + 'L' + x + ' ' + (y + k) + 'L' + (x - k) + ' ' + y + 'z'; }
  return 'M' + (x - r) + ' ' + y + 'a' + r + ' ' + r + ' 0 1 0 ' + 2 * r + ' 0a' + r + ' ' + r + ' 0 1 0 ' + -2 * r + ' 0z';
}
