"""The words citymap knows: statuses, verdicts, their colours, layer purposes, metrics and how
each is measured, labels in two languages. One home: every module imports them from here.

Everything here is data. The register names metrics by key; a key that is not in
:data:`METRICS` is refused on loading, so that every target has a defined computation.
"""

from __future__ import annotations

from typing import Literal

import attrs

from citymap.i18n import N_, _

__all__ = [
    "DONE",
    "BEHIND",
    "STARTED",
    "NOT_STARTED",
    "PLAN_PENDING",
    "WORK_STATUSES",
    "SITE_STATUSES",
    "STATUS_EN",
    "STATUS_COLORS",
    "STATUS_DASHES",
    "STATUS_SHAPES",
    "VERDICTS",
    "VERDICT_ZH",
    "VERDICT_COLORS",
    "verdict_label",
    "PURPOSES",
    "SINGLE_PURPOSES",
    "PURPOSE_SHAPES",
    "BASEMAPS",
    "EXPORT_FORMATS",
    "MEASURES",
    "Metric",
    "METRICS",
    "COMPARISONS",
    "SCHEMATIC",
    "PLAN_YEARS",
    "label",
    "SCOPES",
    "scope_label",
]

DONE = "已完成"
BEHIND = "滞后"
STARTED = "进行中"
NOT_STARTED = "未开始"
PLAN_PENDING = "方案待定"
#: Status of a work in the register.
WORK_STATUSES: tuple[str, ...] = (NOT_STARTED, STARTED, DONE, BEHIND, PLAN_PENDING)
#: Status of a site.
SITE_STATUSES: tuple[str, ...] = (NOT_STARTED, STARTED, DONE, BEHIND)
STATUS_EN: dict[str, str] = {
    NOT_STARTED: "not started",
    STARTED: "in progress",
    DONE: "done",
    BEHIND: "behind",
    PLAN_PENDING: "plan pending",
}
#: Colours of the site statuses (Okabe-Ito: distinguishable with colour-blindness); maps and
#: report always show them with the word or a shape as well.
STATUS_COLORS: dict[str, str] = {NOT_STARTED: "#999999", STARTED: "#0072B2", DONE: "#009E73",
                                 BEHIND: "#D55E00"}
#: Line dash of each status on the map (``None``: solid): status is not told by colour alone.
STATUS_DASHES: dict[str, str | None] = {NOT_STARTED: "2 5", STARTED: "9 5", DONE: None,
                                        BEHIND: "12 4 2 4"}
#: Point marker shape of each status on the map.
STATUS_SHAPES: dict[str, str] = {NOT_STARTED: "circle", STARTED: "triangle", DONE: "square",
                                 BEHIND: "diamond"}

#: Verdicts of a target or indicator (``citymap.metrics``), in English as computed.
VERDICTS: tuple[str, ...] = ("met", "on track", "in progress", "behind", "not measurable",
                             "no data")
#: The verdicts in Chinese (``not met``: an indicator below its standard).
VERDICT_ZH: dict[str, str] = {"met": "达标", "on track": "按进度", "in progress": "推进中",
                              "behind": "滞后", "not measurable": "无法测算", "no data": "无数据",
                              "not met": "未达标"}
#: Colours of the verdicts (text and chart labels); always shown with the word.
VERDICT_COLORS: dict[str, str] = {"met": "#007a5a", "on track": "#0b62a4",
                                  "in progress": "#9a6700", "behind": "#b00020",
                                  "not measurable": "#555555", "no data": "#555555",
                                  "not met": "#b00020"}


def verdict_label(verdict: str, lang: str = "zh") -> str:
    """The verdict ``verdict`` (English key) in ``lang``."""
    return verdict if lang == "en" else VERDICT_ZH.get(verdict, verdict)


