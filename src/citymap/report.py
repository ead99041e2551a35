"""The annual report (每年通报, 三年总评): one self-contained, printable HTML file.

A summary of the verdicts, the target table, a chart per metric (target, planned and done
by year, small multiples), the pilot-zone table with a static map of each zone, and the
health-check indicators. Charts and maps are drawn with matplotlib (Agg) and inlined as PNG
data URIs: the file needs nothing else and prints to A4 portrait from the browser. Every
text from the records is escaped by Jinja2's autoescape. Schematic data carries a 示意
notice.

With a year the report is that year's 通报: its targets, and the charts show every year of
their metrics up to the report date. Without a year it is the overview (总评, 三年总评 for a
three-year plan) of every target of the plan's period (``Plan.years``).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import os
import textwrap
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np

from citymap.crs import MEASURE_CRS, to_measure
from citymap.fonts import cjk_font
from citymap.io.atomic import write_text
from citymap.layers import layer_for
from citymap.metrics import MetricsResult, TargetResult, ZoneResult, compute_metrics, plan_total
from citymap.metrics.targets import evaluate_target
from citymap.templating import render_template
from citymap.vocab import (
    DONE,
    METRICS,
    PLAN_YEARS,
    STATUS_COLORS,
    VERDICT_COLORS,
    VERDICT_ZH,
    VERDICTS,
)
from citymap.workspace import Workspace

if TYPE_CHECKING:
    from citymap.attachments import Attachments

__all__ = [
    "render_report",
    "write_report",
    "chart_uri",
    "zone_map_uri",
    "yearly_series",
    "verdict_counts",
    "scale_bar_length",
]

#: Bar colours of the charts: target, planned, done.
BAR_COLORS = ("#c8c8c8", "#8cc4e8", "#009E73")
#: Verdicts always shown in the summary box (``no data`` only when some target has it).
SUMMARY_VERDICTS = ("met", "on track", "in progress", "behind", "not measurable")
CHART_SIZE = (2.45, 2.05)  # inches: three charts side by side on A4 portrait
CHART_DPI = 200
MAP_WIDTH = 7.0  # inches: the zone maps span the A4 text width
MAP_DPI = 170
MAP_MAX_HEIGHT = 4.2  # inches: two zones fit on one A4 page


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    font = cjk_font()  # a font that really has the glyphs, or a clear FontError
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [font.name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png_uri(fig: Any, dpi: int) -> str:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing CJK glyphs on machines without the fonts
        fig.savefig(buf, format="png", dpi=dpi)
    _plt().close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _fmt(v: float) -> str:
    """A bar label: three significant figures at most, no trailing zeros."""
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:.0f}"
    digits = 1 if abs(v) >= 10 else 2
    return f"{v:.{digits}f}".rstrip("0").rstrip(".")


def _year_label(p: dict[str, Any]) -> str:
    label = (str(p["year"]) if p["start_year"] == p["year"]
             else f"{p['start_year']}–{str(p['year'])[2:]}")
    return label + ("*" if p.get("partial") else "")


def chart_uri(series: dict[str, Any]) -> str:
    """A bar chart of one metric: target, planned and done for each year, as a PNG data URI.

    Parameters
    ----------
    series
        ``{zh, unit, points}``; each point has ``year``, ``start_year``, ``target``,
        ``planned``, ``actual`` (None: not measured), ``verdict`` and optionally ``partial``
        (True when done is counted on the report date, before the deadline).

    Returns
    -------
    str
        ``data:image/png;base64,…``; every chart has the same size.
    """
    plt = _plt()
    pts = series["points"]
    x = np.arange(len(pts), dtype=float)
    fig, ax = plt.subplots(figsize=CHART_SIZE)
    fig.subplots_adjust(left=0.14, right=0.99, top=0.85, bottom=0.31)
    w = 0.27
    values = [[p["target"] for p in pts],
              [p["planned"] for p in pts],
              [p["actual"] for p in pts]]
    labels = ("目标", "计划", "完成")
    top = max([abs(v) for vs in values for v in vs if v is not None] + [1.0])
    for k, (vs, color, label) in enumerate(zip(values, BAR_COLORS, labels, strict=True)):
        xs = x + (k - 1) * w
        hv = [v if v is not None else 0.0 for v in vs]
        ax.bar(xs, hv, w * 0.95, color=color, label=label, edgecolor="#666666", linewidth=0.3)
        for xi, v in zip(xs, vs, strict=True):
            ax.text(xi, (v or 0.0) + top * 0.02, "—" if v is None else _fmt(v), ha="center",
                    va="bottom", fontsize=5.5, color="#333333")
    ax.set_ylim(0, top * 1.16)
    if all(float(v).is_integer() for vs in values for v in vs if v is not None):
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_xlim(-0.6, len(pts) - 0.4)
    ax.set_xticks(x, [_year_label(p) for p in pts], fontsize=7)
    ax.tick_params(axis="y", labelsize=6.5, length=2, pad=1)
    ax.tick_params(axis="x", length=0, pad=2)
    # the verdict of each year, worded and coloured, under its year
    for xi, p in zip(x, pts, strict=True):
        v = p["verdict"]
        ax.annotate(VERDICT_ZH.get(v, v), xy=(xi, 0.0), xycoords=("data", "axes fraction"),
                    xytext=(0, -13), textcoords="offset points", ha="center", va="top",
                    fontsize=7, color=VERDICT_COLORS.get(v, "#333333"), fontweight="bold")
    title = "\n".join(textwrap.wrap(f"{series['zh']} ({series['unit']})", 17)[:2])
    ax.set_title(title, fontsize=8, pad=3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.5)
    ax.set_axisbelow(True)
    fig.legend(loc="lower center", ncol=3, fontsize=6.5, frameon=False,
               bbox_to_anchor=(0.55, -0.01), handlelength=1.0, handletextpad=0.4,
               columnspacing=0.9)
    return _png_uri(fig, CHART_DPI)


def scale_bar_length(span_m: float) -> float:
    """A round scale-bar length (1, 2, 2.5 or 5 × 10ⁿ m) of about a fifth of ``span_m``."""
    if span_m <= 0 or not math.isfinite(span_m):
        return 1.0
    target = span_m / 5.0
    mag = float(10.0 ** math.floor(math.log10(target)))
    best = mag
    for f in (1.0, 2.0, 2.5, 5.0, 10.0):
        if f * mag <= target:
            best = f * mag
    return best


def _scale_bar(ax: Any, xmin: float, ymin: float, xmax: float, ymax: float) -> None:
    from matplotlib.patches import Rectangle

    length = scale_bar_length(xmax - xmin)
    h = (ymax - ymin) * 0.018
    x0 = xmin + (xmax - xmin) * 0.03
    y0 = ymin + (ymax - ymin) * 0.05
    half = length / 2
    ax.add_patch(Rectangle((x0 - (xmax - xmin) * 0.01, y0 - h * 1.2),
                           length + (xmax - xmin) * 0.07, h * 4.6, facecolor="white",
                           edgecolor="none", alpha=0.8, zorder=9))
    for i, fc in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, h, facecolor=fc, edgecolor="black",
                               linewidth=0.6, zorder=10))
    unit = (f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m")
    for xv, text in ((x0, "0"), (x0 + half, ""), (x0 + length, unit)):
        if text:
            ax.text(xv, y0 + h * 1.4, text, ha="center", va="bottom", fontsize=7, zorder=10)


def _north_arrow(ax: Any) -> None:
    ax.annotate("", xy=(0.965, 0.96), xycoords="axes fraction", xytext=(0, -28),
                textcoords="offset points",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2}, zorder=10)
    ax.annotate("N 北", xy=(0.965, 0.96), xycoords="axes fraction", xytext=(0, -31),
                textcoords="offset points", ha="center", va="top", fontsize=7, zorder=10,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def zone_map_uri(zone: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *,
                 crs: str = MEASURE_CRS) -> str:
    """A static map of one zone with its sites coloured by status, as a PNG data URI.

    North-up in the measuring CRS, with the zone outline, the site footprints (lines and
    points too) clipped to the zone and coloured by status, a scale bar, a north arrow and
    a legend under the map with the number of sites per status.

    Parameters
    ----------
    zone
        One pilot zone (polygon, any CRS).
    sites
        Sites with a ``status`` column (any CRS); those outside the zone are left out.
    crs
        The measuring CRS (metres).

    Returns
    -------
    str
        ``data:image/png;base64,…``
    """
    plt = _plt()
    zm = to_measure(zone, crs)
    xmin, ymin, xmax, ymax = (float(v) for v in zm.total_bounds)
    pad = 0.06 * max(xmax - xmin, ymax - ymin, 1.0)
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    ratio = (ymax - ymin) / max(xmax - xmin, 1.0)
    width = MAP_WIDTH
    height = min(max(width * ratio, 2.4), MAP_MAX_HEIGHT)
    legend_h = 0.42
    fig = plt.figure(figsize=(width, height + legend_h))
    ax = fig.add_axes((0.002, legend_h / (height + legend_h), 0.996,
                       height / (height + legend_h) - 0.004))
    # widen the bounds to the axes' proportions so that the map fills them, equal scale
    want = height / width
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    if (ymax - ymin) / (xmax - xmin) < want:
        half = (xmax - xmin) * want / 2
        ymin, ymax = cy - half, cy + half
    else:
        half = (ymax - ymin) / want / 2
        xmin, xmax = cx - half, cx + half
    zm.plot(ax=ax, facecolor="#f6f6f0", edgecolor="none", zorder=0)
    counts: dict[str, int] = {}
    if len(sites):
        sm = to_measure(sites, crs)
        geom = zm.geometry.iloc[0]
        sm = sm[sm.intersects(geom)]
        kinds = sm.geometry.geom_type.str.replace("Multi", "", regex=False)
        for order, kind in enumerate(("Polygon", "LineString", "Point")):
            for st, color in STATUS_COLORS.items():
                part = sm[(sm["status"] == st) & (kinds == kind)]
                if not len(part):
                    continue
                counts[st] = counts.get(st, 0) + len(part)
                clipped = part.clip(geom)
                if kind == "Polygon":
                    clipped.plot(ax=ax, facecolor=color, alpha=0.55, edgecolor=color,
                                 linewidth=0.5, zorder=1 + order)
                elif kind == "LineString":
                    clipped.plot(ax=ax, color=color, linewidth=2.0, zorder=1 + order)
                else:
                    clipped.plot(ax=ax, color=color, markersize=14, edgecolor="white",
                                 linewidth=0.4, zorder=1 + order)
    zm.boundary.plot(ax=ax, color="#000000", linewidth=1.4, zorder=5)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_linewidth(0.6)
        s.set_color("#888888")
    _scale_bar(ax, xmin, ymin, xmax, ymax)
    _north_arrow(ax)
    handles = [plt.Line2D([], [], color="black", lw=1.4)]
    names = ["片区边界"]
    for st, color in STATUS_COLORS.items():
        handles.append(plt.Line2D([], [], color=color, lw=7, alpha=0.6))
        names.append(f"{st} ({counts.get(st, 0)})")
    fig.legend(handles, names, loc="center", ncol=len(names), fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, legend_h / (height + legend_h) / 2))
    return _png_uri(fig, MAP_DPI)


def _point(t: TargetResult, as_of: dt.date, later: TargetResult | None = None
           ) -> dict[str, Any]:
    return {"id": t.id, "year": t.year, "start_year": t.start_year, "target": t.target,
            "actual": t.actual, "planned": t.planned, "verdict": t.verdict,
            "as_of": as_of.isoformat(), "partial": as_of < t.deadline,
            "late": dict(later.late) if later is not None else {}}


def _late_text(p: dict[str, Any]) -> str:
    """``16.2: 2 个逾期完成 (2022 年)`` — late, done in 2022 — or ``""``."""
    if not p["late"]:
        return ""
    years = sorted({d[:4] for d in p["late"].values()})
    return (f"{p['id']}: {len(p['late'])} 个逾期完成 ({'、'.join(years)} 年) "
            f"late, done in {', '.join(years)}")


def yearly_series(result: MetricsResult, ws: Workspace | None = None) -> list[dict[str, Any]]:
    """Target, planned and done by year of every metric of the report.

    For each metric among ``result.targets``, every target of that metric in the register
    whose first year is not after the report date, done counted by its deadline (31
    December) or by the report date when that is earlier (the point is then ``partial``).
    Without ``ws`` the points are those of ``result`` itself.

    Parameters
    ----------
    result
        The metrics of the report.
    ws
        The workspace, to compute the other years of each metric.

    Returns
    -------
    list of dict
        ``{metric, zh, en, unit, points, measurable}`` in the order of the targets.
    """
    metrics: dict[str, list[TargetResult]] = {}
    for t in result.targets:
        metrics.setdefault(t.metric, [])
    known = {t.id: t for t in result.targets}
    later: dict[str, TargetResult] = {}  # on the report date, after the deadline: late sites
    if ws is None:
        for t in result.targets:
            metrics[t.metric].append(t)
    else:
        for rt in ws.register.targets:
            if rt.metric not in metrics or rt.start_year > result.as_of.year:
                continue
            on = min(result.as_of, rt.deadline)
            have = known.get(rt.id)
            metrics[rt.metric].append(have if have is not None and have.as_of == on
                                      else evaluate_target(ws, rt, on))
            if result.as_of > rt.deadline:
                later[rt.id] = (have if have is not None and have.as_of == result.as_of
                                else evaluate_target(ws, rt, result.as_of))
    out = []
    for key, ts in metrics.items():
        ts = sorted(ts, key=lambda t: (t.year, t.start_year, t.id))
        m = METRICS.get(key)
        out.append({
            "metric": key, "zh": m.zh if m else key, "en": m.en if m else "",
            "unit": ts[0].unit if ts else "",
            "points": [_point(t, min(result.as_of, t.deadline), later.get(t.id)) for t in ts],
            "measurable": any(t.actual is not None for t in ts),
            "total": plan_total([later.get(t.id, t) for t in ts])})
    return out


def _total_text(total: dict[str, Any] | None, unit: str) -> str:
    """``三年合计 目标 85 完成 85 (当年完成 83) 个`` — the plan total — or ``""``."""
    if total is None:
        return ""
    y0, y1 = total["years"]
    return (f"{y0}–{y1} 合计 total: 目标 {_n(total['target'])} 完成 {_n(total['actual'])} "
            f"{unit} (当年完成 in its year {_n(total['by_deadline'])})")


def verdict_counts(result: MetricsResult) -> dict[str, int]:
    """How many targets of ``result`` have each verdict (every verdict, in order)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for t in result.targets:
        counts[t.verdict] = counts.get(t.verdict, 0) + 1
    return counts


