"""The words of the map page (the ``ui`` object of the blob), from the message catalogue.

Keys are what the page's script reads (``U.layers`` …); the values are English message ids,
translated into the page's language by :func:`ui_words`.
"""

from __future__ import annotations

from collections.abc import Mapping

from citymap.i18n import N_, tr

__all__ = ["UI_WORDS", "ui_words", "translated"]

#: The page's words: key → English message id.
UI_WORDS: dict[str, str] = {
    "map": N_("Overview"),
    "layers": N_("Layers"),
    "basemaps": N_("Base maps"),
    "legend": N_("Legend"),
    "pending": N_("Pending review"),
    "submission": N_("Submission"),
    "submitter": N_("Submitted by"),
    "proposed": N_("Proposed"),
    "unit": N_("Unit"),
    "status": N_("Status"),
    "metrics": N_("Target progress"),
    "planned": N_("planned"),
    "done": N_("done"),
    "asof": N_("As of"),
    "search": N_("Search name or work number…"),
    "noresult": N_("No match"),
    "work": N_("Work"),
    "action": N_("Action"),
    "lead": N_("Lead units"),
    "partners": N_("Responsible units"),
    "targets": N_("Counts toward"),
    "source": N_("Source"),
    "schematic": N_("schematic data, not surveyed"),
    "schematicShort": N_("schematic"),
    "pilot": N_("Pilot zones"),
    "context": N_("Base data"),
    "area": N_("Area"),
    "coverage": N_("done"),
    "sites": N_("sites"),
    "other": N_("Other"),
    "maps": N_("Other maps"),
    "units": N_("By lead unit"),
    "actions": N_("By action"),
    "home": N_("← Overview"),
    "reset": N_("Reset view"),
    "measure": N_("Measure distance/area"),
    "measureClear": N_("Clear measurement"),
    "distance": N_("Distance"),
    "measureHint": N_("Click to add points, double-click to finish"),
    "fullscreen": N_("Full screen"),
    "exitFullscreen": N_("Exit full screen"),
    "none": N_("No base map"),
    "total": N_("Total"),
    "id": N_("ID"),
    "yes": N_("yes"),
    "no": N_("no"),
    "noMetrics": N_("metrics unavailable"),
    "noTargets": N_("no target this year"),
    "gcj": N_("GCJ-02 coordinates (AMap)"),
    "today": N_("today"),
    "endOf": N_("end of"),
    "target": N_("target"),
    "targetsOf": N_("Targets of {y}"),
    "v_met": N_("met"),
    "v_on track": N_("on track"),
    "v_in progress": N_("in progress"),
    "v_behind": N_("behind"),
    "v_not measurable": N_("not measurable"),
    "v_no data": N_("no data"),
    "v_not met": N_("not met"),
    "notMeasurable": N_("not measurable from geometry"),
    "recorded": N_("recorded"),
    "standard": N_("standard"),
    "health": N_("Health-check indicators"),
    "service": N_("Park service-radius coverage (residential land)"),
    "covered": N_("within the radius"),
    "uncovered": N_("outside the radius"),
    "parcel": N_("Residential land"),
    "zoneCovered": N_("covered"),
    "zoneDone": N_("done"),
    "belowMin": N_("below"),
    "scope_county": N_("county"),
    "scope_county seat": N_("county seat"),
    "warn": N_("not computed"),
    "late": N_("overdue"),
    "lateLegend": N_("overdue (planned year over and not done, or reported behind)"),
    "lateSites": N_("overdue sites"),
    "lateWorks": N_("works behind"),
    "lateTargets": N_("targets overdue"),
    "play": N_("Play"),
    "pause": N_("Pause"),
    "timeAxis": N_("Time axis (by month)"),
    "tilesFailed": N_("The base map cannot load (no network or blocked) — the data is still drawn"),
    "panels": N_("Panels"),
    "search_": N_("Search"),
}


def translated(words: Mapping[str, str], lang: str) -> dict[str, str]:
    """``words`` (key → message id) with every message in ``lang``."""
    return {k: tr(v, lang) for k, v in words.items()}


def ui_words(lang: str) -> dict[str, str]:
    """The page's words in ``lang``."""
    return translated(UI_WORDS, lang)
