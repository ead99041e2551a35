"""A GeoPackage that opens finished in QGIS: styles, titles, aliases and metadata.

:func:`qml_style` is a QGIS style (QML) for one layer as the map draws it: sites
categorised by ``status`` with the map's colours (Okabe-Ito), line dashes and point
shapes, so that status is not told by colour alone; context layers in the map's grey.
:func:`finish_geopackage` writes, into a GeoPackage GDAL has written, the ``layer_styles``
table QGIS reads (one default style per layer) and the field aliases (GeoPackage schema
extension, ``gpkg_data_columns``; GDAL reads them as alternative names). Layer titles and
the measuring method travel as layer options and metadata (``gpkg_contents`` and GDAL's
metadata), written with the layer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from citymap.i18n import tr
from citymap.render.map import CONTEXT_COLOR, _layer_style
from citymap.render.popup import COMMON_LABELS
from citymap.vocab import SITE_STATUSES, STATUS_DASHES, STATUS_EN, STATUS_SHAPES

if TYPE_CHECKING:
    from citymap.layers import LayerSpec

__all__ = ["EXTRA_LABELS", "field_aliases", "qml_style", "finish_geopackage"]

#: Labels of the columns an export adds.
EXTRA_LABELS: dict[str, tuple[str, str]] = {
    "work_name": ("工程名称", "Work"),
    "action": ("行动", "Action"),
    "action_name": ("行动名称", "Action name"),
    "lead_units": ("牵头单位", "Lead units"),
    "area_m2": ("面积（平方米）", "Area (m²)"),
    "length_m": ("长度（米）", "Length (m)"),
}
_PX_MM = 0.26  # one screen pixel of the web map, in millimetres of a QGIS symbol


def field_aliases(spec: LayerSpec, columns: Sequence[str], lang: str = "zh") -> dict[str, str]:
    """Column → its label (Chinese by default), unique within the layer."""
    k = 0 if lang == "zh" else 1
    out: dict[str, str] = {}
    for c in columns:
        if c in spec.fields:
            fs = spec.fields[c]
            label = (fs.zh if lang == "zh" else fs.en) or c
        elif c in COMMON_LABELS:
            label = tr(COMMON_LABELS[c], lang)
        elif c in EXTRA_LABELS:
            label = EXTRA_LABELS[c][k]
        else:
            label = c
        while label in out.values():
            label += f" ({c})"
        out[c] = label
    return out


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _options(props: Mapping[str, str]) -> str:
    """Symbol-layer properties in both forms QGIS 3 reads (Option map and prop list)."""
    opts = "".join(f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>'
                   for k, v in props.items())
    legacy = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return f'<Option type="Map">{opts}</Option>{legacy}'


def _symbol(geometry: str, name: str, color: str, *, weight: float, fill_opacity: float,
            opacity: float, dash: str | None, shape: str, radius: float) -> str:
    width = f"{weight * _PX_MM:.2f}"
    if geometry == "Polygon":
        kind, cls = "fill", "SimpleFill"
        props = {"color": _rgba(color, fill_opacity), "style": "solid",
                 "outline_color": _rgba(color, opacity), "outline_width": width,
                 "outline_width_unit": "MM",
                 "outline_style": "solid" if dash is None else "dash"}
    elif geometry == "LineString":
        kind, cls = "line", "SimpleLine"
        props = {"line_color": _rgba(color, opacity), "line_width": width,
                 "line_width_unit": "MM", "line_style": "solid", "capstyle": "round",
                 "use_custom_dash": "0" if dash is None else "1",
                 "customdash": (dash or "5 2").replace(" ", ";"),
                 "customdash_unit": "Pixel"}
    else:
        kind, cls = "marker", "SimpleMarker"
        props = {"name": shape, "color": _rgba(color, fill_opacity),
                 "outline_color": _rgba("#000000", opacity), "outline_width": "0.2",
                 "outline_width_unit": "MM", "size": f"{2 * radius * _PX_MM:.2f}",
                 "size_unit": "MM"}
    return (f'<symbol type="{kind}" name={quoteattr(name)} alpha="1" clip_to_extent="1" '
            f'force_rhr="0"><layer class="{cls}" enabled="1" locked="0" pass="0">'
            f"{_options(props)}</layer></symbol>")


def qml_style(spec: LayerSpec, columns: Sequence[str], lang: str = "zh") -> str:
    """The QGIS style (QML) of one exported layer: the map's colours, dashes and shapes."""
    st = _layer_style(spec, "sites" if spec.is_sites else "context")
    common = {"weight": st["weight"], "fill_opacity": st["fillOpacity"],
              "opacity": st["opacity"], "radius": st["radius"]}
    if spec.is_sites:
        cats, syms = [], []
        for k, (status, color) in enumerate(zip(SITE_STATUSES, st["colors"], strict=True)):
            label = status if lang == "zh" else STATUS_EN.get(status, status)
            cats.append(f'<category symbol="{k}" value={quoteattr(status)} '
                        f'label={quoteattr(label)} render="true"/>')
            syms.append(_symbol(spec.geometry, str(k), color, dash=STATUS_DASHES[status],
                                shape=STATUS_SHAPES[status], **common))
        renderer = (f'<renderer-v2 type="categorizedSymbol" attr="status" symbollevels="0" '
                    f'enableorderby="0" forceraster="0"><categories>{"".join(cats)}'
                    f'</categories><symbols>{"".join(syms)}</symbols></renderer-v2>')
    else:
        sym = _symbol(spec.geometry, "0", str(st.get("color", CONTEXT_COLOR)), dash=None,
                      shape="circle", **common)
        renderer = (f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
                    f'forceraster="0"><symbols>{sym}</symbols></renderer-v2>')
    aliases = "".join(f'<alias field={quoteattr(c)} index="{i}" name={quoteattr(a)}/>'
                      for i, (c, a) in enumerate(field_aliases(spec, columns, lang).items()))
    gtype = {"Point": 0, "LineString": 1, "Polygon": 2}[spec.geometry]
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.28.0" styleCategories="Symbology|Fields">'
            f"{renderer}<aliases>{aliases}</aliases>"
            f"<layerGeometryType>{gtype}</layerGeometryType></qgis>\n")


