"""A draft register for review: write it as ``register.yaml`` text, compare it with a register.

The second half of :mod:`citymap.planparse`: that module reads a plan text into a
:class:`~citymap.planparse.DraftRegister`; this one writes the draft in the format of
``geo/register.yaml`` (metrics it could not place left ``null`` with a ``# 待核`` comment, so
``citymap validate`` refuses the draft until a planner has reviewed it) and lists the
differences between a draft and a reviewed register.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from citymap.i18n import _
from citymap.planparse import _CJK, DraftRegister, DraftTarget, Unplaced
from citymap.vocab import METRICS

__all__ = ["DRAFT_MARK", "compare_with_register", "draft_to_yaml"]

#: The first words of a draft: the mark `plan import -o` recognises as its own file.
DRAFT_MARK = "# 草稿 (DRAFT) — 由 citymap plan import"


# ----------------------------------------------------------------------------- YAML

_PLAIN = re.compile(rf"^[{_CJK}A-Za-z0-9_()《》“”、·\-.〔〕²/+ ]+$")


def _q(value: object) -> str:
    """A YAML scalar for ``value``, quoted when a plain scalar would be misread."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value)
    if (_PLAIN.match(s) and s == s.strip() and not s[0].isdigit() and not s.startswith("-")
            and s.lower() not in {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}):
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(items: Iterable[tuple[str, object]]) -> str:
    return "{" + ", ".join(f"{k}: {_q(v)}" for k, v in items) + "}"


def _target_yaml(t: DraftTarget) -> str:
    items: list[tuple[str, object]] = [
        ("id", t.id), ("metric", t.metric), ("name", t.name), ("value", t.value),
        ("unit", t.unit), ("comparison", t.comparison),
    ]
    if t.start_year != t.year:
        items.append(("start_year", t.start_year))
    items.append(("year", t.year))
    todo: list[str] = []
    if t.metric is None:
        todo.append("指标未定: 填写 citymap 指标或删除此行")
    else:
        m = METRICS[t.metric]
        if m.measure != "recorded":
            items.append(("layer", None))
            todo.append("图层")
        if m.measure in ("share_length", "share_count"):
            items.append(("denominator", None))
            todo.append("分母")
    if t.note:
        items.append(("note", t.note))
    line = f"- {_flow(items)}"
    written = f"原写法: {t.written}"
    if t.base_value is not None and t.base_unit and t.base_unit != t.unit:
        written += f" (= {_q(t.base_value)} {t.base_unit})"
    comment = f"  # 待核: {', '.join(todo)}; " if todo else "  # "
    return line + f"{comment}{written}; 原文: {t.text}".replace("\n", " ")


