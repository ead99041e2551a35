"""The annual report (每年通报, 三年总评): one self-contained, printable HTML file.

A chart per metric (planned vs done by year), the target table, the pilot-zone table with
a static map of each zone, and the health-check indicators. Charts and maps are drawn with
matplotlib (Agg) and inlined as PNG data URIs: the file needs nothing else. Every text from
the records is escaped by Jinja2's autoescape. Schematic data carries a 示意 notice.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import numpy as np

from citymap.crs import MEASURE_CRS, to_measure
from citymap.io.atomic import write_text
from citymap.metrics import MetricsResult, ZoneResult, compute_metrics
from citymap.metrics.zones import ZONE_LAYER
from citymap.workspace import Workspace

__all__ = ["render_report", "write_report", "chart_uri", "zone_map_uri"]

VERDICT_ZH = {"met": "达标", "on track": "按进度", "in progress": "推进中", "behind": "滞后",
              "not measurable": "无法测算", "no data": "无数据", "not met": "未达标"}
STATUS_COLORS = {"已完成": "#009E73", "进行中": "#0072B2", "滞后": "#D55E00", "未开始": "#999999"}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams["font.sans-serif"] = ["Noto Sans CJK SC", "Noto Serif CJK SC",
                                       "WenQuanYi Zen Hei", "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png_uri(fig: Any) -> str:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing CJK glyphs on machines without the fonts
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def chart_uri(series: dict[str, Any]) -> str:
    """A bar chart (target vs done vs planned by year) of one metric, as a PNG data URI."""
    plt = _plt()
    pts = series["points"]
    labels = [f"{p['year']}" if p["start_year"] == p["year"] else
              f"{p['start_year']}–{p['year']}" for p in pts]
    x = np.arange(len(pts))
    fig, ax = plt.subplots(figsize=(6.0, 2.4))
    tv = [p["target"] for p in pts]
    av = [p["actual"] if p["actual"] is not None else 0.0 for p in pts]
    pv = [p["planned"] if p["planned"] is not None else 0.0 for p in pts]
    ax.bar(x - 0.27, tv, 0.26, label="target 目标", color="#bbbbbb")
    ax.bar(x, pv, 0.26, label="planned 计划", color="#56B4E9")
    ax.bar(x + 0.27, av, 0.26, label="done 完成", color="#009E73")
    ax.set_xticks(x, labels)
    ax.set_ylabel(series["unit"])
    ax.set_title(f"{series['en']}  {series['zh']}", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png_uri(fig)


def zone_map_uri(zone: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *,
                 crs: str = MEASURE_CRS) -> str:
    """A static map of one zone with its sites coloured by status, as a PNG data URI."""
    plt = _plt()
    zm = to_measure(zone, crs)
    fig, ax = plt.subplots(figsize=(5.0, 4.0))
    zm.boundary.plot(ax=ax, color="#000000", linewidth=1.5)
    if len(sites):
        sm = to_measure(sites, crs)
        geom = zm.geometry.iloc[0]
        sm = sm[sm.intersects(geom)]
        for st, color in STATUS_COLORS.items():
            part = sm[sm["status"] == st]
            if len(part):
                part.clip(geom).plot(ax=ax, color=color, alpha=0.6, markersize=12,
                                     linewidth=1.5)
    xmin, ymin, xmax, ymax = zm.total_bounds
    pad = 0.05 * max(xmax - xmin, ymax - ymin, 1.0)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    handles = [plt.Line2D([], [], color=c, lw=6, alpha=0.6) for c in STATUS_COLORS.values()]
    ax.legend(handles, ["done", "in progress", "behind", "not started"], fontsize=7,
              loc="lower right")
    ax.set_title("EPSG:4548", fontsize=7)
    return _png_uri(fig)


def _n(x: float | None, digits: int = 4) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def _zone_rows(result: MetricsResult, ws: Workspace | None, maps: bool) -> list[dict[str, Any]]:
    rows = []
    sites = None
    if ws is not None and maps:
        s = ws.sites()
        s = s[s["layer"] != ZONE_LAYER] if len(s) else s
        if len(s):
            s = s.assign(status=ws.history.status_on(s, result.as_of)["status"].to_numpy())
        sites = s
    z: ZoneResult
    for z in result.zones:
        uri = ""
        if ws is not None and maps and ZONE_LAYER in ws.data:
            zg = ws.data[ZONE_LAYER]
            one = zg[zg["id"].astype(str) == z.id]
            if len(one):
                uri = zone_map_uri(one, sites if sites is not None else one.iloc[:0],
                                   crs=ws.config.measure_crs)
        rows.append({
            "id": z.id, "name": z.name, "year": z.year, "area": f"{z.area_km2:.3f}",
            "below_min": z.below_min, "min": f"{z.min_km2:g}",
            "covered": f"{z.covered_share:.1f}",
            "done": f"{z.by_status.get('已完成', {}).get('share', 0.0):.1f}",
            "lines": f"{sum(v['km'] for v in z.lines.values()):.2f}",
            "points": sum(v["count"] for v in z.points.values()),
            "themes": [(k, f"{v['share']:.1f}") for k, v in z.by_theme.items()], "map": uri})
    return rows


def render_report(result: MetricsResult, *, ws: Workspace | None = None, maps: bool = True,
                  title: str | None = None) -> str:
    """The report as one self-contained HTML text.

    Parameters
    ----------
    result
        The metrics to report.
    ws
        The workspace, for the zone maps (without it the maps are left out).
    maps
        Draw a map of each zone.
    title
        The title (default: the workspace name and 年度通报).
    """
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    text = resources.files("citymap").joinpath("data/report.html.j2").read_text("utf-8")
    tpl = env.from_string(text)
    targets = [{
        "id": t.id, "name": t.name,
        "years": str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}",
        "comparison": t.comparison, "target": f"{t.target:g}",
        "actual": (_n(t.actual) if t.actual is not None else
                   f"({t.recorded_status or '—'})"),
        "unit": t.unit, "verdict": f"{VERDICT_ZH.get(t.verdict, t.verdict)} {t.verdict}",
        "css": t.verdict.replace(" ", "-"), "site_ids": ", ".join(t.site_ids)}
        for t in result.targets]
    charts = [{"uri": chart_uri(s), "alt": f"{s['metric']}",
               "caption": f"{s['zh']} ({s['unit']})"}
              for s in result.series() if any(p["actual"] is not None for p in s["points"])]
    indicators = [{
        "name": i.name, "scope": i.scope, "value": _n(i.value), "unit": i.unit,
        "comparison": i.comparison, "standard": f"{i.standard:g}",
        "verdict": f"{VERDICT_ZH.get(i.verdict, i.verdict)} {i.verdict}",
        "css": i.verdict.replace(" ", "-"), "responsible": i.responsible, "note": i.note}
        for i in result.indicators]
    return tpl.render(
        lang="zh", title=title or f"{result.workspace} {result.year or ''} 年度通报".replace(
            "  ", " "),
        workspace=result.workspace, county=result.county, as_of=result.as_of.isoformat(),
        year=result.year, schematic=result.schematic, targets=targets, charts=charts,
        zones=_zone_rows(result, ws, maps), indicators=indicators, version=result.version)


def write_report(ws: Workspace, path: str | os.PathLike[str], *, year: int | None = None,
                 as_of: dt.date | None = None, maps: bool = True) -> Path:
    """Compute the metrics and write the report to ``path`` atomically."""
    result = compute_metrics(ws, year=year, as_of=as_of)
    path = Path(path)
    write_text(path, render_report(result, ws=ws, maps=maps))
    return path