def _n(x: float | None, digits: int = 4) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def _zone_rows(result: MetricsResult, ws: Workspace | None, maps: bool) -> list[dict[str, Any]]:
    rows = []
    sites = None
    zone_layer = layer_for(ws.layers, "pilot_zones") if ws is not None else None
    if ws is not None and maps:
        s = ws.sites()
        s = s[s["layer"] != zone_layer] if len(s) else s
        if len(s):
            now = ws.status_as_of(result.as_of).sites
            s = s.assign(status=now.loc[now["layer"] != zone_layer, "status"].to_numpy())
        sites = s
    z: ZoneResult
    for z in result.zones:
        uri = ""
        if ws is not None and maps and zone_layer is not None and zone_layer in ws.data:
            zg = ws.data[zone_layer]
            one = zg[zg["id"].astype(str) == z.id]
            if len(one):
                uri = zone_map_uri(one, sites if sites is not None else one.iloc[:0],
                                   crs=ws.config.measure_crs)
        rows.append({
            "id": z.id, "name": z.name, "year": z.year, "area": f"{z.area_km2:.3f}",
            "below_min": z.below_min, "min": f"{z.min_km2:g}",
            "same_year": "、".join(z.same_year),
            "covered": f"{z.covered_share:.1f}",
            "done": f"{z.by_status.get(DONE, {}).get('share', 0.0):.1f}",
            "lines": f"{sum(v['km'] for v in z.lines.values()):.2f}",
            "points": sum(v["count"] for v in z.points.values()),
            "n_sites": len(z.site_ids),
            "themes": [(k, f"{v['share']:.1f}") for k, v in z.by_theme.items()], "map": uri})
    return rows