def draft_to_yaml(draft: DraftRegister) -> str:
    """Write a draft as register YAML (the format of ``geo/register.yaml``) for review.

    Unknown metrics are written as ``metric: null`` and layers and denominators as ``null``
    with a ``# 待核`` comment, so ``citymap validate`` refuses the draft until a planner has
    filled them in; what could not be placed is listed in comments at the end.

    Parameters
    ----------
    draft
        From :func:`parse_plan_text`.

    Returns
    -------
    str
        UTF-8 YAML text, simplified Chinese.
    """
    p = draft.plan
    out: list[str] = [
        f"{DRAFT_MARK} 从 {draft.source} 自动生成, 须人工审核后才能"
        "作为任务台账使用。",
        "# 待核: metric 为 null 的目标 (未能唯一判断指标, 见 citymap metrics --list), layer 与 "
        "denominator, site_bound 与 status;",
        "#   单位名称按原文记录 (未合并别名, 需要时补 unit_aliases);",
        "#   原文未写年份的数字不列为目标, 见文末 (未能归位);",
        "#   每个目标的注释给出原写法与所在句子。",
        "",
        "plan:",
        f"  title: {_q(p.title)}" + ("" if p.title else "  # 待核: 原文未找到标题"),
        f"  county: {_q(p.county)}" + ("" if p.county else "  # 待核: 标题与发文单位中没有县名"),
    ]
    if p.issued_by:
        out.append(f"  issued_by: {_q(p.issued_by)}")
    for key, d in (("issued", p.issued), ("start", p.start), ("end", p.end)):
        if d is not None:
            out.append(f"  {key}: {d.isoformat()}")
        elif key != "issued":
            out.append(f"  # {key}: 待核 — 原文未写规划期, 请填写 (YYYY-MM-DD)")
    if p.basis:
        out.append("  basis:")
        out.extend(f"    - {_q(b)}" for b in p.basis)
    if p.partner_units_of_every_work:
        out.append("  # 原文说明: 以下单位为每项工作的责任单位, 各工程中不再列出")
        out.append("  partner_units_of_every_work:")
        out.extend(f"    - {_q(u)}" for u in p.partner_units_of_every_work)
    out.append("")
    if draft.phases:
        out.append("phases:")
        for ph in draft.phases:
            out.append(f"  - {_flow([('number', ph.number), ('name', ph.name), ('start', ph.start), ('end', ph.end)])}")  # noqa: E501
        out.append("")
    out.append("actions:")
    for a in draft.actions:
        out.append(f"  - {_flow([('number', a.number), ('name', a.name)])}")
    out.append("")
    out.append("works:")
    for w in draft.works:
        out.append(f"  - number: {w.number}" + (f"  # 原文编号: {w.label}" if w.label else ""))
        out.append(f"    action: {_q(w.action)}" + ("  # 待核: 不在行动标题下"
                                                        if w.action is None else ""))
        out.append(f"    name: {_q(w.name)}")
        out.append(f"    lead_units: [{', '.join(_q(u) for u in w.lead_units)}]"
                   + ("" if w.lead_units else "  # 待核: 原文未写牵头单位"))
        out.append(f"    partner_units: [{', '.join(_q(u) for u in w.partner_units)}]")
        out.append(f"    summary: {_q(w.summary)}")
        if w.plan_only:
            out.append("    plan_only: true")
            out.append("    site_bound: false")
            out.append("    status: 方案待定")
        else:
            out.append("    status: 未开始  # 待核")
        if w.targets:
            out.append("    targets:")
            out.extend(f"      {_target_yaml(t)}" for t in w.targets)
        out.append("")
    if draft.plan_targets:
        out.append("plan_targets:")
        out.extend(f"  {_target_yaml(t)}" for t in draft.plan_targets)
        out.append("")
    if draft.unplaced:
        out.append("# 未能归位的内容 (unplaced), 请人工处理:")
        for u in draft.unplaced:
            out.append(f"#   - {u}".replace("\n", " "))
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- comparison


def _fmt_target(year: int, value: float, unit: str) -> str:
    v = int(value) if float(value).is_integer() else value
    return f"{year}: {v} {unit}"


def compare_with_register(draft: DraftRegister, register: Any) -> list[str]:
    """List the differences between a draft and a reviewed register.

    Compared: the title and county, the common responsible units, actions (numbers and
    names), works (numbers, names, actions, lead and responsible units, plan-only) and, per
    work and for the plan level, the sets of targets as (year, value, unit).

    Parameters
    ----------
    draft
        From :func:`parse_plan_text`.
    register
        A :class:`citymap.register.Register`.

    Returns
    -------
    list of str
        One line per difference; empty when they agree. A register target missing from the
        draft is marked "not in the text as year + number" (an expected gap when the text
        gives no year or no number) or "found without a year" when it is among the unplaced.
    """
    diffs: list[str] = []
    rp = register.plan
    if draft.plan.title != rp.title:
        diffs.append(_("plan title: draft {draft!r} vs register {register!r}")
                     .format(draft=draft.plan.title, register=rp.title))
    if draft.plan.county != rp.county:
        diffs.append(_("plan county: draft {draft!r} vs register {register!r}")
                     .format(draft=draft.plan.county, register=rp.county))
    if tuple(draft.plan.partner_units_of_every_work) != tuple(rp.partner_units_of_every_work):
        diffs.append(_("partner units of every work: draft {draft} vs register {register}")
                     .format(draft=list(draft.plan.partner_units_of_every_work),
                             register=list(rp.partner_units_of_every_work)))
    d_actions = {a.number: a.name for a in draft.actions}
    r_actions = {a.number: a.name for a in register.actions}
    for n in sorted(set(d_actions) | set(r_actions)):
        if n not in r_actions:
            diffs.append(_("action {number}: in the draft ({name!r}), not in the register")
                         .format(number=n, name=d_actions[n]))
        elif n not in d_actions:
            diffs.append(_("action {number}: in the register ({name!r}), not in the draft")
                         .format(number=n, name=r_actions[n]))
        elif d_actions[n] != r_actions[n]:
            diffs.append(_("action {number}: name draft {draft!r} vs register {register!r}")
                         .format(number=n, draft=d_actions[n], register=r_actions[n]))
    d_works = {w.number: w for w in draft.works}
    r_works = {w.number: w for w in register.works}
    for n in sorted(set(d_works) | set(r_works)):
        if n not in r_works:
            diffs.append(_("work {number}: in the draft ({name!r}), not in the register")
                         .format(number=n, name=d_works[n].name))
            continue
        if n not in d_works:
            diffs.append(_("work {number}: in the register ({name!r}), not in the draft")
                         .format(number=n, name=r_works[n].name))
            continue
        d, r = d_works[n], r_works[n]
        if d.name != r.name:
            diffs.append(_("work {number}: name draft {draft!r} vs register {register!r}")
                         .format(number=n, draft=d.name, register=r.name))
        if d.action != r.action:
            diffs.append(_("work {number}: action draft {draft} vs register {register}")
                         .format(number=n, draft=d.action, register=r.action))
        for field in ("lead_units", "partner_units"):
            dv, rv = tuple(getattr(d, field)), tuple(getattr(r, field))
            if dv != rv:
                diffs.append(_("work {number}: {field} draft {draft} vs register {register}")
                             .format(number=n, field=field, draft=list(dv), register=list(rv)))
        if d.plan_only != r.plan_only:
            diffs.append(_("work {number}: plan_only draft {draft} vs register {register}")
                         .format(number=n, draft=d.plan_only, register=r.plan_only))
        diffs.extend(_compare_targets(_("work {number}").format(number=n), d.targets,
                                      r.targets, draft.unplaced, n))
    diffs.extend(_compare_targets(_("plan"), draft.plan_targets, register.plan_targets,
                                  draft.unplaced, None))
    return diffs