#: What a layer is for (``purpose`` in ``layers/<name>.toml``): how metrics find their layers,
#: whatever the layers are called and however the plan numbers its works.
PURPOSES: dict[str, str] = {
    "pilot_zones": "the plan's pilot zones (sites, Polygon): zone coverage, the area rule",
    "parks": "existing parks (context, Polygon): they serve residents (park service radius)",
    "new_parks": "parks the plan builds (sites, Polygon): those done serve residents too; the "
                 "lead units of their works answer for the park service radius",
    "residential": "residential land (context, Polygon): the park service-radius denominator",
    "roads": "the road network (context, LineString): road network density",
    "new_roads": "roads the plan opens (sites, LineString): the lead units of their works "
                 "answer for road network density",
    "built_up": "the built-up area (context, Polygon): the road density denominator",
    "townships": "townships and subdistricts (context, Polygon): township-counted metrics",
}
#: Purposes at most one layer of a workspace may have (the others may be spread over layers).
SINGLE_PURPOSES: tuple[str, ...] = ("pilot_zones", "residential", "roads", "built_up",
                                    "townships")
#: The role (``sites``/``context``) and geometry type each purpose requires.
PURPOSE_SHAPES: dict[str, tuple[str, str]] = {
    "pilot_zones": ("sites", "Polygon"),
    "parks": ("context", "Polygon"),
    "new_parks": ("sites", "Polygon"),
    "residential": ("context", "Polygon"),
    "roads": ("context", "LineString"),
    "new_roads": ("sites", "LineString"),
    "built_up": ("context", "Polygon"),
    "townships": ("context", "Polygon"),
}
#: Base maps a map can have (``citymap build --basemap``).
BASEMAPS: tuple[str, ...] = ("osm", "tianditu", "amap", "none", "tiles")
#: Formats ``citymap export`` writes (``all``: every one but DXF, for CAD, written when asked).
EXPORT_FORMATS: tuple[str, ...] = ("geojson", "gpkg", "shp", "csv", "dxf")
#: The ``source`` value of schematic (not surveyed) data.
SCHEMATIC = "示意"
#: The plan period of a register that gives no ``plan.start``/``plan.end`` (the seed's,
#: 2020–2022). Everything else reads the loaded plan's own years: ``Plan.years``,
#: ``Workspace.plan_years``.
PLAN_YEARS: tuple[int, int] = (2020, 2022)
COMPARISONS: tuple[str, ...] = (">=", "=")
#: Where an indicator is measured (``Indicator.scope``; else a pilot zone's id), as computed.
SCOPES: dict[str, str] = {"county": N_("county"), "county seat": N_("county seat")}


def scope_label(scope: str) -> str:
    """The scope ``scope`` of an indicator in the current language (a zone id as it is)."""
    return _(SCOPES[scope]) if scope in SCOPES else scope


Measure = Literal[
    "count", "length", "area", "attr_sum", "share_length", "share_count", "area_each", "recorded"
]
#: How a metric is measured from the sites of its layer.
MEASURES: dict[str, str] = {
    "count": N_("number of sites done"),
    "length": N_("length of sites done, km (EPSG:4548)"),
    "area": N_("footprint area of sites done, m² (EPSG:4548)"),
    "attr_sum": N_("sum of an attribute over sites done"),
    "share_length": N_("length done as % of the denominator layer's length"),
    "share_count": N_("count done as % of the denominator layer's count"),
    "area_each": N_("every site of the year has at least the value (area, km²)"),
    "recorded": N_("not measurable from geometry: the recorded value is shown"),
}


@attrs.frozen
class Metric:
    """A metric citymap knows how to compute.

    Attributes
    ----------
    key
        The key used in the register.
    zh, en
        Labels.
    unit
        The unit the register must use for it.
    measure
        How it is measured (a key of :data:`MEASURES`).
    attribute
        For ``attr_sum``: the site attribute summed.
    """

    key: str
    zh: str
    en: str
    unit: str
    measure: str
    attribute: str | None = None


