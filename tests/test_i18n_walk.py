"""Every command and page speaks one language (issue 14, item 5).

The walk runs every command and subcommand of the ``citymap`` group — enumerated from the
click group, so a new command is walked too (with no argument, until it gets cases here) —
on a small workspace written by ``tests/_builder.py`` and, where cheap, on the shipped
workspace: the usual run, typical errors (a bad value, a missing file, an unknown id), in
the default output format. The maps ``citymap build`` writes are opened in headless
Chromium with the network blocked (their visible text, and the words of their data blob),
the report's HTML is read as text, the spreadsheets cell by cell.

- In Chinese (the default) no run of three or more Latin letters may remain once data is
  taken out: the ids, names, field and layer names of the workspace's own files, paths,
  URLs, option names (``--store``), quoted values, commands in backticks and the small
  :data:`ALLOWED` list of format, unit and product names.
- In English (``--lang en``) no Han character may remain outside data: a run of Han
  characters passes only when it is a whole run of the workspace's own texts (a name, a
  unit, a note) and not a status or verdict word.

Help texts (``--help``, the commands' docstrings) are not walked: they are English.
"""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from _browser import CHROMIUM, chromium
from _ws_maps import make_workspace
from _ws_progress import LEAD_16
from citymap.cli.main import cli
from citymap.vocab import METRICS, SITE_STATUSES, VERDICT_ZH, WORK_STATUSES

ROOT = Path(__file__).resolve().parents[1]

#: Words that are no language: formats, units, standards, products, placeholders.
ALLOWED = frozenset({
    "GeoJSON", "GeoPackage", "Shapefile", "CSV", "XLSX", "xlsx", "csv", "EPSG", "KML", "DXF",
    "PostGIS", "PostgreSQL", "GDAL", "QGIS", "JSON", "YAML", "HTML", "PDF", "TOML", "GCJ",
    "WGS", "CGCS", "UTF", "GBK", "OpenStreetMap", "Leaflet", "citymap", "Ctrl", "YYYY",
    "DIR", "KEY", "URL", "km²", "m²", "Tianditu", "AMap",
})
#: Status and verdict words: code's words, never data to an English reader.
CODE_HAN = frozenset({*SITE_STATUSES, *WORK_STATUSES, *VERDICT_ZH.values()})

LATIN = re.compile(r"[A-Za-z]{3,}")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: What is taken out of a line before looking for words (in this order).
URLS = re.compile(r"https?://\S+|file://\S+|postgresql://\S+")
PATHS = re.compile(r"\S*[/\\]\S*|\b[\w.-]+\.(?:html|xlsx|csv|json|geojson|gpkg|shp|dxf|txt|"
                   r"yaml|toml|png|jpg|py)\b")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
CN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
STRIP = [
    URLS,
    re.compile(r"`[^`]*`"),                                    # commands in backticks
    QUOTED,                                                    # quoted values
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*"),                # option names
    CN_DATE,                                                   # dates written in Chinese
    re.compile(r"EPSG:\d+|CGCS2000 / 3-degree Gauss-Kruger CM \d+E"),  # CRS names
    re.compile(r"\[[a-z|]+\]"),                                # choices: [table|json]
    re.compile(r"\b\d{4}_\w+"),                                 # migrations: 0002_roles
    re.compile(r"\{\w+\}"),                                    # placeholders of the page
    re.compile(r"\(C\) OpenStreetMap contributors"),            # the licence's attribution
    re.compile(r"(?<![A-Za-z])[A-Z][A-Z_]{2,}(?![A-Za-z])"),     # metavars: NAME, [OPTIONS]
    PATHS,                                                     # paths, file names
]

PLAN_TEXT = ("测试县城市品质提升三年行动实施方案\n测试县人民政府\n一、重点任务\n"
             "(一)蓝绿空间提升行动\n1.园林绿化提档升级工程。2020年建成口袋公园2处。"
             "(牵头单位:县综合行政执法局;责任单位:县财政局)\n")
NOTICE_TEXT = "关于做好城市更新工作的通知\n一、提高认识\n要充分认识城市更新的重要意义。\n"

