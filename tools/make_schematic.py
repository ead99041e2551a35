"""Generate the shipped schematic (示意) site data of the Yangxin county seat.

Run from the repository root::

    .venv/bin/python tools/make_schematic.py

(``.venv`` is the project's own environment, made by ``bash scripts/setup.sh``.)

Writes ``geo/sites/*.geojson`` (24 site layers), ``geo/context/*.geojson`` (5 context
layers), ``layers/*.toml`` (one definition per layer) and ``geo/status_log.csv``.

Nothing here is surveyed: the county seat is drawn as a plausible street grid around
117.58 E, 37.645 N with the names the plan uses (阳城一路 … 阳城十路, 河东一路 … 河东六路,
鲁北大街, 工业二路, the channels and lakes of work 5).  Geometry is built in EPSG:4548 metres
(CGCS2000 / 3-degree Gauss-Kruger CM 117E) in a local frame centred on the county seat, then
written as lon/lat GeoJSON (RFC 7946, 7 decimals, right-hand winding).  The output is fully
deterministic (fixed seed, no clock).

Layout notes (schematic choices):

* East-west roads 阳城一路 (north) … 阳城十路 (south), spaced 620 m; 工业一路 and 工业二路
  are two further east-west roads of the industrial area south of 阳城十路.  工业二路 is drawn
  east-west because the plan's 易涝路段 "鲁北大街(新汽车站-工业二路)" needs it to cross the
  north-south trunk road 鲁北大街.
* North-south roads west of 纸王干渠 (the north-south canal through the centre): 西外环路,
  银河路, 梨园路, 鲁北大街, 金阳路, 文化路; east of it 河东一路 … 河东六路.
* 新汽车站 stands at the south-west corner of 鲁北大街 × 阳城十路, 新第二实验学校 in the block
  金阳路-文化路 × 阳城九路-阳城十路 (the 第四代住宅 district is the block to its west).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely
import yaml
from shapely import affinity
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import linemerge, substring, unary_union

ROOT = Path(__file__).resolve().parents[1]
SEED = 20200621
SRC = "示意"
ISSUED = "2020-06-21"
STATUS0 = "未开始"
MEASURE_CRS = "EPSG:4548"
CENTER_LONLAT = (117.58, 37.645)
BOUNDS = (117.28, 37.42, 117.83, 37.78)
NOTE = "示意数据"

rng = np.random.default_rng(SEED)

_to_m = pyproj.Transformer.from_crs("EPSG:4326", MEASURE_CRS, always_xy=True)
X0, Y0 = _to_m.transform(*CENTER_LONLAT)


def L(x: float, y: float) -> tuple[float, float]:
    """Local metres (east, north of the centre) to EPSG:4548."""
    return (X0 + x, Y0 + y)


def to_local(g: Any) -> Any:
    """Shift a geometry built in local metres into EPSG:4548."""
    return affinity.translate(g, X0, Y0)


def lbox(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def chamfer(p: Polygon, d: float) -> Polygon:
    """A rectangle with its corners cut by ``d`` metres."""
    x0, y0, x1, y1 = p.bounds
    return Polygon([(x0 + d, y0), (x1 - d, y0), (x1, y0 + d), (x1, y1 - d), (x1 - d, y1),
                    (x0 + d, y1), (x0, y1 - d), (x0, y0 + d)])


def ri(a: int, b: int) -> int:
    """Random integer in [a, b]."""
    return int(rng.integers(a, b + 1))


def ru(a: float, b: float) -> float:
    return float(rng.uniform(a, b))


# --------------------------------------------------------------------------------------------
# Roads
# --------------------------------------------------------------------------------------------
EW_Y = {"阳城一路": 3200, "阳城二路": 2580, "阳城三路": 1960, "阳城四路": 1340, "阳城五路": 720,
        "阳城六路": 100, "阳城七路": -520, "阳城八路": -1140, "阳城九路": -1760, "阳城十路": -2380,
        "工业一路": -2950, "工业二路": -3450}
NS_X = {"西外环路": -3800, "银河路": -3150, "梨园路": -2500, "鲁北大街": -1850, "金阳路": -1200,
        "文化路": -550, "河东一路": 650, "河东二路": 1250, "河东三路": 1850, "河东四路": 2450,
        "河东五路": 3050, "河东六路": 3650}
CANAL_X = 100

# name: (orientation, class, start, end) — start/end along the road (x for EW, y for NS)
ROADS: dict[str, tuple[str, str, float, float]] = {
    "阳城一路": ("EW", "次干道", -3800, 3650),
    "阳城二路": ("EW", "支路", -3800, 3650),
    "阳城三路": ("EW", "主干道", -3950, 3950),
    "阳城四路": ("EW", "次干道", -3800, 3650),
    "阳城五路": ("EW", "支路", -3800, 3650),
    "阳城六路": ("EW", "主干道", -3950, 3950),
    "阳城七路": ("EW", "次干道", -3800, 3650),
    "阳城八路": ("EW", "支路", -3800, 3650),
    "阳城九路": ("EW", "主干道", -3950, 3950),
    "阳城十路": ("EW", "次干道", -3800, 3650),
    "工业一路": ("EW", "支路", -3800, -550),
    "工业二路": ("EW", "次干道", -3800, -550),
    "西外环路": ("NS", "次干道", -3450, 3200),
    "银河路": ("NS", "支路", -3450, 3200),
    "梨园路": ("NS", "次干道", -3450, 3200),
    "鲁北大街": ("NS", "主干道", -3500, 3500),
    "金阳路": ("NS", "支路", -3450, 3200),
    "文化路": ("NS", "次干道", -3450, 3200),
    "河东一路": ("NS", "支路", -2380, 3200),
    "河东二路": ("NS", "次干道", -2380, 3200),
    "河东三路": ("NS", "主干道", -3500, 3500),
    "河东四路": ("NS", "次干道", -2380, 3200),
    "河东五路": ("NS", "支路", -2380, 3200),
    "河东六路": ("NS", "次干道", -2380, 3200),
}

# Dead-end roads: gaps in the 2020 network, opened by work 14: (road, from cross, to cross, year)
DEAD_ENDS = [
    ("河东一路", "阳城二路", "阳城三路", 2020),
    ("河东五路", "阳城二路", "阳城三路", 2020),
    ("金阳路", "阳城八路", "阳城九路", 2020),
    ("银河路", "阳城五路", "阳城六路", 2021),
    ("阳城八路", "河东四路", "河东五路", 2021),
    ("河东五路", "阳城九路", "阳城十路", 2021),
    ("工业一路", "银河路", "梨园路", 2021),
    ("阳城二路", "梨园路", "鲁北大街", 2022),
    ("金阳路", "阳城一路", "阳城二路", 2022),
    ("河东一路", "阳城九路", "阳城十路", 2022),
]

# City entrances on trunk roads: (road, end "start"/"end", length m)
ENTRANCES = [("阳城三路", "start", 400), ("阳城三路", "end", 400), ("阳城六路", "start", 450),
             ("阳城六路", "end", 450), ("鲁北大街", "start", 400), ("鲁北大街", "end", 400),
             ("河东三路", "end", 400), ("阳城九路", "end", 400)]


def cross_pos(road: str, other: str) -> float | None:
    """Position along ``road`` where ``other`` crosses it, or None."""
    o1, _, a1, b1 = ROADS[road]
    o2, _, a2, b2 = ROADS[other]
    if o1 == o2:
        return None
    if o1 == "EW":
        p, q = NS_X[other], EW_Y[road]
    else:
        p, q = EW_Y[other], NS_X[road]
    if a1 <= p <= b1 and a2 <= q <= b2:
        return float(p)
    return None


def road_point(road: str, pos: float) -> tuple[float, float]:
    o = ROADS[road][0]
    return (pos, EW_Y[road]) if o == "EW" else (NS_X[road], pos)


def road_nodes(road: str) -> list[tuple[float, str]]:
    """Sorted nodes (position, name) along a road: ends, crossings, entrance splits."""
    o, _, a, b = ROADS[road]
    nodes: dict[float, str] = {float(a): "端点", float(b): "端点"}
    for other in ROADS:
        p = cross_pos(road, other)
        if p is not None:
            nodes[p] = other
    for r, end, ln in ENTRANCES:
        if r == road:
            nodes[float(a + ln if end == "start" else b - ln)] = "城市出入口"
    return sorted(nodes.items())


def gaps_of(road: str) -> list[tuple[float, float, int]]:
    out = []
    for r, c1, c2, year in DEAD_ENDS:
        if r == road:
            p1, p2 = cross_pos(road, c1), cross_pos(road, c2)
            assert p1 is not None and p2 is not None, (road, c1, c2)
            out.append((min(p1, p2), max(p1, p2), year))
    return out


def line_between(road: str, p1: float, p2: float) -> LineString:
    """The road's line from p1 to p2 with a vertex at every node in between."""
    pos = [p for p, _ in road_nodes(road) if p1 < p < p2]
    pts = [road_point(road, p) for p in [p1, *pos, p2]]
    return LineString([L(*xy) for xy in pts])


