"""``citymap.explore``: the workspace on a :class:`folium.Map`, for notebooks.

Like :meth:`geopandas.GeoDataFrame.explore`, :func:`explore` returns a ``folium.Map`` an
analyst can add folium layers to (``folium.Marker(...).add_to(m)``), display in Jupyter or
save. The sites are citymap's fast layer — the same compact JSON blob and map script as
``citymap build`` (canvas drawing, status by date, popups, search, legend, panel) — carried
by one folium element per Leaflet object, like folium's plugins:

* :class:`VendoredLeaflet` puts Leaflet (script, style, marker images) into the page from
  the package's vendored copy (:mod:`citymap.render.assets`), not a CDN;
* :class:`CitymapLayer` carries the blob and the map script and draws on its parent map.

With ``offline=True`` (default) the page loads nothing from the network except the base
map tiles asked for: folium's default CDN links (Leaflet, jQuery, Bootstrap, Font Awesome,
Leaflet.awesome-markers) are removed. folium's own scripts use jQuery for two things —
``$(html)[0]`` in popups and ``$(document).ready`` — and a few lines stand in for them;
``folium.Icon`` markers (awesome-markers) fall back to Leaflet's default marker. Bootstrap
and Font Awesome are not carried: folium elements that style with them (icons by name) show
plain. Pass ``offline=False`` to keep folium's CDN links.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import Markup

from citymap.render.assets import VENDOR_DIR, app_script, app_style
from citymap.render.map import MapOptions, date_options, dumps_for_script, map_data
from citymap.workspace import Workspace

__all__ = ["explore", "CitymapLayer", "VendoredLeaflet", "JQUERY_SHIM"]

#: What folium's own templates need of jQuery: ``$(html)`` → [element] and
#: ``$(document).ready(f)``; and ``L.AwesomeMarkers.icon`` (folium.Icon) → the default marker.
JQUERY_SHIM = """
if (!window.jQuery && !window.$) {
  window.$ = function (x) {
    if (typeof x === 'string') {
      var t = document.createElement('template'); t.innerHTML = x.trim();
      return Array.prototype.slice.call(t.content.childNodes);
    }
    return { ready: function (f) {
      if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', f); }
      else { f(); }
    } };
  };
}
if (window.L && !L.AwesomeMarkers) {
  L.AwesomeMarkers = { icon: function () { return new L.Icon.Default(); } };
}
"""

_CSS_URL = re.compile(r"url\((['\"]?)images/([\w.-]+\.(?:png|svg))\1\)")


def _leaflet_dir() -> Path:
    return VENDOR_DIR / "leaflet" / "dist"


def _data_uri(path: Path) -> str:
    kind = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _script_text(text: str) -> str:
    # a library's text inside <script>: nothing in it may close the element
    return text.replace("</script", "<\\/script")


def _style_text(text: str) -> str:
    return text.replace("</style", "<\\/style")


class _Raw(Element):
    """A text put into the page as it is (not read as a template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = Markup(text)


class VendoredLeaflet(JSCSSMixin, MacroElement):
    """Leaflet's script, style and marker images inlined from the vendored copy (no CDN),
    with the stand-ins of :data:`JQUERY_SHIM`.

    The files are the package's vendored copy (:data:`citymap.render.assets.VENDOR_DIR`).
    """

    _template = Template("")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "VendoredLeaflet"
        d = _leaflet_dir()
        images = d / "images"
        css = (d / "leaflet.css").read_text(encoding="utf-8")
        css = _CSS_URL.sub(lambda m: f"url({_data_uri(images / m.group(2))})", css)
        js = _script_text((d / "leaflet.js").read_text(encoding="utf-8"))
        icons = {"iconUrl": "marker-icon.png", "iconRetinaUrl": "marker-icon-2x.png",
                 "shadowUrl": "marker-shadow.png"}
        urls = dumps_for_script({k: _data_uri(images / v) for k, v in icons.items()})
        self.header = (f"<style>{_style_text(css)}</style>\n<script>{js}</script>\n"
                       f"<script>L.Icon.Default.imagePath = '';\n"
                       f"L.Icon.Default.mergeOptions({urls});\n{JQUERY_SHIM}</script>")

    def render(self, **kwargs: Any) -> str:
        """Put Leaflet into the page's header (once, under the name ``leaflet``)."""
        cast(Figure, self.get_root()).header.add_child(_Raw(self.header), name="leaflet")
        super().render(**kwargs)  # type: ignore[no-untyped-call]
        return ""


class CitymapLayer(JSCSSMixin, MacroElement):
    """citymap's site layer: the compact blob and the map script, drawn on the parent map.

    The script runs with ``window.citymapEmbed = {map, data}`` (the parent folium map and
    this layer's blob) and exposes ``window.citymap`` as on the built maps.

    Parameters
    ----------
    data
        The map's blob (:func:`citymap.render.map.map_data`).
    """

    _template = Template("")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "CitymapLayer"
        self.blob = data

    def render(self, **kwargs: Any) -> str:
        """Put the style in the header, the blob in the body and the script after the map's.

        The texts go in as they are (:class:`_Raw`): branca would otherwise read the output
        of a macro as a template again, and data may hold ``{{``.
        """
        figure = cast(Figure, self.get_root())
        name = self.get_name()
        parent = self._parent.get_name() if self._parent is not None else "null"
        figure.header.add_child(_Raw(f"<style>{_style_text(app_style())}</style>"),
                                name="citymap_style")
        figure.html.add_child(_Raw(f'<script type="application/json" id="{name}_data">'
                                   f"{dumps_for_script(self.blob)}</script>"), name=name)
        figure.script.add_child(_Raw(
            f"window.citymapEmbed = {{ map: {parent}, data: JSON.parse("
            f"document.getElementById('{name}_data').textContent) }};\n"
            f"{_script_text(app_script())}\nwindow.citymapEmbed = null;\n"), name=name)
        super().render(**kwargs)  # type: ignore[no-untyped-call]
        return ""


def _panels(ws: Workspace, days: Sequence[dt.date], works: frozenset[int] | None) -> list[Any]:
    from citymap.metrics import compute_metrics, pilot_zone_results
    from citymap.render.panel import panel_for, panel_year

    years = ws.plan_years
    return [panel_for(compute_metrics(ws, year=panel_year(d, years), as_of=d), d, works=works,
                      zones=pilot_zone_results(ws, d), years=years) for d in days]


def explore(
    ws: Workspace,
    *,
    as_of: dt.date | str | None = None,
    lang: str | None = None,
    works: Sequence[int] | None = None,
    metrics: bool = False,
    tiles: str | None = "OpenStreetMap",
    offline: bool = True,
    m: folium.Map | None = None,
    today: dt.date | None = None,
    **map_kwds: Any,
) -> folium.Map:
    """The workspace's sites on a :class:`folium.Map`, drawn by citymap's fast layer.

    Parameters
    ----------
    ws
        The loaded workspace.
    as_of
        The date whose statuses are shown first (a date or ``"YYYY-MM-DD"``; default
        today); the map's time axis also offers every month-end of the plan.
    lang
        ``"zh"`` or ``"en"`` (default: the workspace's ``[map] lang``, else zh).
    works
        Show only the sites of these works (default: all, with the context layers).
    metrics
        Compute the metrics panel for every date (slower; default off: the panel says the
        metrics are not computed).
    tiles
        folium's ``tiles`` of a new map (``None``: no base map). The sites draw whether or
        not tiles load.
    offline
        Inline Leaflet from the vendored copy and drop folium's CDN links (see the module
        notes); ``False`` keeps folium's defaults.
    m
        A folium map to draw on (a new one by default), as in ``GeoDataFrame.explore``.
    today
        Today's date (for tests).
    **map_kwds
        Passed to :class:`folium.Map` when a new map is made.

    Returns
    -------
    folium.Map
        Add folium layers to it as usual; ``m.save("x.html")`` or display it in Jupyter.
    """
    from citymap.errors import CitymapError
    from citymap.i18n import _

    lang = lang or getattr(ws.config, "lang", None) or "zh"
    if lang not in ("zh", "en"):
        raise CitymapError(_("unknown language {lang!r}; use zh or en").format(lang=lang))
    today = today or dt.date.today()
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise CitymapError(_("as_of={value!r} is not a date: use YYYY-MM-DD").format(
                value=as_of)) from None
    first, last = ws.plan_years
    dates, selected = date_options(as_of, today, lang, range(first, last + 1), months=True)
    chosen = frozenset(int(w) for w in works) if works is not None else None
    options = MapOptions(lang=lang, subtitle="", works=chosen,
                         include_context=chosen is None, dates=dates, selected=selected,
                         basemap="none")
    panels = _panels(ws, [o.date for o in dates], chosen) if metrics else []
    data = map_data(ws, options, panels)
    if m is None:
        (s, w), (n, e) = data["bounds"]
        map_kwds.setdefault("prefer_canvas", True)
        m = folium.Map(location=[(s + n) / 2, (w + e) / 2], tiles=tiles, **map_kwds)
        m.fit_bounds([[s, w], [n, e]])
    if offline:
        m.default_js = []
        m.default_css = []
        VendoredLeaflet().add_to(m)
    CitymapLayer(data).add_to(m)
    return m