#: Command (space-joined path) → argument lists: the usual run first, then typical errors.
#: ``{ws}`` the workspace, ``{out}`` an empty folder, ``{missing}`` a file that is not
#: there, ``{plan}``/``{notice}`` plan texts, ``{geojson}`` a layer to import, ``{store}``
#: a fresh PostGIS database (store commands), ``{pushed}`` the same with the workspace
#: pushed into it.
CASES: dict[str, list[list[str]]] = {
    "build": [["-o", "{out}/maps"], ["--basemap", "nosuch"], ["--tiles", "{missing}"]],
    "export": [["-o", "{out}/export", "--format", "geojson"], ["--format", "nosuch"],
               ["--layer", "nosuch", "-o", "{out}/export"]],
    "import": [["{geojson}", "--layer", "pocket_parks", "--dry-run"], ["{missing}"],
               ["{geojson}", "--layer", "nosuch"]],
    "metrics": [[], ["--list"], ["--year", "2030"], ["--as-of", "2021-13-45"]],
    "overdue": [["--as-of", "2021-12-31"], ["--as-of", "2019-06-30"],
                ["--unit", "县不存在局"]],
    "papers": [["nosuch"]],
    "papers dispatch": [["--as-of", "2021-12-31", "-o", "{out}/调度表.xlsx"],
                        ["-o", "{out}/调度表.txt"]],
    "photos": [["nosuch"]],
    "photos import": [["{missing}"]],
    "photos list": [[], ["nosuch"]],
    "plan": [["nosuch"]],
    "plan import": [["{plan}", "-o", "{out}/draft.yaml"], ["{missing}"], ["{notice}"]],
    "progress": [["nosuch"]],
    "progress import": [["{missing}"]],
    "progress template": [["--unit", LEAD_16, "-o", "{out}/进度.xlsx"],
                          ["--unit", "县不存在局", "-o", "{out}/进度.xlsx"]],
    "remind": [["--dry-run", "--as-of", "2021-12-31"], ["--as-of", "nosuch", "--dry-run"]],
    "report": [["-o", "{out}/report.html"], ["--month", "2021-12", "-o", "{out}/month.html"],
               ["--year", "2030"]],
    "serve": [["-d", "{missing}"]],
    "show": [["16"], ["99"]],
    "status": [["nosuch"]],
    "status log": [[], ["oc-2"], ["nosuch"]],
    "status set": [["oc-1", "进行中", "--date", "2021-05-01", "--dry-run"],
                   ["nosuch", "已完成"], ["oc-1", "完成"]],
    "store": [["nosuch"]],
    "store build": [["--store", "{pushed}", "-o", "{out}/maps"], []],
    "store init": [["--store", "{store}"], []],
    "store metrics": [["--store", "{pushed}"]],
    "store pull": [["{out}/pulled", "--store", "{pushed}"]],
    "store push": [["--store", "{store}"]],
    "store status": [["--store", "{pushed}"]],
    "tasks": [[], ["--unit", "县不存在局"]],
    "validate": [[]],
}
#: Cheap runs on the shipped workspace (the repository).
SHIPPED: list[list[str]] = [["tasks"], ["show", "16"], ["overdue", "--as-of", "2021-12-31"],
                            ["metrics", "--year", "2021"]]


def _commands(group: click.Group, ctx: click.Context,
              path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        yield (*path, name)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, ctx, (*path, name))


_ALL = list(_commands(cli, click.Context(cli)))
COMMANDS = [" ".join(p) for p in _ALL]
#: Groups without cases are run with an unknown subcommand (alone they print their help).
GROUPS = {" ".join(p) for p in _ALL if isinstance(cli.get_command(click.Context(cli), p[0]),
                                                   click.Group) and len(p) == 1}


def _runs() -> list[tuple[str, list[str]]]:
    return [(c, args) for c in COMMANDS
            for args in CASES.get(c, [["nosuch"]] if c in GROUPS else [[]])]


def _id(run: tuple[str, list[str]]) -> str:
    return " ".join([run[0], *run[1]])