_LAYER_STYLES = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"""
_DATA_COLUMNS = """CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
  description TEXT, mime_type TEXT, constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name))"""
_EXTENSIONS = """CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"""


def finish_geopackage(path: Path, layers: Mapping[str, tuple[LayerSpec, Sequence[str]]],
                      *, lang: str = "zh") -> None:
    """Add QGIS styles and field aliases to the GeoPackage ``path`` (GDAL wrote it).

    Parameters
    ----------
    path
        The GeoPackage (a temporary file of the atomic write).
    layers
        Table name → (its layer definition, its attribute columns).
    lang
        Language of the aliases and category labels.
    """
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(_LAYER_STYLES)
            con.execute(_DATA_COLUMNS)
            con.execute(_EXTENSIONS)
            con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, "
                        "identifier, last_change) VALUES ('layer_styles', 'attributes', "
                        "'layer_styles', ?)", (now,))
            con.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES ('gpkg_data_columns', "
                        "NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_"
                        "schema', 'read-write')")
            for table, (spec, columns) in layers.items():
                con.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, "
                            "f_table_name, f_geometry_column, styleName, styleQML, styleSLD, "
                            "useAsDefault, description, owner, ui) VALUES ('', '', ?, 'geom', "
                            "?, ?, '', 1, ?, '', '')",
                            (table, spec.title(lang), qml_style(spec, columns, lang),
                             "citymap"))
                for col, alias in field_aliases(spec, columns, lang).items():
                    con.execute("INSERT OR REPLACE INTO gpkg_data_columns (table_name, "
                                "column_name, name, title) VALUES (?, ?, ?, ?)",
                                (table, col, alias, alias))
    finally:
        con.close()
