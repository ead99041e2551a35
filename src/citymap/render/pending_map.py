"""One map of a submission's changes (``citymap review show ID --map DIR``): the layer 待审核
over the sites' status, in a folder that opens offline (``index.html`` + ``lib/``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from citymap.workspace import Workspace

__all__ = ["write_pending_map"]


def write_pending_map(ws: Workspace, proposals: Sequence[Any], out_dir: Path, *, lang: str,
                      as_of: dt.date | None = None, subtitle: str = "") -> Path:
    """A folder with one map (``index.html`` + ``lib/``) drawing ``proposals`` as 待审核.

    The folder is replaced whole (atomically) and only when missing, empty or made by
    citymap (:func:`citymap.io.owned.check_dir_replaceable`).

    Returns
    -------
    Path
        The page.
    """
    from citymap.io.atomic import atomic_dir
    from citymap.io.owned import check_dir_replaceable, check_not_workspace
    from citymap.render.assets import copy_offline_bundle, offline_refs
    from citymap.render.map import MapOptions, render_map
    from citymap.render.timeline import date_options

    check_not_workspace(out_dir, ws.root, what="--map")
    check_dir_replaceable(out_dir, what="--map")
    first, last = ws.plan_years
    dates, selected = date_options(as_of, dt.date.today(), lang, range(first, last + 1))
    options = MapOptions(lang=lang, subtitle=subtitle, dates=dates, selected=selected,
                         basemap="none", assets=offline_refs("lib", tiles=False),
                         pending=tuple(proposals))
    with atomic_dir(out_dir) as tmp:
        tmp.chmod(0o755)
        copy_offline_bundle(tmp / "lib", tiles=False)
        (tmp / "index.html").write_text(render_map(ws, options), encoding="utf-8")
    return out_dir / "index.html"