def _pair(drafted: list[DraftTarget], reviewed: list[Any]
          ) -> tuple[list[tuple[DraftTarget, Any]], list[DraftTarget], list[Any]]:
    """Pair targets of one (year, value, unit): same metric first, then in order."""
    d_left, r_left = list(drafted), list(reviewed)
    pairs: list[tuple[DraftTarget, Any]] = []
    for d in list(d_left):
        for r in r_left:
            if d.metric is not None and d.metric == r.metric:
                pairs.append((d, r))
                d_left.remove(d)
                r_left.remove(r)
                break
    while d_left and r_left:
        pairs.append((d_left.pop(0), r_left.pop(0)))
    return pairs, d_left, r_left


def _compare_targets(item: str, drafted: Sequence[DraftTarget], reviewed: Sequence[Any],
                     unplaced: Sequence[Unplaced], work: int | None) -> list[str]:
    diffs: list[str] = []
    by_key: dict[tuple[int, float, str], tuple[list[DraftTarget], list[Any]]] = {}
    for t in drafted:
        by_key.setdefault((t.year, float(t.value), t.unit), ([], []))[0].append(t)
    for t in reviewed:
        by_key.setdefault((t.year, float(t.value), t.unit), ([], []))[1].append(t)
    for key in sorted(by_key):
        pairs, extra, missing = _pair(*by_key[key])
        shown = _fmt_target(*key)
        for r in missing:
            loose = [u for u in unplaced if u.work == work and "no year" in u.reason
                     and u.value == key[1] and u.unit == key[2]]
            if any(u.metric == r.metric for u in loose):
                why = _("found in the text without a year (unplaced)")
            elif any(u.metric is None for u in loose):
                why = _("the number appears in the text without a year (unplaced)")
            else:
                why = _("not in the text as year + number (expected gap)")
            diffs.append(_("{item}: register target {id} ({shown}) not drafted — {why}")
                         .format(item=item, id=r.id, shown=shown, why=why))
        for d in extra:
            diffs.append(_("{item}: drafted target {id} ({shown}, metric {metric}) not in the "
                           "register").format(item=item, id=d.id, shown=shown, metric=d.metric))
        for d, r in pairs:
            if d.metric is not None and d.metric != r.metric:
                diffs.append(_("{item}: target {id} ({shown}): metric draft {draft} vs register "
                               "{register}")
                             .format(item=item, id=r.id, shown=shown, draft=d.metric,
                                     register=r.metric))
            if d.comparison != r.comparison:
                diffs.append(_("{item}: target {id} ({shown}): comparison draft {draft!r} "
                               "vs register {register!r}")
                             .format(item=item, id=r.id, shown=shown, draft=d.comparison,
                                     register=r.comparison))
            if d.start_year != r.start_year:
                diffs.append(_("{item}: target {id} ({shown}): start_year draft {draft} vs "
                               "register {register}")
                             .format(item=item, id=r.id, shown=shown, draft=d.start_year,
                                     register=r.start_year))
    return diffs
