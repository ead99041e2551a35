/* Search by name, id or work number. */
var searchApi = {};
control('topleft', function () {
  var box = el('div', 'cm-box cm-search');
  collapsible(box, U.search_, false);
  var input = el('input', null, null, box), res = el('div', 'cm-results', null, box);
  input.type = 'search'; input.placeholder = U.search; input.setAttribute('aria-label', U.search);
  function find(q) {
    var out = [], li, i, name, works, n, Ld, isNum;
    q = String(q).trim().toLowerCase();
    if (!q) { return out; }
    isNum = /^\d+$/.test(q);
    for (li = 0; li < LAYERS.length && out.length < 30; li++) {
      Ld = LAYERS[li];
      if (Ld.role === 'service') { continue; }
      for (i = 0; i < Ld.n && out.length < 30; i++) {
        name = String(value(li, 'name', i) || '').toLowerCase();
        works = isNum ? String(value(li, 'works', i) || '').split(';') : [];
        n = String(value(li, 'id', i) || '').toLowerCase();
        if (name.indexOf(q) >= 0 || n === q || (isNum && works.indexOf(q) >= 0)) { out.push([li, i]); }
      }
    }
    return out;
  }
  function show(list) {
    res.textContent = '';
    if (!list.length && input.value.trim()) { el('div', 'cm-id', U.noresult, res); return; }
    list.forEach(function (x) {
      var d = el('div', null, null, res), w = value(x[0], 'works', x[1]);
      d.tabIndex = 0;
      el('span', null, value(x[0], 'name', x[1]) || value(x[0], 'id', x[1]), d);
      el('span', 'cm-id', ' · ' + LAYERS[x[0]].title + (w ? ' · ' + U.work + ' ' + String(w).replace(/;/g, '、') : ''), d);
      d.addEventListener('click', function () { select_(x[0], x[1]); });
      d.addEventListener('keydown', function (e) { if (e.key === 'Enter') { select_(x[0], x[1]); } });
    });
  }
  input.addEventListener('input', function () { show(find(input.value)); });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') { var r = find(input.value); if (r.length) { select_(r[0][0], r[0][1]); } }
  });
  searchApi.find = find; searchApi.input = input; searchApi.show = show;
  return box;
});
function select_(li, i) {
  var ll, b;
  if (!VISIBLE[li]) { setLayer(li, true); }
  if (LAYERS[li].geom === 'Point') {
    ll = firstLatLng(li, i);
    map.setView(ll, Math.max(map.getZoom(), 16), { animate: false });
  } else {
    b = featureBounds(li, i);
    map.fitBounds(b, { maxZoom: 17, padding: [40, 40], animate: false });
    ll = b.getCenter();
  }
  if (narrow()) { FOLDS.forEach(function (x) { fold(x, true); }); }
  openPopup(li, i, ll);
}