def _target_row(t: TargetResult) -> dict[str, Any]:
    if t.actual is not None:
        actual = _n(t.actual)
    elif t.verdict == "not measurable":
        actual = f"记录: {t.recorded_status or '—'}" + (
            f" {t.recorded_percent:g}%" if t.recorded_percent is not None else "")
    else:
        actual = "—"
    late = t.verdict == "met" and t.met_by_deadline is False
    return {
        "id": t.id, "name": t.name,
        "years": str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}",
        "comparison": "≥" if t.comparison == ">=" else t.comparison,
        "target": f"{t.target:g}", "actual": actual,
        "planned": _n(t.planned) if t.planned is not None else "—",
        "unit": t.unit, "verdict": VERDICT_ZH.get(t.verdict, t.verdict),
        "verdict_en": t.verdict, "late": late, "css": t.verdict.replace(" ", "-"),
        "site_ids": list(t.site_ids), "counted_ids": list(t.counted_ids)}


def _pictures(result: MetricsResult, ws: Workspace | None,
              attachments: Attachments | None = None) -> list[dict[str, str]]:
    """One picture per site the report lists (the targets' sites), from the workspace's
    photos (in ``attachments``, default the folder store beside it) dated on or before the
    report date (:func:`citymap.photos.report_pictures`).
    """
    if ws is None:
        return []
    from citymap.attachments import open_attachments
    from citymap.photos import report_pictures

    ids = [s for t in result.targets for s in t.site_ids]
    if not ids:
        return []
    sites = ws.sites()
    names = dict(zip(sites["id"].astype(str), sites["name"].fillna("").astype(str),
                     strict=True)) if len(sites) else {}
    store = attachments if attachments is not None else open_attachments(ws.root)
    return report_pictures(store, ids, as_of=result.as_of, names=names)