#: Runs that still speak the other language (command → what remains), marked xfail.
REMAINING: dict[str, str] = {
    # the progress sheet (io/xlsx.py, progress.py) is one bilingual form whatever the
    # language: its column headings read '当前状态 (Current status)' (the import reads them
    # back), and its 填写方法 sheet and the 新状态 drop-down's hint are Chinese only
    f"zh: progress template --unit {LEAD_16} -o {{out}}/进度.xlsx":
        "progress template: bilingual column headings '当前状态 (Current status)' (io/xlsx.py)",
    f"en: progress template --unit {LEAD_16} -o {{out}}/进度.xlsx":
        "progress template: the 填写方法 sheet, the drop-down hint and the headings' Chinese "
        "half (io/xlsx.py)",
}


def _params(lang: str) -> list[Any]:
    out = []
    for run in _runs():
        key = f"{lang}: {_id(run)}"
        marks = [pytest.mark.xfail(reason=REMAINING[key], strict=True)] if key in REMAINING \
            else []
        out.append(pytest.param(run, id=_id(run), marks=marks))
    return out


# ----------------------------------------------------------------------------- data


def _strings(value: Any) -> Iterator[str]:
    """Every string (keys too) of a parsed YAML/TOML/JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def workspace_texts(root: Path) -> list[str]:
    """The texts of a workspace's own files: register, config, layers, sites, status log."""
    texts: list[str] = []
    for f in [root / "citymap.toml", *sorted((root / "layers").glob("*.toml"))]:
        texts += _strings(tomllib.loads(f.read_text(encoding="utf-8")))
    for f in sorted((root / "geo").rglob("*")):
        if f.suffix in (".yaml", ".yml"):
            texts += _strings(yaml.safe_load(f.read_text(encoding="utf-8")))
        elif f.suffix == ".geojson":
            for feat in json.loads(f.read_text(encoding="utf-8"))["features"]:
                texts += _strings(feat["properties"])
        elif f.suffix == ".csv":
            texts += re.split(r"[,\n]", f.read_text(encoding="utf-8-sig"))
        if f.is_file():
            texts.append(f.stem)
    return texts


class Data:
    """The words of the data: whole Latin and Han runs of the workspace's texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.latin = {w for t in texts for w in LATIN.findall(t)}
        self.latin |= {w for k in METRICS for w in LATIN.findall(k)}
        self.han = {w for t in texts for w in HAN.findall(t)} - CODE_HAN
        self.texts = list(texts)

    def wrapped(self, run: str, *, before: str, after: str) -> bool:
        """Whether ``run`` is the start or end of a data run a table cell wrapped."""
        if re.match(r"\s*│", after) and any(w.startswith(run) for w in self.han):
            return True
        return bool(re.search(r"│\s*$", before)) and any(w.endswith(run) for w in self.han)

    def with_texts(self, more: Sequence[str]) -> Data:
        """These data and the words of ``more``."""
        return Data([*self.texts, *more])


def english_words(text: str, data: Data) -> list[str]:
    """The lines of ``text`` with a Latin word that is neither data nor allowed."""
    bad = []
    for line in text.splitlines():
        rest = line
        for pattern in STRIP:
            rest = pattern.sub(" ", rest)
        words = [w for w in LATIN.findall(rest) if w not in ALLOWED and w not in data.latin]
        if words:
            bad.append(f"{words}: {line.strip()}")
    return bad


def han_words(text: str, data: Data) -> list[str]:
    """The lines of ``text`` with Han characters that are not a whole run of the data
    (paths, URLs, quoted values and dates aside).
    """
    bad = []
    for line in text.splitlines():
        rest = line
        for pattern in (URLS, QUOTED, CN_DATE, PATHS):
            rest = pattern.sub(lambda m: " " * len(m[0]), rest)
        words = [m[0] for m in HAN.finditer(rest) if m[0] not in data.han
                 and not data.wrapped(m[0], before=rest[:m.start()], after=rest[m.end():])]
        if words:
            bad.append(f"{words}: {line.strip()}")
    return bad


def foreign(text: str, lang: str, data: Data) -> list[str]:
    return english_words(text, data) if lang == "zh" else han_words(text, data)


# ----------------------------------------------------------------------------- outputs


class _Text(html.parser.HTMLParser):
    """The visible text of an HTML page (and its alt/title attributes), one line per block."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("alt", "title", "aria-label") and v]
        self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def xlsx_text(path: Path) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    lines = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str)]
    wb.close()
    return "\n".join(lines)


