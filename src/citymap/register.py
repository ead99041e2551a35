"""The plan as data: actions, works, targets and phases, read from ``geo/register.yaml``.

Loading validates everything at once and raises one :class:`~citymap.errors.ValidationError`
listing every problem with its file, row (work number and line), field and what to do.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

import attrs

from citymap._yaml import line_of, load_yaml
from citymap.errors import Problem, ValidationError
from citymap.history import parse_date
from citymap.i18n import _
from citymap.vocab import COMPARISONS, METRICS, PLAN_YEARS, STARTED, WORK_STATUSES

__all__ = [
    "Action",
    "Denominator",
    "Phase",
    "Plan",
    "Register",
    "Target",
    "Work",
    "load_register",
    "parse_register",
]

GEOMETRIC_MEASURES = {"count", "length", "area", "attr_sum", "share_length", "share_count",
                      "area_each"}
SHARE_MEASURES = {"share_length", "share_count"}


def _freeze_where(where: Mapping[str, Any] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not where:
        return ()
    out = []
    for key, value in where.items():
        values = value if isinstance(value, list | tuple) else [value]
        out.append((str(key), tuple(str(v) for v in values)))
    return tuple(out)


@attrs.frozen
class Denominator:
    """The layer a share is taken of, with an optional filter (``where``)."""

    layer: str
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()


@attrs.frozen
class Target:
    """One quantitative target of the plan.

    Attributes
    ----------
    id
        Stable id, e.g. ``"16.2"`` (work 16, second target) or ``"P.1"`` (plan level).
    work
        The work number, or ``None`` for a plan-level target (the pilot zones).
    metric
        A key of :data:`citymap.vocab.METRICS`.
    value, unit, comparison
        The target value, its unit and ``">="`` or ``"="``.
    year, start_year
        The deadline year and, for a target summed over several years, the first year.
    layer
        The site layer it is measured on, if measurable from geometry.
    where
        Filter on the layer's attributes: ``((field, (value, ...)), ...)``.
    denominator
        For a share: the layer (and filter) the share is taken of.
    """

    id: str
    work: int | None
    metric: str
    name: str
    value: float
    unit: str
    comparison: str
    year: int
    start_year: int
    layer: str | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    denominator: Denominator | None = None
    note: str = ""
    flag: str = ""
    source: str = ""

    @property
    def measure(self) -> str:
        """How the target is measured (see :data:`citymap.vocab.MEASURES`)."""
        return METRICS[self.metric].measure

    @property
    def years(self) -> range:
        """The planned years of the sites it counts."""
        return range(self.start_year, self.year + 1)

    @property
    def deadline(self) -> dt.date:
        """The last day to meet it: 31 December of :attr:`year`."""
        return dt.date(self.year, 12, 31)


@attrs.frozen
class Action:
    """One of the plan's actions (行动)."""

    number: int
    name: str
    name_en: str = ""


@attrs.frozen
class Work:
    """One numbered work (工程) of the plan."""

    number: int
    action: int
    name: str
    lead_units: tuple[str, ...]
    partner_units: tuple[str, ...]
    summary: str = ""
    site_bound: bool = False
    plan_only: bool = False
    status: str = STARTED
    targets: tuple[Target, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """Lead then responsible units."""
        return self.lead_units + self.partner_units


@attrs.frozen
class Phase:
    """A phase of the plan with its dates."""

    number: int
    name: str
    start: dt.date
    end: dt.date
    name_en: str = ""


@attrs.frozen
class Plan:
    """The plan's header."""

    title: str
    county: str
    issued_by: str = ""
    issued: dt.date | None = None
    start: dt.date = dt.date(PLAN_YEARS[0], 1, 1)
    end: dt.date = dt.date(PLAN_YEARS[1], 12, 31)
    basis: tuple[str, ...] = ()
    partner_units_of_every_work: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, int]:
        """The plan's first and last year (of ``start`` and ``end``), e.g. ``(2023, 2025)``.

        Every plan year in citymap comes from here: target and site years, the years of
        ``--year``, the map's dates, the report's overview.
        """
        return (self.start.year, self.end.year)


