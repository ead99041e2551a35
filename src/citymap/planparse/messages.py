"""What the parser could not place, in Chinese and English (one table, both languages)."""

from __future__ import annotations

from typing import Any

from citymap.planparse.records import Unplaced

__all__ = ["MESSAGES", "unplaced"]

#: key → (Chinese, English) templates of :attr:`Unplaced.reason`.
MESSAGES: dict[str, tuple[str, str]] = {
    "no_year": ("{q}: 句中没有年份{hint_zh}{period_zh}",
                "{q}: no year in the sentence{hint}{period}"),
    "upper_bound": ("{q}: 上限 (以下/不超过), 台账只认 '>=' 与 '='",
                    "{q}: an upper bound (以下/不超过); the register knows only '>=' and '='"),
    "several_metrics": ("{q}: 可对应多个指标 ({metrics})", "{q}: several metrics fit ({metrics})"),
    "no_metric": ("{q}: 没有关键词规则能把它对应到单位为 {unit!r} 的指标",
                  "{q}: no keyword rule maps it to a metric citymap knows in {unit!r}"),
    "outside_period": ("{q}: 年份 {year} 不在规划期 {lo}–{hi} 内",
                       "{q}: year {year} is outside the plan years ({lo}, {hi})"),
    "phase_dates": ("阶段缺少起止日期", "phase without a start and end date"),
    "no_units": ("未找到牵头单位 (应为 '(牵头单位:…;责任单位:…)'、'(X牵头,Y配合)'、"
                 "'责任单位:…' 等)", "no lead units found (expected '(牵头单位:…,责任单位:…)', "
                 "'(X牵头,Y配合)', '责任单位:…' or '由…牵头')"),
    "no_action": ("工程不在任何行动标题之下", "work is not under an action heading"),
    "no_county": ("标题与发文单位中没有县/区/市名, 县名留空, 请填写",
                  "no county, district or city name in the title or issuing body: the county "
                  "is left empty, fill it in"),
    "no_title": ("未找到文件标题, 请填写", "no document title found: fill it in"),
    "no_name": ("工程名称不明 (名称后没有句号), 暂取开头文字, 请核对",
                "the work's name is not clear (no full stop after it): its first words are "
                "used, check them"),
    "no_period": ("原文未写规划期 (如 2021—2023年 或 自2021年起用三年时间), 请填写 start 与 end",
                  "the text gives no plan period (such as 2021—2023年 or 自2021年起…三年): "
                  "fill in start and end"),
}


def unplaced(text: str, key: str, *, work: int | None = None, value: float | None = None,
             unit: str | None = None, metric: str | None = None, unit_written: str = "",
             field: str = "", **fmt: Any) -> Unplaced:
    """An :class:`Unplaced` with its reason in both languages from :data:`MESSAGES`."""
    zh, en = MESSAGES[key]
    args = {"work": work, "value": value, "unit": unit, "metric": metric, **fmt}
    return Unplaced(text, en.format(**args), work, value, unit, metric, unit_written, field,
                    zh.format(**args))