def blob_words(data: dict[str, Any]) -> list[str]:
    """The words of a map's data blob the page shows: its ui, statuses, dates, base maps,
    print words, the empty-map words and the panel's warnings.
    """
    if not data:
        return []
    words = [*data["ui"].values(), *data["statuses"], data.get("subtitle") or ""]
    words += [d["label"] for d in data["dates"]]
    words += [b["name"] for b in data.get("basemaps") or []]
    words += list((data.get("publish") or {}).get("ui", {}).values())
    empty = data.get("empty") or {}
    words += list(empty.get("ui", {}).values()) + [str(w[3]) for w in empty.get("works", [])]
    words += [w for p in data["panel"] for w in p.get("warnings", [])]
    return [w for w in words if isinstance(w, str)]


def page_text(browser: Any, page_path: Path) -> tuple[str, dict[str, Any]]:
    """The visible text of a map page in Chromium (network blocked) and its data blob."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("file:", "data:", "blob:", "about:")) else route.abort())
    page.goto(page_path.as_uri())
    data: dict[str, Any] = {}
    if page.evaluate("!!document.getElementById('citymap-data')"):  # a map, not a list
        page.wait_for_function("window.citymap && window.citymap.ready", timeout=30_000)
        data = page.evaluate("window.citymap.data")
    text = page.evaluate("document.body.innerText")
    context.close()
    assert not errors, errors
    return str(text), data


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture(scope="module")
def data(template: Path) -> Data:
    return Data(workspace_texts(template) + workspace_texts(ROOT))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's /usr/bin/chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    with chromium() as b:
        yield b


def _invoke(args: Sequence[str], *, lang: str) -> Any:
    full = ["--lang", lang, *args] if lang == "en" else list(args)
    env = {"CITYMAP_STORE": "", "CITYMAP_WORKSPACE": "", "CITYMAP_TIANDITU_KEY": "",
           "COLUMNS": "1000"}  # wide: rich tables do not break names
    return CliRunner().invoke(cli, full, env=env, prog_name="citymap")


def _fill(args: Sequence[str], values: dict[str, str]) -> list[str]:
    return [a.format(**values) if "{" in a else a for a in args]


def _prepare(request: pytest.FixtureRequest, template: Path, tmp_path: Path,
             args: Sequence[str]) -> dict[str, str]:
    ws = tmp_path / "ws"
    shutil.copytree(template, ws)
    (tmp_path / "out").mkdir()
    (tmp_path / "plan.txt").write_text(PLAN_TEXT, encoding="utf-8")
    (tmp_path / "notice.txt").write_text(NOTICE_TEXT, encoding="utf-8")
    shutil.copy(ws / "geo" / "sites" / "pocket_parks.geojson", tmp_path / "in.geojson")
    values = {"ws": str(ws), "out": str(tmp_path / "out"), "missing": str(tmp_path / "nope.txt"),
              "plan": str(tmp_path / "plan.txt"), "notice": str(tmp_path / "notice.txt"),
              "geojson": str(tmp_path / "in.geojson")}
    if any("{store}" in a or "{pushed}" in a for a in args):
        url = request.getfixturevalue("pg_url")
        values["store"] = values["pushed"] = url
        if any("{pushed}" in a for a in args):
            for setup in (["store", "init", "--store", url],
                          ["store", "push", "--store", url, "--workspace", str(ws)]):
                res = _invoke(setup, lang="zh")
                assert res.exit_code == 0, res.output
    return values


def _outputs(out: Path) -> list[tuple[str, str]]:
    """The texts of the report pages and spreadsheets a run wrote under ``out``."""
    found = []
    for f in sorted(out.rglob("*")):
        if f.suffix == ".xlsx":
            found.append((f.name, xlsx_text(f)))
        elif f.suffix == ".html" and not f.relative_to(out).parts[0].startswith("maps"):
            found.append((f.name, html_text(f)))
    return found


def _walk(request: pytest.FixtureRequest, template: Path, tmp_path: Path, data: Data,
          run: tuple[str, list[str]], lang: str) -> None:
    command, args = run
    values = _prepare(request, template, tmp_path, args)
    full = ["--workspace", values["ws"], *command.split(), *_fill(args, values)]
    res = _invoke(full, lang=lang)
    data = data.with_texts([*full, PLAN_TEXT, NOTICE_TEXT])  # what the user gave is data
    assert "Traceback" not in res.output, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    bad = [f"{' '.join(full)} → {b}" for b in foreign(res.output, lang, data)]
    for name, text in _outputs(tmp_path / "out"):
        bad += [f"{' '.join(full)} → {name}: {b}" for b in foreign(text, lang, data)]
    out = tmp_path / "out"
    maps = [p for p in sorted(out.rglob("*.html"))
            if p.relative_to(out).parts[0].startswith("maps") and "lib" not in p.parts]
    if maps:
        browser = request.getfixturevalue("browser")
        for page in maps:
            text, blob = page_text(browser, page)
            where = f"{' '.join(full)} → {page.relative_to(tmp_path / 'out')}"
            bad += [f"{where}: {b}" for b in foreign(text, lang, data)]
            bad += [f"{where} (blob): {b}" for b in foreign("\n".join(blob_words(blob)),
                                                              lang, data)]
    assert not bad, "\n".join(dict.fromkeys(bad))


# ----------------------------------------------------------------------------- tests


def test_every_command_is_walked() -> None:
    """The cases name only commands that exist; a new command is walked (with no argument)."""
    assert set(CASES) <= set(COMMANDS), set(CASES) - set(COMMANDS)
    assert {"tasks", "status set", "store push", "papers dispatch"} <= set(COMMANDS)
    assert len(_runs()) >= len(COMMANDS)


@pytest.mark.parametrize("run", _params("zh"))
def test_chinese_has_no_english_outside_data(request: pytest.FixtureRequest, template: Path,
                                             tmp_path: Path, data: Data,
                                             run: tuple[str, list[str]]) -> None:
    _walk(request, template, tmp_path, data, run, "zh")


@pytest.mark.parametrize("run", _params("en"))
def test_english_has_no_chinese_outside_data(request: pytest.FixtureRequest, template: Path,
                                             tmp_path: Path, data: Data,
                                             run: tuple[str, list[str]]) -> None:
    _walk(request, template, tmp_path, data, run, "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("args", SHIPPED, ids=" ".join)
def test_shipped_workspace(data: Data, args: list[str], lang: str) -> None:
    res = _invoke(["--workspace", str(ROOT), *args], lang=lang)
    assert res.exit_code == 0, res.output
    bad = foreign(res.output, lang, data)
    assert not bad, "\n".join(bad)


def test_the_detectors_find_what_they_look_for() -> None:
    data = Data(["幸福小区", "oc-1", "pocket_parks"])
    assert english_words("截至 2021-12-31 无滞后事项 oc-1 pocket_parks", data) == []
    assert english_words("行动地图 written to maps/index.html", data) == [
        "['written']: 行动地图 written to maps/index.html"]
    assert english_words("运行 `citymap tasks --format json` 查看 'today' EPSG:4548", data) == []
    assert han_words("Status: 幸福小区 (oc-1)", data) == []
    assert han_words("Status: 已完成 幸福小区", data) == ["['已完成']: Status: 已完成 幸福小区"]
    assert han_words("Work 工程 8", Data(["园林绿化工程"])) == ["['工程']: Work 工程 8"]
    wrapped = "│ 1 │ 县退役军 │\n│   │ 人事务局 │"
    assert han_words(wrapped, Data(["县退役军人事务局"])) == []
    assert han_words("│ 1 │ 县退 军人 │", Data(["县退役军人事务局"])) == [
        "['县退', '军人']: │ 1 │ 县退 军人 │"]