@attrs.frozen
class Register:
    """The whole register: plan, phases, actions, works and plan-level targets."""

    plan: Plan
    phases: tuple[Phase, ...]
    actions: tuple[Action, ...]
    works: tuple[Work, ...]
    plan_targets: tuple[Target, ...] = ()
    unit_aliases: Mapping[str, str] = attrs.field(factory=dict)

    def work(self, number: int) -> Work:
        """The work numbered ``number``; ``KeyError`` if there is none."""
        for w in self.works:
            if w.number == number:
                return w
        raise KeyError(number)

    def action(self, number: int) -> Action:
        """The action numbered ``number``; ``KeyError`` if there is none."""
        for a in self.actions:
            if a.number == number:
                return a
        raise KeyError(number)

    @property
    def targets(self) -> tuple[Target, ...]:
        """Every target: the works' in order, then the plan-level ones."""
        return tuple(t for w in self.works for t in w.targets) + self.plan_targets

    def canonical_unit(self, unit: str) -> str:
        """The unit's canonical name (aliases resolved)."""
        return self.unit_aliases.get(unit.strip(), unit.strip())

    def units_of(self, work: Work, *, with_common: bool = True) -> tuple[str, ...]:
        """A work's lead and responsible units, plus the units common to every work."""
        common = self.plan.partner_units_of_every_work if with_common else ()
        return work.lead_units + work.partner_units + tuple(common)

    def works_of_unit(self, unit: str, *, lead_only: bool = False) -> tuple[Work, ...]:
        """Works that ``unit`` leads (or, unless ``lead_only``, leads or shares).

        Aliases count as the same unit: ``县卫生健康委`` finds the works of ``县卫生健康局``.
        A partial name matches too (``住建`` is not enough; ``县住房城乡建设局`` is), as long
        as it is a whole unit name or an alias.
        """
        want = self.canonical_unit(unit)
        out = []
        for w in self.works:
            names = w.lead_units if lead_only else self.units_of(w)
            if any(self.canonical_unit(n) == want for n in names):
                out.append(w)
        return tuple(out)

    @property
    def all_units(self) -> tuple[str, ...]:
        """Every unit named, canonical, in order of first appearance."""
        seen: dict[str, None] = {}
        for w in self.works:
            for u in self.units_of(w):
                seen.setdefault(self.canonical_unit(u), None)
        return tuple(seen)


# ----------------------------------------------------------------------------- parsing

_TOP_KEYS = {"plan", "phases", "unit_aliases", "actions", "works", "plan_targets"}
_WORK_KEYS = {"number", "action", "name", "lead_units", "partner_units", "summary", "site_bound",
              "plan_only", "status", "targets"}
_TARGET_KEYS = {"id", "metric", "name", "value", "unit", "comparison", "year", "start_year",
                "layer", "where", "denominator", "note", "flag", "source"}


