"""The records a plan text is read into: :class:`DraftRegister` and its parts."""

from __future__ import annotations

import datetime as dt

import attrs

from citymap.i18n import N_, tr

__all__ = [
    "DraftAction",
    "DraftPhase",
    "DraftPlan",
    "DraftRegister",
    "DraftTarget",
    "DraftWork",
    "Unplaced",
]


@attrs.frozen
class DraftAction:
    """An action heading such as ``(一)风貌特色提升行动`` or ``一、实施城市更新行动``.

    ``number`` counts the actions in the order of the text (1, 2, ...); ``label`` is the
    numbering as written (``"(一)"``, ``"二、"``).
    """

    number: int
    name: str
    label: str = ""


@attrs.frozen
class DraftPhase:
    """A phase heading ``(一)宣传发动阶段(2020年4月30日前)`` with its dates, if given."""

    number: int
    name: str
    start: dt.date | None
    end: dt.date | None


@attrs.frozen
class DraftTarget:
    """A target drafted from a sentence with a year and a number.

    Attributes
    ----------
    id
        ``"<work>.<n>"`` or ``"P.<n>"`` for a plan-level target.
    work
        The work number, or ``None`` for text outside the works (goals, safeguards).
    metric
        A key of :data:`citymap.vocab.METRICS`, or ``None`` when no keyword rule placed it.
    name
        The words around the number, years and comparison words removed.
    value, unit
        The number in the unit the register uses (the metric's unit when a metric was
        found, else the short form of the unit as written: ``km`` for 公里).
    comparison
        ``">="`` (以上, 不少于, 不低于, 达到, 力争, a range's lower end) or ``"="``.
    year, start_year
        The deadline year; the first year for a total over several years.
    text
        The sentence it was read from.
    note
        How it was drafted when not obvious (one per year, a range, 力争, ...).
    written, unit_written
        The quantity and its unit as the text writes them (``"二十公里以上"``, ``"公里"``).
    base_value, base_unit
        The value in the base unit of its kind (``m``, ``m²``, ``m³/日``, ``吨/日``, ``%``,
        ``户``, ...): 2万吨/日 is 20000 吨/日, 120亩 is 80000 m².
    """

    id: str
    work: int | None
    metric: str | None
    name: str
    value: float
    unit: str
    comparison: str
    year: int
    start_year: int
    text: str
    note: str = ""
    written: str = ""
    unit_written: str = ""
    base_value: float | None = None
    base_unit: str = ""


@attrs.frozen
class DraftWork:
    """A work (``1.名称工程。…``, ``(一)推进…。…``, ``一是…``) with its units and targets.

    ``number`` is the number as written when the works are numbered once through the text,
    else their order (1, 2, ...); ``label`` is the numbering as written.
    """

    number: int
    action: int | None
    name: str
    lead_units: tuple[str, ...]
    partner_units: tuple[str, ...]
    summary: str
    plan_only: bool
    targets: tuple[DraftTarget, ...] = ()
    text: str = ""
    label: str = ""


@attrs.frozen
class DraftPlan:
    """The plan's header as far as the text gives it (empty or ``None`` where it does not)."""

    title: str
    county: str
    issued_by: str = ""
    issued: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    basis: tuple[str, ...] = ()
    partner_units_of_every_work: tuple[str, ...] = ()


@attrs.frozen
class Unplaced:
    """A piece of the text the parser could not place, and why.

    Attributes
    ----------
    text
        The sentence or line it came from.
    reason
        Why it was not placed, in words for the planner.
    work
        The work it belongs to, or ``None``.
    value, unit
        The number and its unit (short form, as :attr:`DraftTarget.unit`), when the
        fragment is a number.
    metric
        The metric a keyword next to the number suggests, if any (a hint, not a placement).
    unit_written
        The unit as the text writes it.
    field
        What is missing, for a gap the planner fills in (``"county"``, ``"lead_units"``,
        ``"action"``, ``"start"``, ``"metric"``, ``"year"``, ...); empty otherwise.
    reason_zh
        The reason in Chinese.
    """

    text: str
    reason: str
    work: int | None = None
    value: float | None = None
    unit: str | None = None
    metric: str | None = None
    unit_written: str = ""
    field: str = ""
    reason_zh: str = ""

    def __str__(self) -> str:
        return self.show("zh")

    def show(self, lang: str = "zh") -> str:
        """One line for the planner: the work, the text and the reason in ``lang``."""
        reason = self.reason_zh if lang == "zh" and self.reason_zh else self.reason
        if self.work is None:
            return tr(N_("{text!r} — {reason}"), lang).format(text=self.text, reason=reason)
        return tr(N_("work {number}: {text!r} — {reason}"), lang).format(
            number=self.work, text=self.text, reason=reason)


@attrs.define
class DraftRegister:
    """A register drafted from a plan text, to be reviewed before use.

    Attributes
    ----------
    source
        Where the text came from (a file name or ``"<text>"``).
    plan, phases, actions, works
        What was found.
    plan_targets
        Targets outside the works (goals, safeguards).
    unplaced
        What could not be placed: numbers without a year, numbers no keyword rule maps to a
        metric, works without units or action, a missing county or period, ...
    """

    source: str
    plan: DraftPlan
    phases: list[DraftPhase]
    actions: list[DraftAction]
    works: list[DraftWork]
    plan_targets: list[DraftTarget] = attrs.field(factory=list)
    unplaced: list[Unplaced] = attrs.field(factory=list)

    @property
    def targets(self) -> list[DraftTarget]:
        """Every drafted target: the works' in order, then the plan-level ones."""
        return [t for w in self.works for t in w.targets] + list(self.plan_targets)

    def work(self, number: int) -> DraftWork:
        """The work numbered ``number``; ``KeyError`` if there is none."""
        for w in self.works:
            if w.number == number:
                return w
        raise KeyError(number)
