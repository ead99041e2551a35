/* Print: an A4/A3 landscape layout of the map as it is — title above, the legend, scale bar
 * and north arrow on the map, date, source and the 审图号 (approval number) below — with
 * @page size set for the paper. The buttons lay the page out, wait for the canvas to redraw,
 * then print; Ctrl+P lays it out on the default paper. */
var PR = D.publish || null, printing = null;
function printLayout(paper) {
  var P = PR, size, pw, ph, root = document.documentElement, legend;
  if (!P || EMBED) { return Promise.resolve(null); }
  paper = P.papers[paper] ? paper : P.paper;
  size = P.papers[paper]; pw = size[0] - 16; ph = size[1] - 16;  /* 8 mm margins */
  printPage.textContent = '@page { size: ' + paper + ' landscape; margin: 8mm; }';
  root.style.setProperty('--cm-pw', pw + 'mm'); root.style.setProperty('--cm-ph', ph + 'mm');
  printTitle.textContent = D.title + (D.subtitle ? ' — ' + D.subtitle : '') + (P.schematic ? ' (' + P.ui.schematic + ')' : '');
  printWhen.textContent = P.ui.asof + ' ' + (DATES[cur] ? DATES[cur].iso : '') + ' · ' + P.ui.made + ' ' + P.made;
  printSource.textContent = P.ui.source + ': ' + P.source;
  printApproval.textContent = P.ui.approval + ': ' + (P.approval || '\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000');
  legend = map.getContainer().querySelector('.cm-legend');
  if (!printing) {
    printing = { center: map.getCenter(), zoom: map.getZoom(),
                 collapsed: legend ? legend.classList.contains('cm-collapsed') : false, legend: legend };
  }
  if (legend) { fold(legend, false); }
  map.closePopup();
  root.classList.add('cm-printing'); root.setAttribute('data-paper', paper);
  map.invalidateSize({ animate: false });
  map.fitBounds(bounds, fitOptions());  /* the sites fill the sheet */
  return new Promise(function (resolve) {
    L.Util.requestAnimFrame(function () { L.Util.requestAnimFrame(function () { resolve(paper); }); });
  });
}
function endPrint() {
  var root = document.documentElement;
  if (!printing) { return; }
  root.classList.remove('cm-printing'); root.removeAttribute('data-paper');
  if (printing.legend) { fold(printing.legend, printing.collapsed); }
  map.invalidateSize({ animate: false });
  map.setView(printing.center, printing.zoom, { animate: false });
  printing = null;
}
if (PR && !EMBED) {
  var printPage = el('style', null, null, document.head);
  var printTitle = el('div', 'cm-print-title', null, document.body);
  var printFoot = el('div', 'cm-print-foot', null, document.body);
  var printWhen = el('span', 'cm-print-when', null, printFoot);
  var printSource = el('span', 'cm-print-source', null, printFoot);
  var printApproval = el('span', 'cm-print-approval', null, printFoot);
  control('topleft', function () {
    var bar = el('div', 'leaflet-bar cm-print');
    Object.keys(PR.papers).forEach(function (paper) {
      var a = el('a', 'cm-btn cm-print-' + paper, paper, bar);
      a.href = '#'; a.title = PR.ui.printTitle + ' ' + paper; a.setAttribute('role', 'button');
      a.setAttribute('aria-label', PR.ui.print + ' ' + paper);
      a.addEventListener('click', function (e) {
        e.preventDefault();
        printLayout(paper).then(function () { window.print(); });
      });
    });
    return bar;
  });
  control('topright', function () {  /* the north arrow: shown on the printed page */
    var box = el('div', 'cm-north'), s = document.createElementNS(SVGNS, 'svg'), p = document.createElementNS(SVGNS, 'path');
    s.setAttribute('width', '26'); s.setAttribute('height', '30'); s.setAttribute('viewBox', '0 0 26 30');
    p.setAttribute('d', 'M13 1 L22 26 L13 20 L4 26 Z'); p.setAttribute('fill', '#111');
    s.appendChild(p); box.appendChild(s); el('div', null, PR.ui.north, box);
    return box;
  });
  window.addEventListener('beforeprint', function () { if (!printing) { printLayout(PR.paper); } });
  window.addEventListener('afterprint', endPrint);
}
