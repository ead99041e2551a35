"""The writing commands go through whichever store they are given: the same CLI run, the
same result, on the workspace folder and on the PostGIS store (issue 15).

Each test runs ``status set``, ``progress import``, ``import`` (sites) or ``validate
--repair`` through the CLI, then reads the workspace back through the store
(:func:`citymap.store.open_store`), and checks the other store was not touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import attrs
import psycopg
import pytest
from click.testing import CliRunner, Result

from _ws_core import default_features, make_workspace
from citymap.cli.main import cli
from citymap.store import open_postgis, open_store
from citymap.workspace import Workspace

BOWTIE = {"type": "Polygon", "coordinates": [[[117.57, 37.64], [117.572, 37.642],
                                              [117.572, 37.64], [117.57, 37.642],
                                              [117.57, 37.64]]]}
BOWTIE_WKT = ("POLYGON((117.57 37.64, 117.572 37.642, 117.572 37.64, 117.57 37.642, "
              "117.57 37.64))")


@attrs.frozen
class Where:
    """A workspace in one of the two stores, and the CLI options naming it."""

    kind: str
    folder: Path
    url: str | None

    @property
    def args(self) -> list[str]:
        return ["--store", self.url] if self.url else ["--workspace", str(self.folder)]

    def run(self, *args: object) -> Result:
        return CliRunner().invoke(cli, [*map(str, args), *self.args])

    def load(self) -> Workspace:
        return open_store(self.url, workspace=self.folder).load()

    def log_file(self) -> str:
        path = self.folder / "geo" / "status_log.csv"
        return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.fixture(params=["folder", "postgis"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Where]:
    feats = default_features()
    folder = make_workspace(tmp_path / "ws", features=feats)
    if request.param == "folder":
        yield Where("folder", folder, None)
        return
    url = request.getfixturevalue("pg_url")
    for cmd in (["store", "init"], ["store", "push", "--workspace", str(folder)]):
        r = CliRunner().invoke(cli, [*cmd, "--store", url])
        assert r.exit_code == 0, r.output
    yield Where("postgis", folder, url)


def test_status_set(where: Where) -> None:
    r = where.run("status", "set", "PP-1", "已完成", "--date", "2020-09-01",
                  "--unit", "县综合行政执法局")
    assert r.exit_code == 0, r.output
    events = where.load().history.for_id("PP-1")
    assert [(e.date.isoformat(), e.status, e.unit) for e in events] == [
        ("2020-09-01", "已完成", "县综合行政执法局")]
    # the folder holds it only when it is the store
    assert ("PP-1,已完成" in where.log_file()) is (where.kind == "folder")
    again = where.run("status", "set", "PP-1", "已完成", "--date", "2020-09-01",
                      "--unit", "县综合行政执法局")
    assert again.exit_code == 0 and "已有记录" in again.stderr
    assert len(where.load().history) == 1


def test_progress_import_all_or_nothing(where: Where, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,新状态,日期,完成百分比,备注,填报单位\n"
                   "OC-1,进行中,2020-10-01,40,,县住房城乡建设局\n"
                   "OC-9,进行中,2020-10-01,,,县住房城乡建设局\n", encoding="utf-8")
    r = where.run("progress", "import", bad)
    assert r.exit_code == 2 and "OC-9" in r.output
    assert len(where.load().history) == 0
    good = tmp_path / "good.csv"
    good.write_text("编号,新状态,日期,完成百分比,备注,填报单位\n"
                    "OC-1,进行中,2020-10-01,40,,县住房城乡建设局\n", encoding="utf-8")
    r = where.run("progress", "import", good)
    assert r.exit_code == 0, r.output
    [ev] = where.load().history.events
    assert (ev.id, ev.status, ev.percent) == ("OC-1", "进行中", 40.0)
    assert ("OC-1,进行中" in where.log_file()) is (where.kind == "folder")


def test_import_sites(where: Where, tmp_path: Path) -> None:
    new = tmp_path / "new_parks.geojson"
    new.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"id": "PP-9", "works": "8", "name": "北门口袋公园", "year": 2021,
                       "status": "未开始", "status_date": "2020-06-21", "source": "测绘"},
        "geometry": {"type": "Polygon", "coordinates": [[[117.61, 37.66], [117.611, 37.66],
                                                         [117.611, 37.661], [117.61, 37.661],
                                                         [117.61, 37.66]]]}}]},
        ensure_ascii=False), encoding="utf-8")
    r = where.run("import", new, "--layer", "pocket_parks")
    assert r.exit_code == 0, r.output
    parks = where.load().data["pocket_parks"]
    assert parks["id"].tolist() == ["PP-1", "PP-2", "PP-9"]
    assert parks.set_index("id").loc["PP-9", "name"] == "北门口袋公园"
    local = json.loads((where.folder / "geo/sites/pocket_parks.geojson").read_text("utf-8"))
    assert len(local["features"]) == (3 if where.kind == "folder" else 2)
    if where.url is not None:  # one audited change of the layer
        audit = open_postgis(where.url).audit()
        assert [(a["action"], a["detail"]) for a in audit[1:]] == [
            ("import", {"layer": "pocket_parks", "features": 3})]
        pulled = where.folder.parent / "pulled"
        assert CliRunner().invoke(cli, ["store", "pull", str(pulled), *where.args]).exit_code == 0
        doc = json.loads((pulled / "geo/sites/pocket_parks.geojson").read_text("utf-8"))
        assert [f["properties"]["id"] for f in doc["features"]] == ["PP-1", "PP-2", "PP-9"]
    # the same file again changes nothing
    r = where.run("import", new, "--layer", "pocket_parks")
    assert r.exit_code == 0 and "未作改动" in r.stderr


def _break_a_geometry(where: Where) -> None:
    if where.url is None:
        path = where.folder / "geo/sites/pocket_parks.geojson"
        doc = json.loads(path.read_text(encoding="utf-8"))
        doc["features"][0]["geometry"] = BOWTIE
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return
    with psycopg.connect(where.url) as conn:  # as a GIS editor working in the database would
        conn.execute("UPDATE citymap.sites SET geom = ST_GeomFromText(%s, 4326) "
                     "WHERE id = 'PP-1'", (BOWTIE_WKT,))


def test_validate_repair(where: Where) -> None:
    _break_a_geometry(where)
    assert where.run("validate").exit_code == 2
    r = where.run("validate", "--repair")
    assert r.exit_code == 0, r.output
    assert "已用 make_valid 修复几何" in r.stderr
    assert "已写入修复后的几何" in r.stderr and "pocket_parks" in r.stderr
    assert where.run("validate").exit_code == 0
    parks = where.load().data["pocket_parks"]
    assert parks.geometry.is_valid.all()
    assert parks["id"].tolist() == ["PP-1", "PP-2"]
    assert parks.geometry.iloc[0].geom_type in ("MultiPolygon", "Polygon")


def test_tasks_and_show_take_the_status_from_the_store(where: Where) -> None:
    """``show``/``tasks`` read what the status needs through the store: the folder's records
    without geometry once its files are stamped, the database's full load."""
    from _builder import age_files
    from citymap.store.stamp import stamp_path

    def status() -> str:
        r = where.run("show", "8", "--format", "json", "--as-of", "2020-12-31")
        assert r.exit_code == 0, r.output
        return str(json.loads(r.stdout)["status"])

    assert status() == "滞后"  # its 2020 parks were not done that year
    for sid in ("PP-1", "PP-2"):
        r = where.run("status", "set", sid, "已完成", "--date", "2020-09-01",
                      "--unit", "县综合行政执法局")
        assert r.exit_code == 0, r.output
    age_files(where.folder)
    assert [status(), status()] == ["已完成", "已完成"]
    if where.kind == "folder":
        assert stamp_path(where.folder).is_file()
    tasks = where.run("tasks", "--status", "已完成", "--as-of", "2020-12-31", "--format", "json")
    assert [w["number"] for w in json.loads(tasks.stdout)] == [8]
