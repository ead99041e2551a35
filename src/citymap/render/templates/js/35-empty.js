/* A map with no site (a unit whose works are plan-only …): its works and why none is on
 * the map, with the 示意 notice. */
if (D.empty) {
  (function () {
    var E = D.empty, box = el('div', 'cm-box cm-empty', null, map.getContainer()), list;
    box.setAttribute('role', 'region');
    el('h3', null, E.unit ? E.ui.title : E.ui.titleAction, box);
    el('div', 'cm-notice', E.ui.schematic, box);
    list = el('ul', null, null, box);
    E.works.forEach(function (w) {
      var li = el('li', null, null, list);
      li.setAttribute('data-work', String(w[0]));
      el('div', 'cm-tname', U.work + ' ' + w[0] + ' · ' + w[1] + (w[2] ? ' (' + w[2] + ')' : ''), li);
      el('div', 'cm-id', w[3], li);
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
  }());
}
