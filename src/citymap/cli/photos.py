"""``citymap photos``: photo evidence (形象进度) of sites — ``import`` and ``list``."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from citymap.cli._options import (
    CitymapClickError,
    common_options,
    date_type,
    errors_to_exit,
    get_lang,
    get_store,
    load,
    stderr_console,
    stdout_console,
)

if TYPE_CHECKING:
    from citymap.attachments import Attachments

_WORDS: dict[str, tuple[str, str]] = {
    "attach": ("已附加", "attached"),
    "would": ("将附加", "would attach"),
    "dup": ("已有 (同一照片)", "already attached (same photo)"),
    "flag": ("已标记, 未附加", "flagged, not attached"),
    "flag_ok": ("已标记, 按 --accept-flagged 附加", "flagged, attached (--accept-flagged)"),
    "far": ("距 {site} {d:.0f} 米 (超过 {max:g} 米)", "taken {d:.0f} m from {site} (more than "
            "{max:g} m)"),
    "period": ("拍摄日期 {day} 不在报告期 {period} 内", "dated {day}, outside the period "
               "{period}"),
    "summary": ("{verb} {n} 张, 已有 {dup} 张, 标记 {flag} 张{hint}",
                "{verb} {n} photo(s), {dup} already attached, {flag} flagged{hint}"),
    "hint": ("; 核实后可加 --accept-flagged 附加", "; check them, then add --accept-flagged to "
             "attach them"),
    "none": ("没有照片", "no photos"),
}
_KIND_CHOICE = click.Choice(["前", "中", "后", "before", "during", "after"])


def _w(key: str, lang: str, **fmt: object) -> str:
    zh, en = _WORDS[key]
    return (zh if lang == "zh" else en).format(**fmt)


def _max_distance(root: Path) -> float | None:
    """``[photos] max_distance_m`` of citymap.toml, if set."""
    try:
        data = tomllib.loads((root / "citymap.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    value = data.get("photos", {}).get("max_distance_m") if isinstance(
        data.get("photos"), dict) else None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise CitymapClickError(f"citymap.toml [photos] max_distance_m = {value!r} is not a "
                                "positive number of metres: write e.g. 200")
    return float(value)


@click.group("photos", epilog="Examples:\n\n  citymap photos import 照片/ --period 2021-11\n\n"
             "  citymap photos list OC-2021-07")
def photos() -> None:
    """Photo evidence (形象进度): photos of sites, kept in geo/attachments/."""


@photos.command(
    "import",
    epilog="Examples:\n\n  citymap photos import 照片/ --period 2021-11 --dry-run\n\n"
           "  citymap photos import 照片/ --sheet 照片清单.xlsx\n\n"
           "  citymap photos import 进度.xlsx   (pictures placed in the rows of a sheet)\n\n"
           "  citymap photos import 手机照片/ --from 2021-11-01 --to 2021-11-30 "
           "--max-distance 300",
)
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--sheet", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="A sheet (xlsx/csv) with columns 文件 (file) and 编号 (site "
              "id), optionally 日期 and 阶段 (前/中/后), naming the site of each file.")
@click.option("--site", default=None, metavar="ID", help="The site of photos whose name "
              "names none (before any GPS match).")
@click.option("--date", "date", default=None, metavar="DATE",
              callback=lambda ctx, p, v: date_type(v),
              help="The day of photos without EXIF date or a day in their name.")
@click.option("--kind", type=_KIND_CHOICE, default=None, help="前 before / 中 during / 后 "
              "after, for photos whose name or sheet gives none (default: from the site's "
              "status on the photo's day).")
@click.option("--period", default=None, metavar="YYYY-MM", help="The report month: photos "
              "dated outside it are flagged.")
@click.option("--from", "start", default=None, metavar="DATE",
              callback=lambda ctx, p, v: date_type(v), help="Start of the report period.")
@click.option("--to", "end", default=None, metavar="DATE",
              callback=lambda ctx, p, v: date_type(v), help="End of the report period.")
@click.option("--max-distance", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="METRES", help="Photos farther than this from their site are flagged "
              "(default: [photos] max_distance_m of citymap.toml, else 200).")
@click.option("--accept-flagged", is_flag=True, help="Attach flagged photos too.")
@click.option("--dry-run", is_flag=True, help="List what would be attached, write nothing.")
@common_options
@click.pass_context
def import_cmd(ctx: click.Context, source: Path, sheet: Path | None, site: str | None,
               date: object, kind: str | None, period: str | None, start: object,
               end: object, max_distance: float | None, accept_flagged: bool,
               dry_run: bool) -> None:
    """Attach the photos of SOURCE to their sites.

    SOURCE is a folder whose file names name the site (OC-2021-07_前_2021-03-01.jpg,
    OC-2021-07 (2).jpg) or that --sheet describes, a workbook with pictures placed in the
    rows of its sheet (Excel, WPS: a column 编号 names each row's site), or phone photos
    with GPS positions (matched to the nearest site). The day is EXIF DateTimeOriginal,
    else the day in the name or sheet, else --date. Originals are kept byte for byte, a
    thumbnail is made once; the same photo twice is attached once. A photo far from its
    site or dated outside the period is flagged and not attached unless --accept-flagged.
    Any bad file: one line each, nothing written.
    """
    from citymap.attachments import parse_kind
    from citymap.photos import DEFAULT_MAX_DISTANCE_M, Period, import_photos, period_of_month

    atts = _attachments(ctx)
    ws = load(ctx)
    lang = get_lang(ctx, ws)
    span: Period | None = None
    if period is not None:
        if start is not None or end is not None:
            raise click.BadParameter("give --period or --from/--to, not both",
                                     param_hint="--period")
        try:
            span = period_of_month(period)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--period") from None
    elif start is not None or end is not None:
        lo = start if isinstance(start, dt.date) else dt.date.min
        hi = end if isinstance(end, dt.date) else dt.date.max
        if lo > hi:
            raise click.BadParameter(f"--from {lo} is after --to {hi}", param_hint="--from")
        span = Period(lo, hi)
    limit = max_distance or _max_distance(Path(ws.root)) or DEFAULT_MAX_DISTANCE_M
    with errors_to_exit():
        res = import_photos(ws, source, sheet=sheet, period=span, max_distance_m=limit,
                            site=site, date=date if isinstance(date, dt.date) else None,
                            kind=parse_kind(kind) if kind else None,
                            accept_flagged=accept_flagged, dry_run=dry_run, store=atts)
    out = stdout_console()
    verb = _w("would" if dry_run else "attach", lang)
    for p in res.attached:
        tag = " [" + ",".join(p.flags) + "]" if p.flags else ""
        out.print(f"{verb}: {p.site} {p.date.isoformat()} {_kind(p.kind, lang)}{tag} ← "
                  f"{p.source}", markup=False, highlight=False)
    for new, old in res.duplicates:
        out.print(f"{_w('dup', lang)}: {old.site} {old.date.isoformat()} ← {new.source}",
                  markup=False, highlight=False)
    for f in res.flagged:
        why = "; ".join(_reason(code, f, limit, span, lang) for code in f.flags)
        head = _w("flag_ok" if accept_flagged else "flag", lang)
        out.print(f"{head}: {f.photo.site} {f.photo.date.isoformat()} ← {f.candidate.shown} "
                  f"— {why}", markup=False, highlight=False)
    hint = _w("hint", lang) if res.flagged and not accept_flagged else ""
    stderr_console().print(_w("summary", lang, verb=verb, n=len(res.attached),
                              dup=len(res.duplicates), flag=len(res.flagged), hint=hint),
                           markup=False, highlight=False)


def _attachments(ctx: click.Context) -> Attachments:
    """The photo store of the run's store (a store that keeps none says so: exit 2)."""
    get_lang(ctx)  # speak --lang before anything is said
    with errors_to_exit():
        return get_store(ctx).attachments()


def _kind(kind: str, lang: str) -> str:
    from citymap.attachments import kind_label

    return kind_label(kind, lang)


def _reason(code: str, f: Any, limit: float, span: Any, lang: str) -> str:
    if code == "far":
        return _w("far", lang, site=f.photo.site, d=f.photo.distance_m or 0.0, max=limit)
    return _w("period", lang, day=f.photo.date.isoformat(), period=str(span))


@photos.command("list", epilog="Examples:\n\n  citymap photos list\n\n"
                "  citymap photos list OC-2021-07 --format json")
@click.argument("site", metavar="[SITE]", required=False)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def list_cmd(ctx: click.Context, site: str | None, fmt: str) -> None:
    """List the photos attached (to SITE), oldest first."""
    from citymap.attachments import ATTACHMENTS_DIR

    atts = _attachments(ctx)
    ws = load(ctx)
    lang = get_lang(ctx, ws)
    if site is not None and site not in ws.site_ids:
        raise click.BadParameter(f"unknown site {site!r}", param_hint="SITE")
    with errors_to_exit():
        rows = atts.photos(site)
    if fmt == "json":
        click.echo(json.dumps([p.as_json() for p in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        stderr_console().print(_w("none", lang))
        return
    heads = ("编号", "日期", "阶段", "日期来源", "原图", "来源", "标记") if lang == "zh" else (
        "Site", "Date", "Kind", "Date from", "Original", "Source", "Flags")
    table = Table(title=f"{len(rows)} photos — {ATTACHMENTS_DIR}")
    for h in heads:
        table.add_column(h, overflow="fold")
    for p in rows:
        table.add_row(*(Text(v) for v in (p.site, p.date.isoformat(), _kind(p.kind, lang),
                                          p.date_from, p.original, p.source,
                                          ",".join(p.flags))))
    stdout_console().print(table)
