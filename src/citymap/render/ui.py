"""The words of the map page, per language (``zh``, ``en``): the ``ui`` object of the blob."""

from __future__ import annotations

__all__ = ["UI"]

UI: dict[str, dict[str, str]] = {
    "zh": {
        "map": "总图", "layers": "图层", "basemaps": "底图", "legend": "图例",
        "pending": "待审核", "submission": "填报", "submitter": "填报人",
        "proposed": "拟改为", "unit": "单位",
        "status": "状态", "metrics": "目标进度", "planned": "计划", "done": "完成",
        "asof": "截至", "search": "搜索名称或工程编号…", "noresult": "无结果",
        "work": "工程", "action": "行动", "lead": "牵头单位", "partners": "责任单位",
        "targets": "计入目标", "source": "来源", "schematic": "示意 — 示意性数据，非实测",
        "schematicShort": "示意", "pilot": "试点片区", "context": "基础数据",
        "area": "面积", "coverage": "已完成", "sites": "处", "other": "其他",
        "maps": "其他地图", "units": "按牵头单位", "actions": "按行动", "home": "← 总图",
        "reset": "复位视图", "measure": "量测距离/面积", "measureClear": "清除量测",
        "distance": "距离", "measureHint": "单击地图加点，双击结束",
        "fullscreen": "全屏", "exitFullscreen": "退出全屏", "none": "无底图",
        "total": "合计", "id": "编号", "yes": "是", "no": "否", "noMetrics":
        "指标计算不可用", "noTargets": "本年无目标", "gcj": "GCJ-02 坐标 (高德)",
        "today": "今天", "endOf": "年底", "target": "目标", "targetsOf": "{y}年目标",
        "v_met": "达标", "v_on track": "按进度", "v_in progress": "推进中", "v_behind": "滞后",
        "v_not measurable": "无法测算", "v_no data": "无数据", "v_not met": "未达标",
        "notMeasurable": "无法由图形测算", "recorded": "记录状态", "standard": "标准",
        "health": "城市体检指标", "service": "公园绿地服务半径覆盖 (居住用地)",
        "covered": "服务半径内", "uncovered": "服务半径外", "parcel": "居住用地",
        "zoneCovered": "覆盖", "zoneDone": "已完成", "belowMin": "小于",
        "scope_county": "全县", "scope_county seat": "县城", "warn": "未计算",
        "late": "逾期", "lateLegend": "逾期 (已过计划年份未完成或报滞后)",
        "lateSites": "逾期点位", "lateWorks": "滞后工程", "lateTargets": "逾期目标",
        "play": "播放", "pause": "暂停", "timeAxis": "时间轴 (按月)",
        "tilesFailed": "底图无法加载 (无网络或被拦截) — 数据照常显示",
        "panels": "面板", "search_": "搜索",
    },
    "en": {
        "map": "Overview", "layers": "Layers", "basemaps": "Base maps", "legend": "Legend",
        "pending": "Pending review", "submission": "Submission", "submitter": "Submitted by",
        "proposed": "Proposed", "unit": "Unit",
        "status": "Status", "metrics": "Targets", "planned": "planned", "done": "done",
        "asof": "As of", "search": "Search name or work number…", "noresult": "No match",
        "work": "Work", "action": "Action", "lead": "Lead units", "partners":
        "Responsible units", "targets": "Counts toward", "source": "Source", "schematic":
        "示意 — schematic data, not surveyed", "schematicShort": "schematic", "pilot":
        "Pilot zones", "context": "Base data", "area": "Area", "coverage": "done",
        "sites": "sites", "other": "Other", "maps": "Other maps", "units": "By lead unit",
        "actions": "By action", "home": "← Overview", "reset": "Reset view", "measure":
        "Measure distance/area", "measureClear": "Clear measurement", "distance":
        "Distance", "measureHint": "Click to add points, double-click to finish",
        "fullscreen": "Full screen", "exitFullscreen": "Exit full screen", "none":
        "No base map", "total": "Total", "id": "ID", "yes": "yes", "no": "no",
        "noMetrics": "metrics unavailable", "noTargets": "no target this year", "gcj":
        "GCJ-02 coordinates (AMap)", "today": "today", "endOf": "end of", "target":
        "target", "targetsOf": "Targets of {y}", "v_met": "met", "v_on track": "on track",
        "v_in progress": "in progress", "v_behind": "behind", "v_not measurable":
        "not measurable", "v_no data": "no data", "v_not met": "not met", "notMeasurable":
        "not measurable from geometry", "recorded": "recorded", "standard": "standard",
        "health": "Health-check indicators", "service":
        "Park service-radius coverage (residential land)", "covered": "within the radius",
        "uncovered": "outside the radius", "parcel": "Residential land", "zoneCovered":
        "covered", "zoneDone": "done", "belowMin": "below", "scope_county": "county",
        "scope_county seat": "county seat", "warn": "not computed",
        "late": "overdue", "lateLegend": "overdue (planned year over and not done, or "
        "reported behind)", "lateSites": "overdue sites", "lateWorks": "works behind",
        "lateTargets": "targets overdue", "play": "Play", "pause": "Pause",
        "timeAxis": "Time axis (by month)", "tilesFailed": "The base map cannot load (no "
        "network or blocked) — the data is still drawn", "panels": "Panels",
        "search_": "Search",
    },
}
