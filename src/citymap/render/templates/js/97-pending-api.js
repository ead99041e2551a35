/* window.citymap.pending(): the pending proposals drawn (tests, embedding). */
window.citymap.pending = function () {
  return { on: pendingOn && !!pendingLayer && map.hasLayer(pendingLayer), n: PENDING.length,
    items: PENDING.map(function (p) { return { id: p.id, submission: p.submission, proposed: p.proposed, color: p.color }; }) };
};
window.citymap.setPending = setPending;
window.citymap.openPending = function (k) {
  var found = null;
  if (!pendingLayer) { return null; }
  pendingLayer.eachLayer(function (g) { g.eachLayer(function (lyr) { if (lyr._cmPending === k && !found) { found = lyr; } }); });
  if (found) { found.openPopup(); return found.getPopup().getElement().textContent; }
  return null;
};