def _m(key: str, zh: str, en: str, unit: str, measure: str, attribute: str | None = None) -> Metric:
    return Metric(key, zh, en, unit, measure, attribute)


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        _m("lamp_install_rate", "装灯率", "lamp installation rate", "%", "recorded"),
        _m("lamp_lit_rate", "亮灯率", "lamps lit", "%", "recorded"),
        _m("lighting_intact_rate", "照明设施完好率", "lighting in good repair", "%", "recorded"),
        _m("back_street_lighting_share", "背街小巷照明改造比例",
           "back-street length with functional lighting", "%", "share_length"),
        _m("commercial_street_lighting", "商业街照明亮化", "commercial streets lit", "处", "count"),
        _m("commercial_area_lighting", "商业片区照明亮化", "commercial areas lit", "处", "count"),
        _m("facade_demo_road", "立面整治示范路", "façade demonstration road", "条", "count"),
        _m("facade_road_share", "道路立面整治比例", "road length with façades renovated", "%",
           "share_length"),
        _m("water_projects_completed", "水系治理项目完成", "water projects completed", "项",
           "count"),
        _m("water_projects_designed", "水系项目规划设计完成", "water projects designed", "项",
           "count"),
        _m("sewer_separation_roads", "道路雨污分流改造", "roads with separated sewers", "条",
           "count"),
        _m("sewer_separation_communities", "小区雨污分流改造",
           "communities with separated sewers", "个", "count"),
        _m("wastewater_plant_expansion", "污水处理厂扩建", "wastewater plant expansions", "座",
           "count"),
        _m("wastewater_capacity_added", "新增污水处理能力", "wastewater capacity added", "吨/日",
           "recorded"),
        _m("pocket_parks", "口袋公园及节点", "pocket parks and nodes", "处", "count"),
        _m("greenway_length", "绿道长度", "greenway length", "km", "length"),
        _m("construction_sites_monitored", "工地在线监测安装率",
           "construction sites with online monitoring", "%", "share_count"),
        _m("construction_waste_sites", "建筑垃圾消纳场", "construction-waste sites", "座",
           "count"),
        _m("deep_cleaning_share", "主次干道深度保洁比例",
           "trunk and secondary road length deep-cleaned", "%", "share_length"),
        _m("heating_area_added", "新增集中供热面积", "district heating area added", "万m²",
           "attr_sum", "heating_wan_m2"),
        _m("heating_area_connected", "集中供热接通面积", "district heating area connected",
           "万m²", "recorded"),
        _m("dead_end_roads_opened", "打通断头路", "dead-end roads opened", "条", "count"),
        _m("water_bridges_built", "新建水系桥", "water-system bridges built", "座", "count"),
        _m("old_communities_retrofitted", "老旧小区改造", "old communities retrofitted", "个",
           "count"),
        _m("waterlogging_sections_fixed", "易涝路段改造", "waterlogging sections fixed", "处",
           "count"),
        _m("ring_water_system", "环城水系工程", "ring water system", "项", "count"),
        _m("platform_milestone", "平台建设节点", "platform milestone", "项", "recorded"),
        _m("sorting_demo_townships", "垃圾分类示范片区乡镇数",
           "townships with a waste-sorting demonstration area", "个", "count"),
        _m("sorting_demo_township_share", "垃圾分类示范片区乡镇比例",
           "share of townships with a waste-sorting demonstration area", "%", "share_count"),
        _m("culture_center_built", "县文化中心", "county culture center", "座", "count"),
        _m("pilot_zone_area", "试点片区面积", "pilot zone area", "km²", "area_each"),
    ]
}

_LABELS: dict[str, str] = {
    "工程": "Work",
    "行动": "Action",
    "名称": "Name",
    "牵头单位": "Lead units",
    "责任单位": "Responsible units",
    "状态": "Status",
    "目标": "Targets",
    "年份": "Year",
    "指标": "Metric",
    "目标值": "Target",
    "单位": "Unit",
    "比较": "Comparison",
    "图层": "Layer",
    "内容": "Summary",
    "备注": "Note",
    "存疑": "Flag",
    "需现场": "Site-bound",
    "是": "yes",
    "否": "no",
    "阶段": "Phases",
    "工程列表": "Works",
    "示意": "schematic",
    "角色": "Role",
    "牵头": "lead",
    "责任": "shares",
}


def label(zh: str, lang: str = "zh") -> str:
    """Return the label ``zh`` in ``lang`` (``"zh"`` or ``"en"``)."""
    if lang == "en":
        return _LABELS.get(zh, STATUS_EN.get(zh, zh))
    return zh