def _overview_name(years: tuple[int, int]) -> str:
    """What the overview of a plan of ``years`` is called: ``三年总评`` for 2020–2022."""
    n = years[1] - years[0] + 1
    return f"{'一二三四五六七八九十'[n - 1] if 1 <= n <= 10 else n}年总评"


def _report_years(result: MetricsResult, ws: Workspace | None) -> tuple[int, int]:
    """The plan's years: the workspace's (:attr:`Workspace.plan_years`); without it, the
    years the result's targets span.
    """
    if ws is not None:
        return ws.plan_years
    if not result.targets:
        return PLAN_YEARS
    return (min(t.start_year for t in result.targets), max(t.year for t in result.targets))


def _title(result: MetricsResult, title: str | None, month: dict[str, Any] | None,
           years: tuple[int, int]) -> str:
    if title:
        return title
    if month is not None:
        return f"{result.workspace} {month['label']} 月度通报"
    if result.year is not None:
        return f"{result.workspace} {result.year} 年度通报"
    return f"{result.workspace} {years[0]}–{years[1]} {_overview_name(years)}"


def render_report(result: MetricsResult, *, ws: Workspace | None = None, maps: bool = True,
                  title: str | None = None, month: dict[str, Any] | None = None,
                  attachments: Attachments | None = None) -> str:
    """The report as one self-contained HTML text.

    Parameters
    ----------
    result
        The metrics to report (``result.year`` None: the overview of the plan's years).
    ws
        The workspace, for the other years of each chart and the zone maps (without it the
        charts show the targets of ``result`` only and the maps are left out).
    maps
        Draw a map of each zone.
    title
        The title (default: the workspace name and 年度通报, or the plan's years and 总评).
    month
        The month's sections (:func:`citymap.monthly.month_context`): the monthly 通报.
    attachments
        The photos (default: the folder store beside ``ws``).

    Returns
    -------
    str
        The HTML document.
    """
    series = yearly_series(result, ws)
    charts = []
    for s in series:
        if not s["measurable"]:
            continue
        years = [_year_label(p) for p in s["points"]]
        charts.append({
            "uri": chart_uri(s), "metric": s["metric"], "years": " ".join(years),
            "alt": f"{s['zh']} ({s['unit']}): " + "; ".join(
                f"{y} 目标 {_n(p['target'])} 计划 {_n(p['planned'])} 完成 {_n(p['actual'])} "
                f"{VERDICT_ZH.get(p['verdict'], p['verdict'])}"
                for y, p in zip(years, s["points"], strict=True)),
            "ids": " · ".join(p["id"] for p in s["points"]),
            "late": " · ".join(x for x in map(_late_text, s["points"]) if x),
            "total": _total_text(s["total"], s["unit"])})
    unmeasured = [{"zh": s["zh"], "ids": " · ".join(p["id"] for p in s["points"])}
                  for s in series if not s["measurable"]]
    counts = verdict_counts(result)
    summary = [{"key": v, "css": v.replace(" ", "-"), "zh": VERDICT_ZH[v], "n": counts[v]}
               for v in SUMMARY_VERDICTS]
    summary += [{"key": v, "css": v.replace(" ", "-"), "zh": VERDICT_ZH[v], "n": n}
                for v, n in counts.items() if v not in SUMMARY_VERDICTS and n]
    indicators = [{
        "name": i.name, "scope": i.scope, "value": _n(i.value), "unit": i.unit,
        "comparison": "≥" if i.comparison == ">=" else i.comparison,
        "standard": f"{i.standard:g}", "verdict": VERDICT_ZH.get(i.verdict, i.verdict),
        "verdict_en": i.verdict, "css": i.verdict.replace(" ", "-"),
        "responsible": i.responsible, "note": i.note}
        for i in result.indicators]
    any_partial = any(p["partial"] for s in series for p in s["points"])
    period = _report_years(result, ws)
    return render_template(
        "data/report.html.j2", lang="zh", title=_title(result, title, month, period), month=month,
        workspace=result.workspace,
        county=result.county, as_of=result.as_of.isoformat(), year=result.year,
        plan_years=f"{period[0]}–{period[1]}", overview=_overview_name(period),
        schematic=result.schematic,
        summary=summary, n_targets=len(result.targets),
        n_late=sum(1 for t in result.targets if t.verdict == "met"
                   and t.met_by_deadline is False),
        targets=[_target_row(t) for t in result.targets], charts=charts,
        unmeasured=unmeasured, any_partial=any_partial,
        zones=_zone_rows(result, ws, maps), indicators=indicators,
        pictures=_pictures(result, ws, attachments),
        warnings=list(result.warnings), version=result.version,
        generated=dt.date.today().isoformat())


