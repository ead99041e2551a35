/* Layer control and links to the other maps. */
var CHECKS = [], serviceN = null;
function setLayer(li, on) {
  VISIBLE[li] = on;
  if (CHECKS[li]) { CHECKS[li].checked = on; }
  redraw();
  showLabels();
  updateNotice();
}
control('topright', function () {
  var box = el('div', 'cm-box cm-layers');
  collapsible(box, U.layers, false);
  if (baseLayers.length > 1) {
    el('div', 'cm-group', U.basemaps, box);
    baseLayers.forEach(function (b, k) {
      var lab = el('label', 'cm-item', null, box), r = el('input', null, null, lab);
      r.type = 'radio'; r.name = 'cm-base'; r.checked = k === 0;
      el('span', null, ' ' + b.name, lab);
      r.addEventListener('change', function () {
        baseLayers.forEach(function (x) { map.removeLayer(x.layer); });
        b.layer.addTo(map); b.layer.bringToBack && b.layer.bringToBack();
      });
    });
  }
  var groups = [];
  D.actions.forEach(function (a) {
    var ls = []; LAYERS.forEach(function (Ld, li) { if (Ld.role === 'sites' && Ld.action === a.n) { ls.push(li); } });
    if (ls.length) { groups.push([a.n + ' ' + a.name, ls]); }
  });
  var other = [], pilot = [], ctx = [];
  LAYERS.forEach(function (Ld, li) {
    if (Ld.role === 'pilot') { pilot.push(li); }
    else if (Ld.role === 'context') { ctx.push(li); }
    else if (Ld.role === 'service') { return; }  /* its own group, below */
    else if (!D.actions.some(function (a) { return a.n === Ld.action; })) { other.push(li); }
  });
  if (other.length) { groups.push([U.other, other]); }
  if (pilot.length) { groups.push([U.pilot, pilot]); }
  if (ctx.length) { groups.push([U.context, ctx]); }
  groups.forEach(function (g) {
    var head = el('label', 'cm-group', null, box), all = el('input', null, null, head);
    all.type = 'checkbox'; all.checked = g[1].some(function (li) { return VISIBLE[li]; });
    el('span', null, ' ' + g[0], head);
    all.addEventListener('change', function () { g[1].forEach(function (li) { setLayer(li, all.checked); }); });
    g[1].forEach(function (li) {
      var Ld = LAYERS[li], lab = el('label', 'cm-item', null, box), c = el('input', null, null, lab);
      c.type = 'checkbox'; c.checked = VISIBLE[li]; c.setAttribute('data-layer', Ld.name);
      el('span', null, ' ' + Ld.title + ' ', lab); el('span', 'cm-n', '(' + Ld.n + ')', lab);
      c.addEventListener('change', function () { setLayer(li, c.checked); });
      CHECKS[li] = c;
    });
  });
  if (SERVICE.length) {  /* health-check indicators: one entry for every date's layer */
    var head = el('div', 'cm-group', U.health, box), lab = el('label', 'cm-item', null, box), c = el('input', null, null, lab);
    c.type = 'checkbox'; c.checked = VISIBLE[SERVICE[0]]; c.setAttribute('data-layer', LAYERS[SERVICE[0]].name);
    el('span', null, ' ' + U.service + ' ', lab); serviceN = el('span', 'cm-n', '(' + serviceCount() + ')', lab);
    c.addEventListener('change', function () { SERVICE.forEach(function (li) { setLayer(li, c.checked); }); });
    SERVICE.forEach(function (li) { CHECKS[li] = c; });
    head.setAttribute('data-group', 'health');
  }
  return box;
});

if (D.links.length || D.home) {
  control('topright', function () {
    var box = el('div', 'cm-box cm-links'), groups = {};
    collapsible(box, U.maps, true);
    if (D.home) { var h = el('a', null, U.home, box); h.href = D.home; }
    D.links.forEach(function (lk) {
      if (!groups[lk.group]) { groups[lk.group] = el('div', 'cm-group', U[lk.group] || lk.group, box); }
      var a = el('a', null, lk.title, box); a.href = lk.href;
    });
    return box;
  });
}