# Segments between consecutive nodes (outside gaps): (road, class, p1, p2, name1, name2)
SEGMENTS: list[tuple[str, str, float, float, str, str]] = []
ROAD_PIECES: list[tuple[str, str, float, float]] = []  # maximal runs without gaps
for _road, (_o, _cls, _a, _b) in ROADS.items():
    _nodes = road_nodes(_road)
    _gaps = gaps_of(_road)
    _run_start: float | None = None
    for (_p1, _n1), (_p2, _n2) in zip(_nodes, _nodes[1:], strict=False):
        in_gap = any(g0 <= _p1 and _p2 <= g1 for g0, g1, _ in _gaps)
        if in_gap:
            if _run_start is not None:
                ROAD_PIECES.append((_road, _cls, _run_start, _p1))
                _run_start = None
            continue
        SEGMENTS.append((_road, _cls, _p1, _p2, _n1, _n2))
        if _run_start is None:
            _run_start = _p1
    if _run_start is not None:
        ROAD_PIECES.append((_road, _cls, _run_start, _nodes[-1][0]))


def seg_line(s: tuple[str, str, float, float, str, str]) -> LineString:
    return line_between(s[0], s[2], s[3])


# --------------------------------------------------------------------------------------------
# Water (local metres)
# --------------------------------------------------------------------------------------------
def wavy(points: list[tuple[float, float]], amp: float, wl: float, step: float = 100.0,
         phase: float = 0.0) -> LineString:
    """A polyline through ``points`` with a gentle sinusoidal meander."""
    base = LineString(points)
    n = max(2, int(base.length // step) + 1)
    out = []
    for i in range(n + 1):
        d = base.length * i / n
        p = base.interpolate(d)
        p2 = base.interpolate(min(base.length, d + 1.0))
        p1 = base.interpolate(max(0.0, d - 1.0))
        dx, dy = p2.x - p1.x, p2.y - p1.y
        nrm = math.hypot(dx, dy) or 1.0
        off = 0.0 if i in (0, n) else amp * math.sin(2 * math.pi * d / wl + phase)
        out.append((p.x - dy / nrm * off, p.y + dx / nrm * off))
    return LineString(out)


def ellipse(cx: float, cy: float, a: float, b: float, rot: float = 0.0, n: int = 48) -> Polygon:
    pts = [(cx + a * math.cos(t), cy + b * math.sin(t))
           for t in np.linspace(0, 2 * math.pi, n, endpoint=False)]
    return affinity.rotate(Polygon(pts), rot, origin=(cx, cy))


JIUDOU = wavy([(-3800, 2270), (3800, 2270)], 45, 1900)          # 九斗沟
LIYUAN = wavy([(-2820, -1450), (CANAL_X, -1450)], 30, 1500)     # 梨园沟 (existing)
LIYUAN_EXT = LineString([(-2820, -1450), (-3480, -1450), (-3480, 720)])  # 梨园沟 西延+北延
ZHIWANG = wavy([(CANAL_X, 3450), (CANAL_X, -3500)], 35, 2600)   # 纸王干渠
XINDA = wavy([(CANAL_X, -2700), (3850, -2700)], 40, 1700)        # 信达河
DAJI = wavy([(-3950, 3420), (3850, 3420)], 50, 2300)             # 大济河
XINGFU = wavy([(3850, 3420), (3850, -2700)], 40, 2100)           # 幸福河
SHUANGCHENG_FULL = LineString([(-2820, 720), (-2820, -1450)])   # 双程沟
SHUANGCHENG = LineString([(-2820, EW_Y["阳城六路"]), (-2820, EW_Y["阳城八路"])])
YINXIAN = ellipse(-1525, -210, 255, 215, 8)                       # 引仙湖
JINYIN = ellipse(330, -830, 160, 120, -15)                        # 金银湾
SHENGXIAO = ellipse(-1525, 2240, 210, 140, 5)                     # 十二生肖湾
CHANNELS = [JIUDOU, LIYUAN, LIYUAN_EXT, ZHIWANG, XINDA, DAJI, XINGFU, SHUANGCHENG_FULL]
WATER_LOCAL = unary_union([c.buffer(30) for c in CHANNELS]
                          + [YINXIAN.buffer(25), JINYIN.buffer(20), SHENGXIAO.buffer(20)])

# Landmarks (local metres)
BUS_STATION = (-1960, -2470)  # 新汽车站, south-west corner of 鲁北大街 × 阳城十路
# 新第二实验学校 occupies block (4, 8) (金阳路-文化路 × 阳城九路-阳城十路), see SPECIAL_BLOCKS

# --------------------------------------------------------------------------------------------
# Blocks, parcels, lanes (local metres)
# --------------------------------------------------------------------------------------------
COLS = [-3800, -3150, -2500, -1850, -1200, -550, CANAL_X, 650, 1250, 1850, 2450, 3050, 3650]
ROWS = [3200, 2580, 1960, 1340, 720, 100, -520, -1140, -1760, -2380]
SETBACK = 18.0

SPECIAL_BLOCKS = {
    (3, 5): "引仙湖",        # 鲁北大街-金阳路 × 阳城六路-阳城七路
    (4, 5): "县文化中心",     # 金阳路-文化路 × 阳城六路-阳城七路
    (4, 8): "新第二实验学校",
    (3, 8): "第四代住宅",
    (2, 3): "信城公园",
    (9, 4): "金阳公园",
    (2, 7): "梨园公园",
    (5, 5): "滨河公园",
}


def block_rect(ci: int, ri_: int) -> Polygon:
    return lbox(COLS[ci], ROWS[ri_], COLS[ci + 1], ROWS[ri_ + 1])


def block_inner(ci: int, ri_: int) -> Polygon:
    x0, x1 = COLS[ci], COLS[ci + 1]
    y0, y1 = ROWS[ri_ + 1], ROWS[ri_]
    l_ = x0 + (40 if x0 == CANAL_X else SETBACK)
    r_ = x1 - (40 if x1 == CANAL_X else SETBACK)
    return lbox(l_, y0 + SETBACK, r_, y1 - SETBACK)


BLOCKS = [(c, r) for r in range(len(ROWS) - 1) for c in range(len(COLS) - 1)]
OLD_TOWN = lbox(-2500, -1760, 2450, 1960)


def in_old_town(c: int, r: int) -> bool:
    return OLD_TOWN.buffer(1).contains(block_rect(c, r))


WATER_BLOCKS = {b for b in BLOCKS if block_inner(*b).intersects(WATER_LOCAL)}

_res_candidates = [b for b in BLOCKS if b not in SPECIAL_BLOCKS]
RESIDENTIAL_BLOCKS = sorted(b for b in _res_candidates
                            if (in_old_town(*b) and rng.random() < 0.85)
                            or (not in_old_town(*b) and rng.random() < 0.45))

# cell grids per residential block
CELLS: dict[tuple[int, int], list[list[Polygon]]] = {}
LANES: dict[tuple[int, int], list[tuple[str, float, list[float], str]]] = {}
for _b in RESIDENTIAL_BLOCKS:
    inner = block_inner(*_b)
    x0, y0, x1, y1 = inner.bounds
    nx = int(np.clip(round((x1 - x0) / ru(190, 260)), 2, 4))
    ny = int(np.clip(round((y1 - y0) / ru(190, 260)), 2, 4))
    xs = [x0 + (x1 - x0) * i / nx for i in range(nx + 1)]
    ys = [y0 + (y1 - y0) * j / ny for j in range(ny + 1)]
    # jitter interior boundaries
    xs = [xs[0]] + [v + ru(-20, 20) for v in xs[1:-1]] + [xs[-1]]
    ys = [ys[0]] + [v + ru(-20, 20) for v in ys[1:-1]] + [ys[-1]]
    CELLS[_b] = [[lbox(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(ny)] for i in range(nx)]
    c, r = _b
    west, east = COLS[c], COLS[c + 1]
    north, south = ROWS[r], ROWS[r + 1]
    lanes = []
    for i, xv in enumerate(xs[1:-1], 1):
        lanes.append(("V", xv, [south, *ys[1:-1], north], f"V{i}"))
    for j, yv in enumerate(ys[1:-1], 1):
        lanes.append(("H", yv, [west, *xs[1:-1], east], f"H{j}"))
    LANES[_b] = lanes


def name_of_col(c: int) -> str:
    x = COLS[c]
    for n, v in NS_X.items():
        if v == x:
            return n
    return "纸王干渠"


def name_of_row(r: int) -> str:
    y = ROWS[r]
    for n, v in EW_Y.items():
        if v == y:
            return n
    raise KeyError(y)


CN_NUM = "一二三四五六七八九十"

# Back streets: lanes in residential old-town blocks without channels; about half the lanes.
BACK_STREETS: list[dict[str, Any]] = []
for _b in RESIDENTIAL_BLOCKS:
    if not in_old_town(*_b) or _b in WATER_BLOCKS:
        continue
    c, r = _b
    for kind_, v, cuts, tag in LANES[_b]:
        if rng.random() > 0.55:
            continue
        k = int(tag[1:])
        if kind_ == "V":
            base = f"{name_of_col(c)}东{CN_NUM[k - 1]}巷({name_of_row(r)}南)"
        else:
            base = f"{name_of_row(r)}南{CN_NUM[k - 1]}巷({name_of_col(c)}东)"
        for s, (a, b_) in enumerate(zip(cuts, cuts[1:], strict=False), 1):
            if kind_ == "V":
                ln = LineString([(v, a), (v, b_)])
            else:
                ln = LineString([(a, v), (b_, v)])
            BACK_STREETS.append({"name": f"{base}{s}段", "geom": to_local(ln),
                                 "block": _b})

# --------------------------------------------------------------------------------------------
# Corner features: pocket parks, small existing parks, parking lots (local metres)
# --------------------------------------------------------------------------------------------
USED_CORNERS: set[tuple[int, int, int]] = set()


def corner_rect(b: tuple[int, int], corner: int, w: float, h: float) -> Polygon:
    x0, y0, x1, y1 = block_inner(*b).bounds
    if corner == 0:
        return lbox(x0, y1, x0 + w, y1 - h)
    if corner == 1:
        return lbox(x1 - w, y1, x1, y1 - h)
    if corner == 2:
        return lbox(x1 - w, y0, x1, y0 + h)
    return lbox(x0, y0, x0 + w, y0 + h)


def corner_names(b: tuple[int, int], corner: int) -> tuple[str, str]:
    c, r = b
    ew = name_of_row(r if corner in (0, 1) else r + 1)
    ns = name_of_col(c if corner in (0, 3) else c + 1)
    return ew, ns


def pick_corner(pool: list[tuple[int, int]], area: tuple[float, float],
                aspect: tuple[float, float] = (0.6, 1.6)) -> tuple[Polygon, str, str]:
    while True:
        b = pool[ri(0, len(pool) - 1)]
        corner = ri(0, 3)
        if (b[0], b[1], corner) in USED_CORNERS:
            continue
        ew, ns = corner_names(b, corner)
        if ns == "纸王干渠":
            continue
        a = ru(*area)
        asp = ru(*aspect)
        w = math.sqrt(a * asp)
        h = a / w
        p = corner_rect(b, corner, w, h)
        if p.intersects(WATER_LOCAL):
            continue
        USED_CORNERS.add((b[0], b[1], corner))
        return p, ew, ns


TOWN_BLOCKS = [b for b in BLOCKS if b not in SPECIAL_BLOCKS]
POCKET_PARKS = []
for _year, _n in ((2020, 6), (2021, 11), (2022, 11)):
    for _i in range(_n):
        pool = [b for b in TOWN_BLOCKS if in_old_town(*b)] if _year == 2020 else TOWN_BLOCKS
        p, ew, ns = pick_corner(pool, (700, 4300))
        kind = "节点提升" if rng.random() < 0.35 else "口袋公园"
        # the block corner lies south-east/south-west/... of the crossing
        cx, cy = p.centroid.x - NS_X.get(ns, CANAL_X), p.centroid.y - EW_Y[ew]
        side = ("东" if cx > 0 else "西") + ("北" if cy > 0 else "南")
        POCKET_PARKS.append({"year": _year, "kind": kind, "name": f"{ew}与{ns}路口{side}角{kind}",
                             "local": p})

SMALL_PARKS = []
for _i in range(7):
    p, ew, ns = pick_corner(TOWN_BLOCKS, (2100, 4900))
    SMALL_PARKS.append({"name": f"{ew}{ns}游园", "local": p, "class": "游园"})

PARKING = []
for _i, _year in enumerate([2020, 2020, 2020, 2021, 2021, 2021, 2022, 2022]):
    p, ew, ns = pick_corner([b for b in TOWN_BLOCKS if in_old_town(*b)], (2500, 11000),
                            (0.7, 1.5))
    PARKING.append({"year": _year, "name": f"{ew}{ns}公共停车场", "local": p})

# Large existing parks
LARGE_PARKS = [
    {"name": "信城公园", "class": "综合公园",
     "local": chamfer(lbox(-2420, 1260, -1960, 800), 40)},
    {"name": "金阳公园", "class": "综合公园",
     "local": chamfer(lbox(1900, 640, 2380, 190), 40)},
    {"name": "梨园公园", "class": "社区公园",
     "local": lbox(-2460, -1180, -1900, -1400).union(lbox(-2460, -1500, -2100, -1700))},
    {"name": "引仙湖公园", "class": "综合公园",
     "local": YINXIAN.buffer(70).difference(YINXIAN).intersection(block_inner(3, 5))},
    {"name": "滨河公园", "class": "带状公园",
     "local": lbox(150, -490, 240, 690)},
]

# --------------------------------------------------------------------------------------------
# Residential parcels
# --------------------------------------------------------------------------------------------
EXCLUDE = unary_union([WATER_LOCAL]
                      + [d["local"].buffer(6) for d in POCKET_PARKS + SMALL_PARKS + PARKING
                         + LARGE_PARKS])
PARCELS: list[dict[str, Any]] = []
for _b in RESIDENTIAL_BLOCKS:
    for i, col in enumerate(CELLS[_b]):
        for j, cell in enumerate(col):
            p = cell.buffer(-9, join_style="mitre")
            pieces = [p]
            if p.area > 29000 or (p.area > 22000 and rng.random() < 0.15):
                x0, y0, x1, y1 = p.bounds
                if x1 - x0 > y1 - y0:
                    xm = (x0 + x1) / 2 + ru(-15, 15)
                    pieces = [lbox(x0, y0, xm - 5, y1), lbox(xm + 5, y0, x1, y1)]
                else:
                    ym = (y0 + y1) / 2 + ru(-15, 15)
                    pieces = [lbox(x0, y0, x1, ym - 5), lbox(x0, ym + 5, x1, y1)]
            for q in pieces:
                q = q.difference(EXCLUDE)
                if q.geom_type == "MultiPolygon":
                    q = max(q.geoms, key=lambda g: g.area)
                if q.is_empty or q.area < 3200 or q.area > 30000:
                    continue
                q = shapely.simplify(q, 0.5)
                PARCELS.append({"block": _b, "cell": (i, j), "local": q})

# --------------------------------------------------------------------------------------------
# Old communities (groups of cells in old-town blocks, nearest the centre first)
# --------------------------------------------------------------------------------------------
PREFIX = ["幸福", "和平", "建设", "文化", "育才", "阳光", "康乐", "东方", "新华", "兴隆", "富民",
          "振兴", "金城", "银河", "龙祥", "安居", "锦绣", "温馨", "翠园", "枣园", "梨花", "北苑",
          "南苑", "东苑", "西苑", "惠民", "永安", "长安", "春晖", "朝阳", "建华", "信城", "鸿福",
          "丰泽", "润园", "嘉和", "祥和", "怡景", "华苑", "民安", "秀水", "绿苑"]
SUFFIX = ["小区", "花园", "家园", "新村", "宿舍区", "公寓"]
UNITS = ["县供销社宿舍", "县粮食局宿舍", "县棉纺厂宿舍", "县水利局宿舍", "县医院家属院",
         "县一中家属院", "县交通局宿舍", "县农机厂宿舍", "县食品公司宿舍", "县电业局宿舍",
         "县教育局家属院", "县建安公司宿舍", "县酒厂宿舍", "县化肥厂宿舍", "县邮电局宿舍"]
_names = [p + s for p in PREFIX for s in SUFFIX]
rng.shuffle(_names)
_names = UNITS + _names
_name_iter = iter(_names)

GROUPS: list[dict[str, Any]] = []
_oc_blocks = [b for b in RESIDENTIAL_BLOCKS if in_old_town(*b) and b not in WATER_BLOCKS]
_oc_blocks.sort(key=lambda b: block_rect(*b).centroid.distance(Point(0, 0)))
for _b in _oc_blocks:
    cells = CELLS[_b]
    nx, ny = len(cells), len(cells[0])
    taken = np.zeros((nx, ny), bool)
    order = [(i, j) for i in range(nx) for j in range(ny)]
    rng.shuffle(order)
    for i, j in order:
        if taken[i, j]:
            continue
        di, dj = [(1, 1), (1, 2), (2, 1), (2, 2)][ri(0, 3)]
        if i + di > nx or j + dj > ny or taken[i:i + di, j:j + dj].any():
            di, dj = 1, 1
        g = unary_union([cells[a][b_] for a in range(i, i + di) for b_ in range(j, j + dj)])
        g = g.envelope.buffer(-12, join_style="mitre").difference(EXCLUDE)
        if g.geom_type != "Polygon" or not 20000 <= g.area <= 120000:
            continue
        taken[i:i + di, j:j + dj] = True
        GROUPS.append({"block": _b, "local": shapely.simplify(g, 0.5)})

# --------------------------------------------------------------------------------------------
# Townships (lon/lat outline of the county, Voronoi around the county seat)
# --------------------------------------------------------------------------------------------
COUNTY_LONLAT = [(117.37, 37.52), (117.42, 37.47), (117.52, 37.455), (117.64, 37.465),
                 (117.75, 37.49), (117.785, 37.58), (117.77, 37.69), (117.70, 37.76),
                 (117.56, 37.765), (117.44, 37.745), (117.37, 37.69), (117.355, 37.60)]
COUNTY = Polygon([_to_m.transform(*p) for p in COUNTY_LONLAT])
TOWN_AREA = to_local(lbox(-5600, -4800, 5400, 4600))
XINCHENG = TOWN_AREA.intersection(to_local(lbox(-6000, -5000, CANAL_X, 5000)))
JINYANG = TOWN_AREA.difference(XINCHENG)
TOWNSHIP_ANGLES = {"河流镇": 95, "翟王镇": 40, "流坡坞镇": -5, "洋湖乡": -50, "水落坡镇": -95,
                   "劳店镇": -140, "商店镇": 180, "温店镇": 135}
_seeds = {n: L(11000 * math.cos(math.radians(a)), 11000 * math.sin(math.radians(a)))
          for n, a in TOWNSHIP_ANGLES.items()}
_vor = shapely.voronoi_polygons(shapely.MultiPoint(list(_seeds.values())),
                                extend_to=COUNTY.buffer(20000))
TOWNSHIPS: list[dict[str, Any]] = [
    {"name": "信城街道", "type": "街道", "geom": XINCHENG},
    {"name": "金阳街道", "type": "街道", "geom": JINYANG},
]
_rest = COUNTY.difference(TOWN_AREA)
for n, s in _seeds.items():
    cell = next(c for c in _vor.geoms if c.contains(Point(s)))
    g = cell.intersection(_rest)
    TOWNSHIPS.append({"name": n, "type": "乡" if n.endswith("乡") else "镇", "geom": g,
                      "seat": Point(s)})

# --------------------------------------------------------------------------------------------
# Output helpers
# --------------------------------------------------------------------------------------------
OUT_SITES = ROOT / "geo" / "sites"
OUT_CONTEXT = ROOT / "geo" / "context"
OUT_LAYERS = ROOT / "layers"


def _round(g: Any) -> Any:
    g = shapely.transform(g, lambda c: np.round(c, 7))
    return shapely.orient_polygons(g) if hasattr(shapely, "orient_polygons") else _orient(g)


def _orient(g: Any) -> Any:
    if g.geom_type == "Polygon":
        return orient(g, 1.0)
    if g.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([orient(p, 1.0) for p in g.geoms])
    return g


def write_layer(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    """Write features (geometry in EPSG:4548 under key ``geom``) as lon/lat GeoJSON."""
    data = {c: [r.get(c) for r in rows] for c in columns}
    gdf = gpd.GeoDataFrame(data, geometry=[r["geom"] for r in rows], crs=MEASURE_CRS)
    gdf = gdf.to_crs("EPSG:4326")
    gdf["geometry"] = [_round(g) for g in gdf.geometry]
    assert gdf.geometry.is_valid.all(), path
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio",
                layer_options={"WRITE_NAME": "NO", "RFC7946": "YES",
                               "COORDINATE_PRECISION": 7})
    return gdf


SITE_COLUMNS = ["id", "works", "name", "year", "status", "status_date", "source", "kind"]
SITES: dict[str, list[dict[str, Any]]] = {}
SITE_FIELDS: dict[str, list[str]] = {}


def add_site(layer: str, prefix: str, works: str, rows: list[dict[str, Any]]) -> None:
    """Give ids (``PREFIX-YEAR-NN``) and the common properties to a layer's rows."""
    rows = sorted(rows, key=lambda r: r["year"])  # stable: keeps order within a year
    counters: dict[int, int] = {}
    width = 3 if len(rows) >= 100 else 2
    for r in rows:
        counters[r["year"]] = counters.get(r["year"], 0) + 1
        r["id"] = f"{prefix}-{r['year']}-{counters[r['year']]:0{width}d}"
        r["works"] = works
        r["status"] = STATUS0
        r["status_date"] = ISSUED
        r["source"] = SRC
        r.setdefault("kind", None)
        if "local" in r and "geom" not in r:
            r["geom"] = to_local(r.pop("local"))
        r.pop("local", None)
    SITES[layer] = rows


# --------------------------------------------------------------------------------------------
# Site layers
# --------------------------------------------------------------------------------------------
def section_name(road: str, n1: str, n2: str) -> str:
    if "端点" in (n1, n2) or "城市出入口" in (n1, n2):
        return road
    return f"{road}({n1}-{n2})"


# 1 facade_roads (work 2)
rows = [{"year": 2020, "kind": "示范路", "name": "阳城六路",
         "geom": line_between("阳城六路", *ROADS["阳城六路"][2:])}]
for road, (o, cls, a, b) in ROADS.items():
    if cls != "主干道":
        continue
    ends = {end: ln for r_, end, ln in ENTRANCES if r_ == road}
    lo = a + ends["start"] if "start" in ends else a
    hi = b - ends["end"] if "end" in ends else b
    rows.append({"year": 2021, "kind": "主干道", "name": road,
                 "geom": line_between(road, lo, hi)})
    if "start" in ends:
        rows.append({"year": 2021, "kind": "城市出入口", "name": f"{road}城市出入口(" +
                     ("西" if o == "EW" else "南") + ")", "geom": line_between(road, a, lo)})
    if "end" in ends:
        rows.append({"year": 2021, "kind": "城市出入口", "name": f"{road}城市出入口(" +
                     ("东" if o == "EW" else "北") + ")", "geom": line_between(road, hi, b)})
for road, cls, p1, p2 in ROAD_PIECES:
    if cls == "次干道":
        nm = [n for p, n in road_nodes(road) if p in (p1, p2)]
        full = (p1, p2) == tuple(ROADS[road][2:])
        rows.append({"year": 2022, "kind": "次干道",
                     "name": road if full else section_name(road, nm[0], nm[-1]),
                     "geom": line_between(road, p1, p2)})
add_site("facade_roads", "FR", "2", rows)

# 2 overhead_lines (work 3): runs of 2-4 segments of trunk/secondary/branch roads
main_segs = [s for s in SEGMENTS if s[4] not in ("端点", "城市出入口")
             and s[5] not in ("端点", "城市出入口")]
rows = []
used_roads: set[str] = set()
for i in range(12):
    while True:
        s = main_segs[ri(0, len(main_segs) - 1)]
        if s[0] in used_roads:
            continue
        run = [t for t in main_segs if t[0] == s[0] and t[2] >= s[2]][:ri(2, 4)]
        if len(run) < 2 or any(run[k][3] != run[k + 1][2] for k in range(len(run) - 1)):
            continue
        break
    used_roads.add(s[0])
    kind = "入地改造" if i % 2 == 0 else "规范整治"
    rows.append({"year": 2020 + i % 3, "kind": kind,
                 "name": f"{section_name(s[0], run[0][4], run[-1][5])}架空线路{kind}",
                 "geom": line_between(s[0], run[0][2], run[-1][3])})
add_site("overhead_lines", "OL", "3", rows)

# 3 back_streets (work 4): years by distance from the centre, cumulative 32 % / 52 % / 100 %
_bs_total = sum(b["geom"].length for b in BACK_STREETS)
_bs_order = sorted(range(len(BACK_STREETS)),
                   key=lambda k: BACK_STREETS[k]["geom"].centroid.distance(Point(X0, Y0)))
cum = 0.0
for k in _bs_order:
    cum += BACK_STREETS[k]["geom"].length
    BACK_STREETS[k]["year"] = 2020 if cum <= 0.32 * _bs_total + 1e-6 else (
        2021 if cum <= 0.52 * _bs_total + 1e-6 else 2022)
for k, bs in enumerate(BACK_STREETS):
    bs["ctx_id"] = f"RD-B{k + 1:03d}"
rows = [{"year": BACK_STREETS[k]["year"], "kind": "背街小巷", "name": BACK_STREETS[k]["name"],
         "geom": BACK_STREETS[k]["geom"], "road_id": BACK_STREETS[k]["ctx_id"]}
        for k in _bs_order]
add_site("back_streets", "BS", "4", rows)
SITE_FIELDS["back_streets"] = ["road_id"]

# 4 commercial_lighting (work 4)
rows = [
    {"year": 2021, "kind": "商业街", "name": "信城商业步行街照明亮化",
     "local": lbox(-1200 + 20, 720 - 40, -550 - 20, 720 + 40)},
    {"year": 2022, "kind": "商业片区", "name": "县城中心商业片区照明亮化",
     "local": chamfer(lbox(-1180, 760, -120, 1320), 60)},
]
add_site("commercial_lighting", "CL", "4", rows)

# 5 water_restoration (work 5)
rows = [
    {"year": 2020, "kind": "治理", "name": "九斗沟沿岸", "water_body": "沟渠", "local": JIUDOU},
    {"year": 2020, "kind": "治理", "name": "梨园沟西延北延", "water_body": "沟渠",
     "local": LIYUAN_EXT},
    {"year": 2020, "kind": "规划设计", "name": "引仙湖", "water_body": "湖",
     "local": YINXIAN.exterior},
    {"year": 2020, "kind": "规划设计", "name": "金银湾", "water_body": "湾",
     "local": JINYIN.exterior},
    {"year": 2020, "kind": "规划设计", "name": "纸王干渠", "water_body": "干渠", "local": ZHIWANG},
    {"year": 2020, "kind": "规划设计", "name": "十二生肖湾", "water_body": "湾",
     "local": SHENGXIAO.exterior},
    {"year": 2020, "kind": "规划设计", "name": "信达河", "water_body": "河", "local": XINDA},
    {"year": 2020, "kind": "规划设计", "name": "大济河", "water_body": "河", "local": DAJI},
    {"year": 2020, "kind": "规划设计", "name": "双程沟(阳城六路-阳城八路)", "water_body": "沟渠",
     "local": SHUANGCHENG},
    {"year": 2020, "kind": "规划设计", "name": "幸福河沿岸", "water_body": "河", "local": XINGFU},
]
add_site("water_restoration", "WR", "5", rows)
SITE_FIELDS["water_restoration"] = ["water_body"]

# 6 sewer_lines (work 6)
rows = [{"year": 2020, "kind": "雨污分流", "name": "阳城四路雨污分流改造",
         "geom": line_between("阳城四路", *ROADS["阳城四路"][2:])}]
for year, road, c1, c2 in [(2020, "阳城五路", "鲁北大街", "河东三路"),
                           (2020, "文化路", "阳城三路", "阳城七路"),
                           (2021, "阳城七路", "梨园路", "河东四路"),
                           (2021, "河东二路", "阳城二路", "阳城六路"),
                           (2022, "阳城九路", "鲁北大街", "河东五路"),
                           (2022, "梨园路", "阳城四路", "阳城九路")]:
    p1, p2 = sorted([cross_pos(road, c1), cross_pos(road, c2)])  # type: ignore[type-var]
    rows.append({"year": year, "kind": "排水管线", "name": f"{road}({c1}-{c2})排水管线",
                 "geom": line_between(road, p1, p2)})
add_site("sewer_lines", "SL", "6", rows)

# 18 old_communities (work 16) — built before sewer_communities which reuse some of them
assert len(GROUPS) >= 85 + 11, len(GROUPS)
_years = [2020] * 24 + [2021] * 31 + [2022] * 30
_oc_groups = GROUPS[:85]
_idx = np.arange(85)
rng.shuffle(_idx[24:])  # the 24 nearest the centre are the 2020 batch
rows = []
for k, gi in enumerate(_idx):
    g = _oc_groups[gi]
    area_ha = g["local"].area / 1e4
    hh = int(np.clip(round(area_ha * ru(75, 140)), 150, 1500))
    kind = ["基础类", "完善类", "提升类"][int(np.searchsorted([0.7, 0.95], rng.random()))]
    rows.append({"year": _years[k], "name": next(_name_iter), "local": g["local"], "kind": kind,
                 "households": hh, "built_year": ri(1980, 2000)})
add_site("old_communities", "OC", "16", rows)
SITE_FIELDS["old_communities"] = ["households", "built_year"]

# 7 sewer_communities (work 6): 20 of the 2020 old communities + 11 further communities
rows = []
for oc in SITES["old_communities"][:20]:
    rows.append({"year": 2020, "name": oc["name"], "geom": oc["geom"], "kind": "小区雨污分流",
                 "old_community_id": oc["id"]})
for g in GROUPS[85:96]:
    rows.append({"year": 2020, "name": next(_name_iter), "local": g["local"],
                 "kind": "小区雨污分流", "old_community_id": None})
add_site("sewer_communities", "SC", "6", rows)
SITE_FIELDS["sewer_communities"] = ["old_community_id"]

# 8 wastewater_plants (work 6)
rows = [{"year": 2020, "kind": "扩建", "name": "新城区污水处理厂扩建工程",
         "local": Point(3560, -2900), "capacity_t_per_day": None,
         "note": "方案原文“新增污水处理能力1.5吨/日”，对一座污水处理厂的扩建显然过小，"
                 "疑为1.5万吨/日之误；待核实，暂不填写"}]
add_site("wastewater_plants", "WP", "6", rows)
SITE_FIELDS["wastewater_plants"] = ["capacity_t_per_day", "note"]

# 9 pocket_parks (work 8)
add_site("pocket_parks", "PP", "8", [dict(p) for p in POCKET_PARKS])


# 10 greenways (work 8): offsets along channels and roads, cut to the yearly lengths
def take_length(cands: list[tuple[str, LineString]], target: float) -> list[tuple[str, Any]]:
    out, acc = [], 0.0
    for name, ln in cands:
        if acc >= target:
            break
        need = target - acc
        if ln.length > need:
            ln = substring(ln, 0, need)
        out.append((name, ln))
        acc += ln.length
    return out


def offset(ln: LineString, d: float) -> LineString:
    g = ln.offset_curve(d)
    if g.geom_type == "MultiLineString":
        g = linemerge(g)
    return g


def local_road(road: str, p1: float, p2: float, off: float = 0.0) -> LineString:
    ln = LineString([road_point(road, p1), road_point(road, p2)])
    return offset(ln, off) if off else ln


GREENWAY_PLAN = {
    2020: (11200, [("九斗沟滨水绿道", offset(JIUDOU, -22)),
                   ("梨园沟滨水绿道", offset(LIYUAN, 22)),
                   ("纸王干渠西岸绿道(北段)", offset(substring(ZHIWANG, 0, 1400), -25))]),
    2021: (21300, [("纸王干渠西岸绿道(南段)",
                    offset(substring(ZHIWANG, 1400, ZHIWANG.length), -25)),
                   ("大济河南岸绿道", offset(DAJI, -22)),
                   ("引仙湖环湖步道", YINXIAN.buffer(15).exterior),
                   ("双程沟滨水步道", offset(SHUANGCHENG_FULL, 20)),
                   ("梨园沟北延滨水步道", offset(LIYUAN_EXT, 22)),
                   ("十二生肖湾环湾步道", SHENGXIAO.buffer(12).exterior)]),
    2022: (21200, [("幸福河西岸绿道", offset(XINGFU, -22)),
                   ("信达河北岸绿道", offset(XINDA, 22)),
                   ("阳城三路绿道", local_road("阳城三路", -3800, 3650, -28)),
                   ("河东三路绿道", local_road("河东三路", -2380, 3200, 28)),
                   ("金银湾环湾步道", JINYIN.buffer(12).exterior)]),
}
rows = []
for year, (target, cands) in GREENWAY_PLAN.items():
    for name, ln in take_length(cands, target):
        along = name.split("绿道")[0].split("滨水")[0].split("环")[0].split("西岸")[0]
        along = along.split("南岸")[0].split("北岸")[0].split("步道")[0]
        rows.append({"year": year, "name": name, "kind": "绿道", "along": along,
                     "local": ln})
add_site("greenways", "GW", "8", rows)
SITE_FIELDS["greenways"] = ["along"]

# 11 green_buildings (work 9)
GB_NAMES = ["县人民医院新院区", "县政务服务中心", "阳信县第三中学教学楼", "金阳花园二期",
            "河东安置区三期", "县全民健身中心", "梨园新苑", "装配式示范住宅(河东)",
            "县妇幼保健院", "阳光水岸"]
rows = []
_gb_blocks = [b for b in TOWN_BLOCKS if not in_old_town(*b) and b not in WATER_BLOCKS]
rng.shuffle(_gb_blocks)
for k, nm in enumerate(GB_NAMES):
    b = _gb_blocks[k]
    inner = block_inner(*b)
    cx, cy = inner.centroid.x, inner.centroid.y
    w, h = ru(90, 190), ru(70, 150)
    kind = "装配式建筑" if k in (3, 4, 7, 9) else "绿色建筑"
    star = ri(2, 3) if k in (0, 1, 2, 5, 8) else ri(1, 2)
    rows.append({"year": 2020 + k % 3, "kind": kind, "name": nm, "star_rating": star,
                 "local": lbox(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)})
add_site("green_buildings", "GB", "9", rows)
SITE_FIELDS["green_buildings"] = ["star_rating"]

# 12 construction_sites (work 10)
rows = []
_cs_blocks = [b for b in TOWN_BLOCKS if b not in WATER_BLOCKS]
rng.shuffle(_cs_blocks)
CS_NAMES = ["金阳花园二期", "河东安置区三期", "县全民健身中心", "梨园新苑", "阳光水岸",
            "县人民医院新院区", "县政务服务中心", "信城学府", "鸿福家园三期", "阳信县第三中学",
            "河东商业综合体", "龙祥御景", "县妇幼保健院", "翠园新城", "润园小区二期"]
for k, nm in enumerate(CS_NAMES):
    c = block_inner(*_cs_blocks[k]).centroid
    rows.append({"year": 2020 + k % 3, "name": f"{nm}建筑工地", "kind": "建筑工地",
                 "monitoring": "否" if k in (5, 14) else "是",
                 "local": Point(c.x + ru(-120, 120), c.y + ru(-120, 120))})
add_site("construction_sites", "CS", "10", rows)
SITE_FIELDS["construction_sites"] = ["monitoring"]

# 13 construction_waste_sites (work 10)
add_site("construction_waste_sites", "CW", "10",
         [{"year": 2021, "name": "阳信县建筑垃圾消纳场", "kind": "消纳场",
           "local": Point(-6300, 3900)}])

# 14 deep_cleaning_roads (work 11): trunk roads, then secondary; cumulative 43/53/63 %
tsegs = [s for s in SEGMENTS if s[1] in ("主干道", "次干道")]
_ts_total = sum(seg_line(s).length for s in tsegs)
order_roads = ["阳城六路", "鲁北大街", "阳城三路", "河东三路", "阳城九路", "阳城四路", "文化路",
               "河东二路", "阳城七路", "梨园路", "阳城一路", "河东四路", "阳城十路", "西外环路",
               "河东六路", "工业二路"]
assert set(order_roads) == {s[0] for s in tsegs}
cum, assigned = 0.0, []
for road in order_roads:
    for s in [t for t in tsegs if t[0] == road]:
        ln = seg_line(s).length
        share = cum / _ts_total
        year = 2020 if share < 0.43 else 2021 if share < 0.53 else 2022 if share < 0.63 else None
        if year is None:
            break
        assigned.append((year, s))
        cum += ln
rows = []
for year in (2020, 2021, 2022):
    for road in order_roads:
        ss = [s for y, s in assigned if y == year and s[0] == road]
        # merge contiguous runs
        runs: list[list[tuple[str, str, float, float, str, str]]] = []
        for s in ss:
            if runs and runs[-1][-1][3] == s[2]:
                runs[-1].append(s)
            else:
                runs.append([s])
        for run in runs:
            full = (run[0][2], run[-1][3]) == tuple(ROADS[road][2:])
            nm = road if full else section_name(road, run[0][4], run[-1][5])
            if nm == road and not full:
                nm = f"{road}({run[0][4]}-{run[-1][5]})".replace("端点", "起点")
            rows.append({"year": year, "kind": "深度保洁", "name": f"{nm}深度保洁",
                         "road_class": run[0][1],
                         "geom": line_between(road, run[0][2], run[-1][3])})
add_site("deep_cleaning_roads", "DC", "11", rows)
SITE_FIELDS["deep_cleaning_roads"] = ["road_class"]

# 15 heating_areas (work 12): per-year sums exactly 81 / 65 / 70 万m²
HEAT = {2020: [18.5, 15.0, 12.5, 14.0, 11.0, 10.0], 2021: [16.0, 13.5, 12.0, 11.5, 12.0],
        2022: [17.5, 15.0, 13.0, 12.5, 12.0]}
assert [sum(v) for v in HEAT.values()] == [81, 65, 70]
_ha_blocks = [b for b in TOWN_BLOCKS if COLS[b[0]] >= 650 or ROWS[b[1]] >= 2580]
_ha_blocks = [b for b in _ha_blocks if b not in WATER_BLOCKS or ROWS[b[1]] >= 2580]
rng.shuffle(_ha_blocks)
rows = []
_k = 0
HA_NAMES = iter(["河东新区一期", "金阳花园", "阳光水岸", "信城学府", "龙祥御景", "河东安置区",
                 "鸿福家园", "翠园新城", "锦绣华府", "梨园新苑", "东方名郡", "丰泽园",
                 "嘉和苑", "怡景湾", "华苑小区二期", "润园小区"])
for year, vals in HEAT.items():
    for v in vals:
        b = _ha_blocks[_k]
        _k += 1
        inner = block_inner(*b)
        x0, y0, x1, y1 = inner.bounds
        area = v * 1e4 / ru(1.8, 2.4)  # floor area / plot ratio
        w = min(x1 - x0 - 20, math.sqrt(area * ru(1.0, 1.5)))
        h = area / w
        poly = lbox(x0 + 10, y0 + 10, x0 + 10 + w, y0 + 10 + h).difference(WATER_LOCAL)
        if poly.geom_type == "MultiPolygon":
            poly = max(poly.geoms, key=lambda g: g.area)
        rows.append({"year": year, "name": f"{next(HA_NAMES)}集中供热", "kind": "新增集中供热",
                     "heating_wan_m2": v, "local": poly})
add_site("heating_areas", "HA", "12", rows)
SITE_FIELDS["heating_areas"] = ["heating_wan_m2"]

# 16 dead_end_roads (work 14) and 17 water_bridges
rows, bridges = [], []
for road, c1, c2, year in DEAD_ENDS:
    p1, p2 = sorted([cross_pos(road, c1), cross_pos(road, c2)])  # type: ignore[type-var]
    geom = line_between(road, p1, p2)
    rows.append({"year": year, "kind": "断头路打通", "name": f"{road}({c1}-{c2})打通工程",
                 "geom": geom})
    if year == 2020:
        for ch, cname in ((JIUDOU, "九斗沟"), (LIYUAN, "梨园沟")):
            x = to_local(ch).intersection(geom)
            if not x.is_empty:
                bridges.append({"year": 2020, "kind": "水系桥", "name": f"{road}{cname}桥",
                                "channel": cname, "geom": x})
add_site("dead_end_roads", "DE", "14", rows)
assert len(bridges) == 3, bridges
add_site("water_bridges", "WB", "14", bridges)
SITE_FIELDS["water_bridges"] = ["channel"]

# 19 waterlogging (work 17)
RING = chamfer(lbox(-2820, -1450, 3350, 2270), 350).exterior
rows = [
    {"year": 2020, "kind": "易涝路段", "name": "鲁北大街(新汽车站-工业二路)易涝路段改造",
     "geom": line_between("鲁北大街", EW_Y["工业二路"], BUS_STATION[1])},
    {"year": 2021, "kind": "易涝路段", "name": "河东四路(阳城七路-阳城八路)易涝路段改造",
     "geom": line_between("河东四路", EW_Y["阳城八路"], EW_Y["阳城七路"])},
    {"year": 2022, "kind": "环城水系", "name": "城市排涝生态治理(环城水系工程)", "local": RING},
]
add_site("waterlogging", "WL", "17", rows)

# 20 parking_lots (work 19)
rows = []
for k, p in enumerate(PARKING):
    area = p["local"].area
    rows.append({"year": p["year"], "name": p["name"], "kind": "公共停车场",
                 "spaces": int(round(area / 28 / 5) * 5), "smart": "是" if k % 3 != 1 else "否",
                 "local": p["local"]})
add_site("parking_lots", "PK", "19", rows)
SITE_FIELDS["parking_lots"] = ["spaces", "smart"]

# 21 sorting_demo_areas (work 23)
SORTING = [(2020, "信城街道", "信城街道垃圾分类示范片区",
            to_local(chamfer(lbox(-2500, -520, -1200, 720), 80))),
           (2021, "金阳街道", "金阳街道垃圾分类示范片区",
            to_local(chamfer(lbox(1250, 100, 2450, 1340), 80))),
           (2021, "河流镇", "河流镇驻地垃圾分类示范片区", None),
           (2022, "商店镇", "商店镇驻地垃圾分类示范片区", None),
           (2022, "温店镇", "温店镇驻地垃圾分类示范片区", None)]
rows = []
for year, tw, nm, geom in SORTING:
    t = next(t for t in TOWNSHIPS if t["name"] == tw)
    if geom is None:
        s = t["seat"]
        geom = chamfer(box(s.x - 450, s.y - 400, s.x + 450, s.y + 400), 60)
    assert t["geom"].contains(geom), tw
    rows.append({"year": year, "kind": "垃圾分类示范片区", "name": nm, "township": tw,
                 "geom": geom})
add_site("sorting_demo_areas", "SD", "23", rows)
SITE_FIELDS["sorting_demo_areas"] = ["township"]

# 22 key_districts (work 26)
_scenic = unary_union([ZHIWANG.buffer(120), JIUDOU.buffer(100), LIYUAN.buffer(100),
                       JINYIN.buffer(60), SHENGXIAO.buffer(60)]).intersection(
    lbox(-2820, -1760, 3650, 2580))
_scenic = shapely.simplify(_scenic, 5)
rows = [
    {"year": 2020, "kind": "绿色装配式建筑片区", "name": "绿色装配式建筑产业片区",
     "local": chamfer(lbox(-3780, -3430, -1880, -2400), 60)},
    {"year": 2021, "kind": "休闲旅游景区", "name": "“一渠两沟三湾”节假日休闲旅游景区",
     "local": _scenic},
    {"year": 2022, "kind": "第四代住宅", "name": "第四代住宅示范片区",
     "local": block_inner(3, 8).buffer(-10, join_style="mitre")},
]
add_site("key_districts", "KD", "26", rows)

# 23 culture_center (work 27)
add_site("culture_center", "CC", "27",
         [{"year": 2022, "kind": "文化中心", "name": "县文化中心",
           "venues": "图书馆;文化馆;博物馆;剧院;展厅",
           "local": chamfer(lbox(-1160, -150, -840, -400), 25)}])
SITE_FIELDS["culture_center"] = ["venues"]

# 24 pilot_zones (plan level, no work)
rows = [
    {"year": 2020, "kind": "试点片区", "name": "老城区城市品质提升试点片区",
     "theme": "城市更新;城市设计", "local": chamfer(lbox(-1850, -520, -100, 1340), 150)},
    {"year": 2021, "kind": "试点片区", "name": "九斗沟沿线城市品质提升试点片区",
     "theme": "生态修复;城市更新", "local": chamfer(lbox(-1850, 1960, 1850, 2800), 150)},
    {"year": 2022, "kind": "试点片区", "name": "河东新区城市品质提升试点片区",
     "theme": "清洁取暖;垃圾分类;城市设计", "local": chamfer(lbox(1250, -1760, 3650, -520), 150)},
]
add_site("pilot_zones", "PZ", "", rows)
SITE_FIELDS["pilot_zones"] = ["theme"]

# --------------------------------------------------------------------------------------------
# Context layers
# --------------------------------------------------------------------------------------------
CONTEXT: dict[str, list[dict[str, Any]]] = {}
CONTEXT_FIELDS: dict[str, list[str]] = {}
rows = []
for k, (road, cls, p1, p2) in enumerate(ROAD_PIECES, 1):
    rows.append({"id": f"RD-{k:03d}", "name": road, "source": SRC, "class": cls,
                 "geom": line_between(road, p1, p2)})
for bs in BACK_STREETS:
    rows.append({"id": bs["ctx_id"], "name": bs["name"], "source": SRC, "class": "背街小巷",
                 "geom": bs["geom"]})
CONTEXT["roads"] = rows
CONTEXT_FIELDS["roads"] = ["class"]

CONTEXT["residential"] = [
    {"id": f"RS-{k:04d}", "name": f"居住用地{k:04d}", "source": SRC, "landuse": "居住用地",
     "geom": to_local(p["local"])} for k, p in enumerate(PARCELS, 1)]
CONTEXT_FIELDS["residential"] = ["landuse"]

_bu = unary_union([to_local(block_rect(*b)) for b in BLOCKS]
                  + [to_local(lbox(-3800, -3450, -550, -2380))])
_bu = _bu.buffer(120, join_style="round").buffer(-60)
CONTEXT["built_up"] = [{"id": "BU-1", "name": "阳信县城建成区", "source": SRC,
                        "geom": shapely.simplify(_bu, 2)}]
CONTEXT_FIELDS["built_up"] = []

CONTEXT["townships"] = [{"id": f"TS-{k:02d}", "name": t["name"], "source": SRC,
                         "type": t["type"], "geom": t["geom"]}
                        for k, t in enumerate(TOWNSHIPS, 1)]
CONTEXT_FIELDS["townships"] = ["type"]

CONTEXT["parks"] = [{"id": f"PA-{k:02d}", "name": p["name"], "source": SRC, "class": p["class"],
                     "geom": to_local(p["local"])}
                    for k, p in enumerate(LARGE_PARKS + SMALL_PARKS, 1)]
CONTEXT_FIELDS["parks"] = ["class"]

# --------------------------------------------------------------------------------------------
# Layer definitions
# --------------------------------------------------------------------------------------------
REG = yaml.safe_load((ROOT / "geo" / "register.yaml").read_text(encoding="utf-8"))
WORK_ACTION = {w["number"]: w["action"] for w in REG["works"]}
WORK_LEAD = {w["number"]: w["lead_units"][0] for w in REG["works"]}

FIELD_DEFS: dict[str, tuple[str, str, str]] = {
    "road_id": ("str", "道路编号", "Road id"),
    "water_body": ("str", "水体类型", "Water body"),
    "old_community_id": ("str", "对应老旧小区", "Old community id"),
    "capacity_t_per_day": ("float", "新增处理能力(吨/日)", "Capacity added (t/day)"),
    "note": ("str", "备注", "Note"),
    "along": ("str", "沿线", "Along"),
    "star_rating": ("int", "星级", "Star rating"),
    "monitoring": ("str", "在线监测", "Online monitoring"),
    "road_class": ("str", "道路等级", "Road class"),
    "heating_wan_m2": ("float", "新增供热面积(万m²)", "Heating area added (10⁴ m²)"),
    "channel": ("str", "所跨水系", "Channel"),
    "households": ("int", "户数", "Households"),
    "built_year": ("int", "建成年份", "Year built"),
    "spaces": ("int", "泊位数", "Parking spaces"),
    "smart": ("str", "智慧停车", "Smart parking"),
    "township": ("str", "乡镇(街道)", "Township"),
    "venues": ("str", "场馆", "Venues"),
    "theme": ("str", "试点主题", "Pilot themes"),
    "class": ("str", "等级", "Class"),
    "landuse": ("str", "用地性质", "Land use"),
    "type": ("str", "类型", "Type"),
}

# layer: (geometry, works, theme, zh, en, style)
SITE_META: dict[str, tuple[str, list[int], str | None, str, str]] = {
    "facade_roads": ("LineString", [2], "城市更新", "建筑立面整治道路", "Façade renovation roads"),
    "overhead_lines": ("LineString", [3], "城市更新", "架空线路整治", "Overhead line clean-up"),
    "back_streets": ("LineString", [4], "城市更新", "背街小巷照明改造", "Back-street lighting"),
    "commercial_lighting": ("Polygon", [4], "城市设计", "商业街区照明亮化",
                            "Commercial street and area lighting"),
    "water_restoration": ("LineString", [5], "生态修复", "水生态保护修复", "Water restoration"),
    "sewer_lines": ("LineString", [6], "城市更新", "雨污分流及排水管线",
                    "Sewer separation and drainage lines"),
    "sewer_communities": ("Polygon", [6], "城市更新", "小区雨污分流改造",
                          "Communities with sewer separation"),
    "wastewater_plants": ("Point", [6], "生态修复", "污水处理厂", "Wastewater plants"),
    "pocket_parks": ("Polygon", [8], "生态修复", "口袋公园及节点提升", "Pocket parks and nodes"),
    "greenways": ("LineString", [8], "生态修复", "绿道及人行步道", "Greenways and footpaths"),
    "green_buildings": ("Polygon", [9], "城市设计", "绿色建筑及装配式建筑",
                        "Green and prefabricated buildings"),
    "construction_sites": ("Point", [10], None, "建筑工地", "Construction sites"),
    "construction_waste_sites": ("Point", [10], None, "建筑垃圾消纳场",
                                 "Construction-waste sites"),
    "deep_cleaning_roads": ("LineString", [11], None, "主次干道深度保洁",
                            "Deep-cleaned trunk and secondary roads"),
    "heating_areas": ("Polygon", [12], "清洁取暖", "新增集中供热区域", "District heating added"),
    "dead_end_roads": ("LineString", [14], "城市更新", "打通断头路", "Dead-end roads opened"),
    "water_bridges": ("Point", [14], "生态修复", "新建水系桥", "Water-system bridges"),
    "old_communities": ("Polygon", [16], "城市更新", "老旧小区改造",
                        "Old residential communities"),
    "waterlogging": ("LineString", [17], "生态修复", "易涝路段及环城水系",
                     "Waterlogging sections and ring water system"),
    "parking_lots": ("Polygon", [19], "城市更新", "公共停车场", "Public car parks"),
    "sorting_demo_areas": ("Polygon", [23], "垃圾分类", "垃圾分类示范片区",
                           "Waste-sorting demonstration areas"),
    "key_districts": ("Polygon", [26], "城市设计", "重点片区", "Key districts"),
    "culture_center": ("Polygon", [27], "城市设计", "县文化中心", "County culture center"),
    "pilot_zones": ("Polygon", [], None, "城市品质提升试点片区", "City quality pilot zones"),
}
CONTEXT_META = {
    "roads": ("LineString", "道路网", "Road network"),
    "residential": ("Polygon", "居住用地", "Residential land"),
    "built_up": ("Polygon", "建成区", "Built-up area"),
    "townships": ("Polygon", "乡镇(街道)", "Townships and subdistricts"),
    "parks": ("Polygon", "现状公园", "Existing parks"),
}

# layer: purpose (docs/workspace.md): how metrics find the layers, whatever they are called
PURPOSE = {
    "pilot_zones": "pilot_zones",
    "pocket_parks": "new_parks",
    "dead_end_roads": "new_roads",
    "roads": "roads",
    "residential": "residential",
    "built_up": "built_up",
    "townships": "townships",
    "parks": "parks",
}


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_layer(name: str, role: str, geometry: str, title: tuple[str, str],
               popup: list[str], fields: list[str], works: list[int] | None = None,
               theme: str | None = None, src_dir: str = "sites") -> str:
    out = io.StringIO()
    out.write("# Generated by tools/make_schematic.py — schematic (示意) data.\n")
    out.write(f"name = {q(name)}\n")
    out.write(f"role = {q(role)}\n")
    out.write(f"source = {q(f'geo/{src_dir}/{name}.geojson')}\n")
    out.write(f"geometry = {q(geometry)}\n")
    if name in PURPOSE:
        out.write(f"purpose = {q(PURPOSE[name])}\n")
    if role == "sites":
        assert works is not None
        if works:
            actions = {WORK_ACTION[w] for w in works}
            assert len(actions) == 1
            out.write(f"action = {actions.pop()}\n")
        out.write(f"works = [{', '.join(str(w) for w in works)}]\n")
        if theme:
            out.write(f"theme = {q(theme)}\n")
    out.write(f"title = {{ zh = {q(title[0])}, en = {q(title[1])} }}\n")
    out.write(f"popup = [{', '.join(q(p) for p in popup)}]\n\n")
    out.write("[fields]\n")
    for f in fields:
        t, zh, en = FIELD_DEFS[f]
        out.write(f"{f} = {{ type = {q(t)}, zh = {q(zh)}, en = {q(en)} }}\n")
    out.write("\n[style]\n")
    if geometry == "Point":
        out.write("weight = 1\nfill_opacity = 0.8\n")
        marker = {"wastewater_plants": "diamond", "construction_waste_sites": "diamond",
                  "water_bridges": "square"}.get(name, "circle")
        out.write(f"marker = {q(marker)}\n")
    elif geometry == "LineString":
        w = 2 if name in ("back_streets", "roads") else 4
        out.write(f"weight = {w}\nfill_opacity = 0.0\n")
    else:
        fo = 0.1 if name in ("pilot_zones", "townships", "built_up", "key_districts") else 0.35
        out.write(f"weight = 2\nfill_opacity = {fo}\n")
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Status log
# --------------------------------------------------------------------------------------------
def d(y: int, doy: int) -> dt.date:
    return dt.date(y, 1, 1) + dt.timedelta(days=doy)


def status_events() -> list[dict[str, str]]:
    ev: list[dict[str, str]] = []
    issued = dt.date(2020, 6, 21)
    late_oc = [r["id"] for r in SITES["old_communities"] if r["year"] == 2021][-2:]
    late_de = [r["id"] for r in SITES["dead_end_roads"] if r["year"] == 2022][-1]
    late_bs = [r["id"] for r in SITES["back_streets"] if r["year"] == 2022][-6:]
    late_ha = [r["id"] for r in SITES["heating_areas"] if r["year"] == 2022][-1]
    late_pp = [r["id"] for r in SITES["pocket_parks"] if r["year"] == 2022][-1]
    late_ol = [r["id"] for r in SITES["overhead_lines"] if r["year"] == 2022][-1]
    no_mon = [r["id"] for r in SITES["construction_sites"] if r["monitoring"] == "否"]
    for layer in sorted(SITES):
        works = SITE_META[layer][1]
        unit = WORK_LEAD[works[0]] if works else WORK_LEAD[1]
        for r in SITES[layer]:
            y = r["year"]
            if y == 2020:
                start = issued + dt.timedelta(days=ri(10, 80))
            else:
                start = d(y, ri(45, 180))
            done = start + dt.timedelta(days=ri(60, 160))
            if done > dt.date(y, 12, 28):
                done = dt.date(y, 12, ri(15, 28))

            def add(date: dt.date, status: str, pct: int | None, rid: str = r["id"],
                    u: str = unit) -> None:
                ev.append({"date": date.isoformat(), "id": rid, "status": status,
                           "percent": "" if pct is None else str(pct), "note": NOTE,
                           "unit": u, "recorded_at": f"{date.isoformat()}T09:00:00+08:00"})

            add(start, "进行中", ri(10, 40))
            rid = r["id"]
            if rid in late_oc:
                add(dt.date(y, 11, 20), "进行中", ri(70, 85))
                add(dt.date(2022, 3, ri(10, 28)), "已完成", 100)
            elif rid == late_de:
                add(dt.date(2022, 9, 30), "滞后", 35)
            elif rid in late_bs:
                add(dt.date(2022, 11, 30), "进行中", ri(60, 80))
                add(dt.date(2023, ri(3, 4), ri(1, 28)), "已完成", 100)
            elif rid == late_ha:
                add(dt.date(2022, 11, 15), "进行中", 85)
                add(dt.date(2023, 1, 12), "已完成", 100)
            elif rid == late_pp:
                add(dt.date(2022, 12, 10), "进行中", 70)
                add(dt.date(2023, 5, 20), "已完成", 100)
            elif rid == late_ol:
                add(dt.date(2022, 10, 8), "滞后", 40)
            elif rid in no_mon:
                pass  # still being equipped
            elif layer == "key_districts" and y == 2022:
                add(dt.date(2022, 12, 20), "进行中", 60)
            else:
                add(done, "已完成", 100)
    ev.sort(key=lambda e: (e["date"], e["id"], e["status"]))
    assert all(e["date"] <= "2023-06-30" for e in ev)
    return ev


# --------------------------------------------------------------------------------------------
# Write everything
# --------------------------------------------------------------------------------------------
def main() -> None:
    for layer, rows_ in SITES.items():
        fields = SITE_FIELDS.get(layer, [])
        write_layer(OUT_SITES / f"{layer}.geojson", rows_, SITE_COLUMNS + fields)
        geom, works, theme, zh, en = SITE_META[layer]
        popup = ["name", "kind", "year", *[f for f in fields if f != "road_id"],
                 "status", "status_date"]
        (OUT_LAYERS / f"{layer}.toml").write_text(
            toml_layer(layer, "sites", geom, (zh, en), popup, fields, works, theme),
            encoding="utf-8")
    for layer, rows_ in CONTEXT.items():
        fields = CONTEXT_FIELDS[layer]
        write_layer(OUT_CONTEXT / f"{layer}.geojson", rows_, ["id", "name", "source", *fields])
        geom, zh, en = CONTEXT_META[layer]
        (OUT_LAYERS / f"{layer}.toml").write_text(
            toml_layer(layer, "context", geom, (zh, en), ["name", *fields], fields,
                       src_dir="context"), encoding="utf-8")
    ev = status_events()
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["date", "id", "status", "percent", "note", "unit",
                                        "recorded_at"], lineterminator="\n")
    w.writeheader()
    w.writerows(ev)
    (ROOT / "geo" / "status_log.csv").write_text(buf.getvalue(), encoding="utf-8")
    print(f"sites: {sum(len(v) for v in SITES.values())} features in {len(SITES)} layers; "
          f"context: {sum(len(v) for v in CONTEXT.values())} features; "
          f"status log: {len(ev)} events")


if __name__ == "__main__":
    main()