def write_report(ws: Workspace, path: str | os.PathLike[str], *, year: int | None = None,
                 as_of: dt.date | None = None, maps: bool = True,
                 month: tuple[int, int] | None = None,
                 attachments: Attachments | None = None) -> Path:
    """Compute the metrics and write the report to ``path`` atomically.

    Parameters
    ----------
    ws
        The workspace.
    path
        The HTML file written.
    year
        The year reported (None: the overview of every target of the plan's years).
    as_of
        The report date (default: 31 December of ``year``, or today if earlier).
    maps
        Draw a map of each pilot zone.
    month
        (year, month): the monthly 通报 — that month's changes, status at its last day and
        late items, then the report of its year as of its last day (``year`` and
        ``as_of`` are ignored).
    attachments
        The photos (default: the folder store beside ``ws``).

    Returns
    -------
    Path
        ``path``.
    """
    from citymap.io.owned import check_file_replaceable, recognise_html

    path = Path(path)
    check_file_replaceable(path, recognise_html, kind="HTML page")
    context = None
    if month is not None:
        from citymap.monthly import month_context, month_end
        from citymap.supervise import day_status

        year, as_of = month[0], month_end(*month)
        context = month_context(ws, day_status(ws, as_of), *month)
    result = compute_metrics(ws, year=year, as_of=as_of)
    write_text(path, render_report(result, ws=ws, maps=maps, month=context,
                                   attachments=attachments))
    return path

