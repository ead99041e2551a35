/* Fit: the map opens on its sites (D.fit, the core without far outliers) clear of the
 * panels, measured once every control is on the page; the reset button does the same. */
function panelPadding() {
  var c = map.getContainer(), cr = c.getBoundingClientRect(), pad = [12, 12, 12, 12];  /* top right bottom left */
  var boxes = c.querySelectorAll('.leaflet-left > .leaflet-control, .leaflet-right > .leaflet-control, .cm-header'), k, b, r;
  for (k = 0; k < boxes.length; k++) {
    b = boxes[k]; r = b.getBoundingClientRect();
    if (!r.width || !r.height) { continue; }
    if (b.classList.contains('cm-header')) { pad[0] = Math.max(pad[0], r.bottom - cr.top + 8); }
    else if (b.parentNode.classList.contains('leaflet-left')) { pad[3] = Math.max(pad[3], r.right - cr.left + 8); }
    else { pad[1] = Math.max(pad[1], cr.right - r.left + 8); }
  }
  /* the sites keep at least 40 % of each side of the map (small screens: panels collapse) */
  if (cr.width - pad[1] - pad[3] < cr.width * 0.4) { pad[1] = pad[3] = 12; }
  if (cr.height - pad[0] - pad[2] < cr.height * 0.4) { pad[0] = pad[2] = 12; }
  return { paddingTopLeft: [pad[3], pad[0]], paddingBottomRight: [pad[1], pad[2]], maxZoom: 17 };
}
if (!D.view) { home(); }
