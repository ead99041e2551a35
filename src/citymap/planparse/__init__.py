"""Read a plan text of the city-quality / city-renewal family into a draft register.

Shandong's provincial city-quality plan (鲁政办字〔2019〕146号) was handed down to every city
and county, and other provinces wrote plans of the same family (城市更新行动, 城市品质提升,
城市体检整改). They share a shape: a title with the issuing body, the plan period, actions
and works under the usual numberings (``一、`` / ``(一)`` / ``1.`` / ``1、`` / ``(1)`` /
``①``, ``一是…二是…``), each work with its lead and responsible units, phases and
safeguards. :func:`parse_plan_text` turns such a text, in traditional or simplified
characters, into a :class:`DraftRegister`; :func:`citymap.plandraft.draft_to_yaml` writes it
in the format of ``geo/register.yaml`` for a planner to review.

Modules: :mod:`~citymap.planparse.text` (characters, lines, files),
:mod:`~citymap.planparse.header` (title, issuing body, county, period),
:mod:`~citymap.planparse.structure` (headings, actions, works, phases),
:mod:`~citymap.planparse.units` (lead and partner units, the township rule),
:mod:`~citymap.planparse.numerals` (numbers and units of measure),
:mod:`~citymap.planparse.targets` (years, comparisons, metrics),
:mod:`~citymap.planparse.records` (the records), :mod:`~citymap.planparse.messages`.

Nothing is guessed: what cannot be placed is listed in :attr:`DraftRegister.unplaced` with
the sentence it came from.
"""

from __future__ import annotations

from citymap.planparse.numerals import MEASURE_UNITS
from citymap.planparse.records import (
    DraftAction,
    DraftPhase,
    DraftPlan,
    DraftRegister,
    DraftTarget,
    DraftWork,
    Unplaced,
)
from citymap.planparse.structure import NoWorksError, parse_plan_text
from citymap.planparse.targets import KEYWORD_RULES
from citymap.planparse.text import CJK, read_plan_file, to_simplified

_CJK = CJK
#: Units of measure as written → the short unit the register uses.
UNIT_NAMES: dict[str, str] = {k: v.short for k, v in MEASURE_UNITS.items()}

__all__ = [
    "DraftAction",
    "DraftPhase",
    "DraftPlan",
    "DraftRegister",
    "DraftTarget",
    "DraftWork",
    "KEYWORD_RULES",
    "NoWorksError",
    "UNIT_NAMES",
    "Unplaced",
    "parse_plan_text",
    "read_plan_file",
    "to_simplified",
]