class _Checker:
    """Collects problems while reading the register."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []

    def add(self, item: str, field: str, message: str, obj: Any = None) -> None:
        line = line_of(obj)
        if line and item:
            where = _("{item} (line {line})").format(item=item, line=line)
        else:
            where = _("line {line}").format(line=line) if line else item
        self.problems.append(Problem(self.shown, where, field, message))

    def unknown_keys(self, obj: dict[str, Any], allowed: set[str], item: str) -> None:
        for key in obj:
            if key != "__line__" and key not in allowed:
                self.add(item, str(key), _("unknown field {key!r}; known fields: {allowed}")
                                         .format(key=key, allowed=', '.join(sorted(allowed))), obj)


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _units(c: _Checker, obj: dict[str, Any], field: str, item: str,
           *, required: bool) -> tuple[str, ...]:
    raw = obj.get(field, [])
    if raw is None:
        raw = []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        c.add(item, field, _("must be a list of unit names, got {value!r}").format(value=raw), obj)
        return ()
    units = []
    for u in raw:
        if not isinstance(u, str) or not u.strip():
            c.add(item, field, _("has an empty or non-text unit name {unit!r}").format(unit=u), obj)
        else:
            units.append(u.strip())
    if required and not units:
        c.add(item, field, _("is empty: every work needs at least one lead unit"), obj)
    return tuple(units)


def _text(c: _Checker, obj: dict[str, Any], field: str, item: str) -> str:
    """An optional text field (``""`` when absent); any other type is a problem."""
    v = obj.get(field)
    if v is None:
        return ""
    if not isinstance(v, str):
        c.add(item, field, _("must be a text, got {value!r}").format(value=v), obj)
        return ""
    return v


def _list(c: _Checker, obj: dict[str, Any], field: str, item: str) -> list[Any]:
    """An optional list field (``[]`` when absent); any other type is a problem."""
    v = obj.get(field)
    if v is None:
        return []
    if not isinstance(v, list):
        c.add(item, field, _("must be a list, got {value!r}").format(value=v), obj)
        return []
    return v


def _date(c: _Checker, obj: dict[str, Any], field: str, item: str) -> dt.date | None:
    v = obj.get(field)
    try:
        return parse_date(v)
    except ValueError as exc:
        c.add(item, field, str(exc), obj)
    return None


def _parse_target(c: _Checker, raw: Any, work: int | None, item: str,
                  years: tuple[int, int]) -> Target | None:
    if not isinstance(raw, dict):
        c.add(item, "targets", _("each target must be a mapping, got {value!r}").format(value=raw))
        return None
    tid = raw.get("id")
    titem = (_("{item} target {id}").format(item=item, id=tid) if tid is not None
             else _("{item} target").format(item=item))
    c.unknown_keys(raw, _TARGET_KEYS, titem)
    ok = True
    if not isinstance(tid, str) or not tid.strip():
        c.add(titem, "id", _("must be a non-empty text id like '16.1', got {tid!r}")
                           .format(tid=tid), raw)
        ok = False
    metric = raw.get("metric")
    m = METRICS.get(metric) if isinstance(metric, str) else None
    if m is None:
        c.add(titem, "metric", _("unknown metric {metric!r}; run `citymap metrics --list` for "
                                 "the metrics citymap knows").format(metric=metric), raw)
        ok = False
    value = raw.get("value")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        c.add(titem, "value", _("must be a finite number, got {value!r}").format(value=value), raw)
        ok = False
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit:
        c.add(titem, "unit", _("must be a unit like '个' or 'km', got {unit!r}")
                             .format(unit=unit), raw)
        ok = False
    elif m is not None and unit != m.unit:
        c.add(titem, "unit", _("{unit!r} does not fit metric {key!r}, which is in {unit2!r}")
                             .format(unit=unit, key=m.key, unit2=m.unit),
              raw)
        ok = False
    comparison = raw.get("comparison", ">=")
    if comparison not in COMPARISONS:
        c.add(titem, "comparison", _("must be one of {choices}, got {comparison!r}")
              .format(choices=", ".join(COMPARISONS), comparison=comparison), raw)
        ok = False
    lo, hi = years  # the plan's own period (Plan.years)
    year = raw.get("year")
    if not _is_int(year) or not lo <= year <= hi:
        c.add(titem, "year", _("must be a year from {lo} to {hi}, got {year!r}")
                             .format(lo=lo, hi=hi, year=year), raw)
        ok = False
    start = raw.get("start_year", year)
    if not _is_int(start) or not lo <= start <= hi or (_is_int(year) and start > year):
        c.add(titem, "start_year", _("must be a year from {lo} to the target year {year!r}, got "
                                     "{start!r}").format(lo=lo, year=year, start=start), raw)
        ok = False
    layer = raw.get("layer")
    if layer is not None and (not isinstance(layer, str) or not layer):
        c.add(titem, "layer", _("must be a layer name, got {layer!r}").format(layer=layer), raw)
        ok = False
    if m is not None and m.measure in GEOMETRIC_MEASURES and not layer:
        c.add(titem, "layer", _("metric {key!r} is measured on a site layer: name it")
                              .format(key=m.key), raw)
        ok = False
    where = raw.get("where")
    if where is not None and not isinstance(where, dict):
        c.add(titem, "where", _("must be a mapping field: value, got {where!r}")
                              .format(where=where), raw)
        ok = False
    den_raw = raw.get("denominator")
    denominator = None
    if den_raw is not None:
        if (not isinstance(den_raw, dict) or not isinstance(den_raw.get("layer"), str)
                or not isinstance(den_raw.get("where", {}), dict)):
            c.add(titem, "denominator", _("must be {{layer: NAME, where: {{field: value}}}}, got "
                                          "{den_raw!r}").format(den_raw=den_raw), raw)
            ok = False
        else:
            denominator = Denominator(den_raw["layer"], _freeze_where(
                {k: v for k, v in den_raw.get("where", {}).items() if k != "__line__"}))
    if m is not None and m.measure in SHARE_MEASURES and den_raw is None:
        c.add(titem, "denominator", _("metric {key!r} is a share: give the denominator layer")
                                    .format(key=m.key),
              raw)
        ok = False
    if not ok:
        return None
    assert isinstance(tid, str) and isinstance(metric, str) and isinstance(unit, str)
    assert isinstance(value, int | float) and _is_int(year) and _is_int(start)
    texts = {f: _text(c, raw, f, titem) for f in ("name", "note", "flag", "source")}
    return Target(
        id=tid.strip(), work=work, metric=metric, name=texts["name"].strip(),
        value=float(value), unit=unit, comparison=comparison, year=year, start_year=start,
        layer=layer, where=_freeze_where({k: v for k, v in (where or {}).items()
                                          if k != "__line__"}),
        denominator=denominator, note=texts["note"], flag=texts["flag"],
        source=texts["source"],
    )


def _parse_plan(c: _Checker, data: dict[str, Any]) -> Plan:
    p = data.get("plan")
    if not isinstance(p, dict):
        c.add("plan", "", _("is missing: give at least its title and county"), data)
        return Plan(title="", county="")
    for f in ("title", "county"):
        if not isinstance(p.get(f), str) or not p[f].strip():
            c.add("plan", f, _("must be a non-empty text, got {value!r}").format(value=p.get(f)), p)
    default = Plan(title="", county="")
    start = _date(c, p, "start", "plan") if "start" in p else default.start
    end = _date(c, p, "end", "plan") if "end" in p else default.end
    if start and end and end < start:
        c.add("plan", "end", _("{end!r} is before the start {start!r}: give the plan's period as "
                               "start … end")
                             .format(end=end.isoformat(), start=start.isoformat()), p)
    issued = _date(c, p, "issued", "plan") if "issued" in p else None
    basis = _list(c, p, "basis", "plan")
    if not all(isinstance(b, str) for b in basis):
        c.add("plan", "basis", _("must be a list of texts, got {basis!r}").format(basis=basis), p)
    return Plan(
        title=str(p.get("title", "")), county=str(p.get("county", "")),
        issued_by=_text(c, p, "issued_by", "plan"), issued=issued,
        start=start or default.start, end=end or default.end,
        basis=tuple(str(b) for b in basis),
        partner_units_of_every_work=_units(c, p, "partner_units_of_every_work", "plan",
                                           required=False),
    )


def _parse_phases(c: _Checker, data: dict[str, Any]) -> list[Phase]:
    phases = []
    for i, ph in enumerate(_list(c, data, "phases", _("top level")), start=1):
        item = _("phase {number}").format(number=ph.get("number", i) if isinstance(ph, dict) else i)
        if not isinstance(ph, dict):
            c.add(item, "", _("must be a mapping, got {value!r}").format(value=ph))
            continue
        s, e = _date(c, ph, "start", item), _date(c, ph, "end", item)
        number = ph.get("number", i)
        if not _is_int(number):
            c.add(item, "number", _("must be a whole number, got {number!r}")
                                  .format(number=number), ph)
            continue
        name_ph, name_en = _text(c, ph, "name", item), _text(c, ph, "name_en", item)
        if s and e and s > e:
            c.add(item, "end", _("{end!r} is before the start {start!r}")
                               .format(end=e.isoformat(), start=s.isoformat()), ph)
        if s and e:
            phases.append(Phase(number, name_ph, s, e, name_en))
    return phases


def _parse_aliases(c: _Checker, data: dict[str, Any]) -> dict[str, str]:
    aliases_raw = data.get("unit_aliases", {}) or {}
    if not isinstance(aliases_raw, dict):
        c.add("unit_aliases", "", _("must be a mapping alias: unit, got {value!r}")
                                  .format(value=aliases_raw))
        return {}
    aliases: dict[str, str] = {}
    for k, v in aliases_raw.items():
        if k == "__line__":
            continue
        if not isinstance(k, str) or not isinstance(v, str) or not k.strip() or not v.strip():
            c.add("unit_aliases", str(k), _("must map a unit name to a unit name, got {key!r}: "
                                            "{value!r}").format(key=k, value=v), aliases_raw)
        else:
            aliases[k.strip()] = v.strip()
    return aliases


def _numbered(c: _Checker, raw: object, what: str, data: dict[str, Any],
              missing: str) -> list[tuple[int, dict[str, Any]]]:
    """The entries of a list of numbered mappings (actions, works) with a new valid number."""
    if not isinstance(raw, list) or not raw:
        c.add(f"{what}s", "", missing, data)
        return []
    out: list[tuple[int, dict[str, Any]]] = []
    seen: set[int] = set()

    def label(i: int) -> str:
        return (_("work #{index}") if what == "work" else _("action #{index}")).format(index=i)

    for i, a in enumerate(raw, start=1):
        if not isinstance(a, dict):
            c.add(label(i), "", _("must be a mapping, got {value!r}").format(value=a))
            continue
        n = a.get("number")
        if what == "work":
            c.unknown_keys(a, _WORK_KEYS, _("work {number}").format(number=n))
        if not _is_int(n) or n < 1:
            c.add(label(i), "number", _("must be a positive whole number, got {number!r}")
                  .format(number=n), a)
            continue
        if n in seen:
            if what == "work":
                c.add(_("work {number}").format(number=n), "number",
                      _("duplicate work number {number!r}: each work number is used once")
                      .format(number=n), a)
            else:
                c.add(_("action {number}").format(number=n), "number",
                      _("duplicate action number {number!r}").format(number=n), a)
            continue
        seen.add(n)
        out.append((n, a))
    return out


def _parse_actions(c: _Checker, data: dict[str, Any]) -> list[Action]:
    actions: list[Action] = []
    for n, a in _numbered(c, data.get("actions"), "action", data,
                          _("are missing: list the plan's actions with number and name")):
        if not isinstance(a.get("name"), str) or not a["name"].strip():
            c.add(_("action {number}").format(number=n), "name",
                  _("must be a non-empty text, got {value!r}").format(value=a.get("name")), a)
        actions.append(Action(n, str(a.get("name", "")).strip(),
                              _text(c, a, "name_en", _("action {number}").format(number=n))))
    return actions


def _parse_work(c: _Checker, n: int, w: dict[str, Any], actions: set[int],
                target_ids: dict[str, str], years: tuple[int, int]) -> Work:
    item = _("work {number}").format(number=n)
    act = w.get("action")
    if act not in actions:
        c.add(item, "action", _("unknown action {action!r}; the actions are {actions}")
                              .format(action=act, actions=sorted(actions)), w)
    name = w.get("name")
    if not isinstance(name, str) or not name.strip():
        c.add(item, "name", _("must be a non-empty text, got {name!r}").format(name=name), w)
    lead = _units(c, w, "lead_units", item, required=True)
    partners = _units(c, w, "partner_units", item, required=False)
    status = w.get("status", STARTED)
    if status not in WORK_STATUSES:
        c.add(item, "status", _("unknown status {status!r}; use one of {choices}")
                              .format(status=status, choices=", ".join(WORK_STATUSES)), w)
    for flag in ("site_bound", "plan_only"):
        if flag in w and not isinstance(w[flag], bool):
            c.add(item, flag, _("must be true or false, got {value!r}").format(value=w[flag]), w)
    summary = _text(c, w, "summary", item)
    targets = _parse_targets(c, _list(c, w, "targets", item), n, item, target_ids, years)
    return Work(
        number=n, action=act if _is_int(act) else 0, name=str(name or "").strip(),
        lead_units=lead, partner_units=partners, summary=summary,
        site_bound=bool(w.get("site_bound", False)), plan_only=bool(w.get("plan_only", False)),
        status=str(status), targets=tuple(targets),
    )


def _parse_targets(c: _Checker, raw: list[Any], work: int | None, item: str,
                   target_ids: dict[str, str], years: tuple[int, int]) -> list[Target]:
    """The targets of a work (or of the plan, ``work`` None) in the plan's ``years``; ids
    unique in the register.
    """
    targets = []
    for t in raw:
        tg = _parse_target(c, t, work, item, years)
        if tg is None:
            continue
        if tg.id in target_ids:
            if work is not None:
                c.add(_("{item} target {id}").format(item=item, id=tg.id), "id",
                      _("duplicate target id {id!r} (also in {other})")
                      .format(id=tg.id, other=target_ids[tg.id]), t)
            else:
                c.add(_("plan target {id}").format(id=tg.id), "id",
                      _("duplicate target id {id!r}").format(id=tg.id), t)
        target_ids[tg.id] = item
        targets.append(tg)
    return targets


def parse_register(data: Any, *, shown: str = "register") -> Register:
    """Validate the loaded YAML ``data`` of a register and build a :class:`Register`.

    Raises
    ------
    ValidationError
        With every problem found.
    """
    c = _Checker(shown)
    if not isinstance(data, dict):
        raise ValidationError([Problem(shown, "", "", _("must be a YAML mapping with plan, "
                                                        "actions and works"))])
    c.unknown_keys(data, _TOP_KEYS, _("top level"))
    plan = _parse_plan(c, data)
    phases = _parse_phases(c, data)
    aliases = _parse_aliases(c, data)
    actions = _parse_actions(c, data)
    action_numbers = {a.number for a in actions}
    target_ids: dict[str, str] = {}
    years = plan.years
    works = [_parse_work(c, n, w, action_numbers, target_ids, years)
             for n, w in _numbered(c, data.get("works"), "work", data,
                                   _("are missing: list the plan's works"))]
    plan_targets = _parse_targets(c, _list(c, data, "plan_targets", _("top level")), None, "plan",
                                  target_ids, years)
    if c.problems:
        raise ValidationError(c.problems)
    return Register(plan=plan, phases=tuple(phases), actions=tuple(actions),
                    works=tuple(sorted(works, key=lambda w: w.number)),
                    plan_targets=tuple(plan_targets), unit_aliases=aliases)


def load_register(path: str | Path, *, shown: str | None = None) -> Register:
    """Read and validate a register file (YAML).

    Parameters
    ----------
    path
        The register, usually ``geo/register.yaml``.
    shown
        The name used in error messages (defaults to ``path``).

    Raises
    ------
    ValidationError
        Listing every problem with file, row, field and what to do.
    """
    path = Path(path)
    return parse_register(load_yaml(path, shown=shown), shown=shown or str(path))


def iter_units(works: Iterable[Work]) -> Iterable[str]:
    """Every unit of ``works``, lead units first, once each."""
    seen: set[str] = set()
    for w in works:
        for u in w.units:
            if u not in seen:
                seen.add(u)
                yield u
