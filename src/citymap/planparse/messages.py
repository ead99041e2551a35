"""What the parser could not place: the reasons, from the message catalogue."""

from __future__ import annotations

from typing import Any

from citymap.i18n import N_, tr
from citymap.planparse.records import Unplaced

__all__ = ["MESSAGES", "unplaced"]

#: key → the template of :attr:`Unplaced.reason` (an English message id, translated by
#: :func:`citymap.i18n.tr`; ``reason_zh`` is its Chinese).
MESSAGES: dict[str, str] = {
    "no_year": N_("{q}: no year in the sentence{hint}{period}"),
    "upper_bound": N_("{q}: an upper bound (以下/不超过); the register knows only '>=' and '='"),
    "several_metrics": N_("{q}: several metrics fit ({metrics})"),
    "no_metric": N_("{q}: no keyword rule maps it to a metric citymap knows in {unit!r}"),
    "outside_period": N_("{q}: year {year} is outside the plan years ({lo}, {hi})"),
    "phase_dates": N_("phase without a start and end date"),
    "no_units": N_("no lead units found (expected '(牵头单位:…,责任单位:…)', '(X牵头,Y配合)', "
                   "'责任单位:…' or '由…牵头')"),
    "no_action": N_("work is not under an action heading"),
    "no_county": N_("no county, district or city name in the title or issuing body: the "
                    "county is left empty, fill it in"),
    "no_title": N_("no document title found: fill it in"),
    "no_name": N_("the work's name is not clear (no full stop after it): its first words are "
                  "used, check them"),
    "no_period": N_("the text gives no plan period (such as 2021—2023年 or 自2021年起…三年): "
                    "fill in start and end"),
}
#: The optional parts of ``no_year``: the metric a keyword suggests, the plan period.
HINT = N_(" (keyword suggests {metric})")
PERIOD = N_("; if a total over the plan period, start_year {start}, year {end}")


def reason(key: str, lang: str, *, suggests: str | None = None,
           period: tuple[int, int] | None = None, **fmt: Any) -> str:
    """The reason ``key`` in ``lang`` with its fields (``suggests``/``period``: the optional
    parts of ``no_year``).
    """
    hint = tr(HINT, lang).format(metric=suggests) if suggests else ""
    span = tr(PERIOD, lang).format(start=period[0], end=period[1]) if period else ""
    return tr(MESSAGES[key], lang).format(hint=hint, period=span, **fmt)


def unplaced(text: str, key: str, *, work: int | None = None, value: float | None = None,
             unit: str | None = None, metric: str | None = None, unit_written: str = "",
             field: str = "", suggests: str | None = None,
             period: tuple[int, int] | None = None, **fmt: Any) -> Unplaced:
    """An :class:`Unplaced` with its reason from the catalogue (English in ``reason``, the
    Chinese in ``reason_zh``).
    """
    args = {"work": work, "value": value, "unit": unit, "metric": metric, **fmt}
    en, zh = (reason(key, lang, suggests=suggests, period=period, **args)
              for lang in ("en", "zh"))
    return Unplaced(text, en, work, value, unit, metric, unit_written, field, zh)
