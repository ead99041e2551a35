"""The PostGIS store: migrations, lossless push/pull, injection, SRID, several counties, redaction.

Runs against a throw-away cluster (tests/_pg.py; fixtures in tests/conftest.py); skips only
where no server can be started, and fails instead when $CI is set.
"""

from __future__ import annotations

import json

import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal

from _ws_core import default_features, feature, make_workspace, site, square
from citymap.errors import StoreError, ValidationError
from citymap.history import StatusEvent
from citymap.store import is_store_url, open_postgis, redact
from citymap.store.postgis import check_key, migrations
from citymap.workspace import load_workspace

LOG = ("date,id,status,percent,note,unit,recorded_at\n"
       "2020-07-01,PP-1,进行中,50,开工,县综合行政执法局,2020-07-01T10:00:00+08:00\n"
       "2020-09-30,PP-1,已完成,100,\"竣工, 验收\",县综合行政执法局,2020-10-01T09:00:00+08:00\n")

EVIL = "o'brien\"; DROP TABLE citymap.sites;--"


# ----------------------------------------------------------------------------- no server


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://gis:s3cret@db.example:5432/citymap", "postgresql://gis:***@db.example:5432/citymap"),
    ("postgresql://gis:p@ss/w0rd@db/citymap?sslmode=require",
     "postgresql://gis:***@db/citymap?sslmode=require"),
    ("postgresql://gis@db/citymap?password=s3cret&sslmode=require",
     "postgresql://gis@db/citymap?password=***&sslmode=require"),
    ("host=db user=gis password=s3cret dbname=citymap",
     "host=db user=gis password=*** dbname=citymap"),
    ("host=db password='s3 cret' dbname=citymap", "host=db password=*** dbname=citymap"),
    ("postgresql://gis@db/citymap#阳信县", "postgresql://gis@db/citymap#阳信县"),
])
def test_redact(url, shown):
    assert redact(url) == shown
    assert "s3" not in redact(url) and "w0rd" not in redact(url)


def test_store_repr_and_errors_hide_the_password():
    st = open_postgis("postgresql://gis:s3cret@127.0.0.1:1/nowhere")
    assert "s3cret" not in repr(st) and "s3cret" not in st.url
    with pytest.raises(StoreError) as exc:
        st.init()
    assert "s3cret" not in str(exc.value)
    assert "gis:***@127.0.0.1:1/nowhere" in str(exc.value)


@pytest.mark.usefixtures("english")
def test_not_a_store_url():
    assert not is_store_url("geo/")
    with pytest.raises(StoreError, match="is not a store URL"):
        open_postgis("/tmp/folder")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("key", ["", " ", "x" * 201, "a\nb"])
def test_bad_keys_refused(key):
    with pytest.raises(StoreError, match="workspace key"):
        check_key(key)


def test_migrations_are_numbered():
    ms = migrations()
    assert [m.version for m in ms] == list(range(1, len(ms) + 1))
    assert ms[0].name == "init"


# ----------------------------------------------------------------------------- server


@pytest.mark.usefixtures("english")
def test_init_is_idempotent_and_versioned(pg_url):
    st = open_postgis(pg_url)
    assert st.applied() == {}
    with pytest.raises(StoreError, match="store init"):
        st.workspaces()
    assert st.init() == ["0001_init", "0002_roles", "0003_attachments", "0004_reviews"]
    assert st.init() == []
    assert set(st.applied()) == {m.version for m in migrations()}
    assert st.workspaces() == []
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE citymap.schema_migrations SET checksum = 'x' WHERE version = 1")
    with pytest.raises(StoreError, match="was changed after it was applied"):
        st.init()


def test_geometry_is_indexed(pg_url):
    open_postgis(pg_url).init()
    with psycopg.connect(pg_url) as conn:
        idx = {r[0]: r[1] for r in conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'citymap' "
            "AND tablename = 'sites'")}
    assert "gist (geom)" in idx["sites_geom_gist"]
    assert "st_transform(geom, 4548)" in idx["sites_geom_4548_gist"]


def _rich_workspace(tmp_path, name="a"):
    """The tiny workspace plus file values that are easy to lose on a round trip."""
    feats = default_features()
    oc = feats["old_communities"]
    oc[0]["properties"]["households"] = None          # a null int
    oc[1]["properties"]["works"] = 16                 # an int where text is canonical
    oc[1]["properties"]["memo"] = "备注: 'quoted' ;-- x"  # a property the layer does not define
    oc.append(site("OC-3", "16", "复兴\"小区\"; DROP TABLE x;--", 2021,
                   square(117.5712345678901, 37.6512345678901, 0.00123456789), households=12))
    return make_workspace(tmp_path / name, features=feats, status_log=LOG)


def test_push_pull_is_lossless(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    src = _rich_workspace(tmp_path)
    res = st.push(src)
    assert (res.workspace, res.layers, res.features, res.events) == ("测试县", 3, 6, 2)
    out = st.pull(tmp_path / "copy")
    a, b = load_workspace(src), load_workspace(out)
    assert list(a.data) == list(b.data)
    for name in a.data:
        assert_geodataframe_equal(a.data[name], b.data[name], check_less_precise=False)
    for rel in ("citymap.toml", "geo/register.yaml", "layers/old_communities.toml",
                "layers/roads.toml", "layers/pocket_parks.toml"):
        assert (out / rel).read_bytes() == (src / rel).read_bytes(), rel
    assert a.history == b.history and a.register == b.register and a.layers == b.layers
    # property by property, types included, in file order
    for rel in ("geo/sites/old_communities.geojson", "geo/context/roads.geojson"):
        fa = json.loads((src / rel).read_text(encoding="utf-8"))["features"]
        fb = json.loads((out / rel).read_text(encoding="utf-8"))["features"]
        assert [list(f["properties"].items()) for f in fa] == [
            list(f["properties"].items()) for f in fb]
        assert [json.dumps(f["properties"]) for f in fa] == [
            json.dumps(f["properties"]) for f in fb]
    # a second pull of the pulled copy is byte-identical
    st.push(out, replace=False)
    again = st.pull(tmp_path / "again")
    for p in out.rglob("*"):
        if p.is_file():
            assert (again / p.relative_to(out)).read_bytes() == p.read_bytes(), p


def test_register_is_also_parsed_for_sql(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    st.push(make_workspace(tmp_path / "a"))
    with psycopg.connect(pg_url) as conn:
        works = conn.execute("SELECT number, lead_units FROM citymap.works ORDER BY 1").fetchall()
        targets = conn.execute("SELECT id, metric, layer FROM citymap.targets "
                               "ORDER BY 1").fetchall()
    assert works[0] == (8, ["县综合行政执法局"])
    assert ("16.2", "old_communities_retrofitted", "old_communities") in targets


@pytest.mark.usefixtures("english")
def test_invalid_workspace_is_not_pushed(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    feats = default_features()
    feats["pocket_parks"][0]["properties"]["status"] = "done"
    with pytest.raises(ValidationError, match="unknown status 'done'"):
        st.push(make_workspace(tmp_path / "a", features=feats))
    assert st.workspaces() == []


@pytest.mark.usefixtures("english")
def test_injection_in_keys_names_and_notes(pg_url, tmp_path):
    st = open_postgis(f"{pg_url}")
    st.init()
    src = _rich_workspace(tmp_path)
    st.push(src, key=EVIL)
    st.push(src, key="测试县")
    assert [w.workspace for w in st.workspaces()] == sorted([EVIL, "测试县"])
    ev = StatusEvent(__import__("datetime").date(2021, 1, 5), "OC-3", "进行中", 10.0,
                     note="'); DELETE FROM citymap.status_log;--", unit="县'局\";--")
    res = st.append_log([ev], key=EVIL)
    assert len(res.added) == 1
    log = st.status_log(EVIL)
    assert log.events[-1].note == ev.note and log.events[-1].unit == ev.unit
    out = st.pull(tmp_path / "evil", key=EVIL)
    names = json.loads((out / "geo/sites/old_communities.geojson").read_text(
        encoding="utf-8"))["features"][2]["properties"]["name"]
    assert names == "复兴\"小区\"; DROP TABLE x;--"
    with pytest.raises(StoreError, match="no workspace"):
        st.files(key="x' OR '1'='1")
    with psycopg.connect(pg_url) as conn:  # every table is still there, both workspaces too
        n = conn.execute("SELECT count(*) FROM citymap.sites").fetchone()
    assert n == (12,)
    assert len(st.status_log("测试县")) == 2


def test_wrong_srid_is_refused(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    st.push(make_workspace(tmp_path / "a"))
    for srid in (4490, 4548, 3857):
        with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.Error, match="SRID"):
            conn.execute(
                "INSERT INTO citymap.sites (workspace, layer, id, ord, geom) VALUES "
                "(%s, %s, %s, %s, ST_SetSRID(ST_MakePoint(117.58, 37.64), %s))",
                ("测试县", "pocket_parks", f"X-{srid}", 9, srid))
    # SRID 0 (unknown) takes the column's SRID in PostGIS; projected metres are still refused
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.CheckViolation,
                                                         match="sites_lonlat"):
        conn.execute("INSERT INTO citymap.sites (workspace, layer, id, ord, geom) VALUES "
                     "(%s, %s, %s, %s, ST_MakePoint(%s, %s))",
                     ("测试县", "pocket_parks", "X-proj", 9, 512345.0, 4167890.0))
    with psycopg.connect(pg_url) as conn:
        found = conn.execute("SELECT Find_SRID('citymap', 'sites', 'geom')").fetchone()
    assert found == (4326,)


@pytest.mark.usefixtures("english")
def test_several_counties_in_one_store(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    st.push(make_workspace(tmp_path / "a"), key="甲县")
    st.push(make_workspace(tmp_path / "b"), key="乙县")
    with pytest.raises(StoreError, match="holds 2 workspaces \\('乙县', '甲县'\\)"):
        st.resolve_key()
    assert open_postgis(f"{pg_url}#%E4%B9%99%E5%8E%BF").resolve_key() == "乙县"
    ws = open_postgis(pg_url + "#甲县").load()
    assert ws.site_ids == {"OC-1", "OC-2", "PP-1", "PP-2"}
    st.delete("甲县")
    assert st.resolve_key() == "乙县"
    assert [a["action"] for a in st.audit("甲县")] == ["push", "delete"]


@pytest.mark.usefixtures("english")
def test_push_refuses_to_drop_newer_store_events(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    src = make_workspace(tmp_path / "a", status_log=LOG)
    st.push(src)
    ev = StatusEvent(__import__("datetime").date(2021, 3, 1), "OC-1", "进行中", 30.0)
    st.append_log([ev])
    with pytest.raises(StoreError, match="holds 1 status event"):
        st.push(src)
    assert len(st.status_log()) == 3
    st.push(src, replace=True)
    assert len(st.status_log()) == 2
    audit = st.audit()
    assert [a["action"] for a in audit] == ["push", "status", "push"]
    assert all(a["who"] and a["at"] and a["txid"] for a in audit)


@pytest.mark.usefixtures("english")
def test_pull_refuses_a_folder_in_use(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    src = make_workspace(tmp_path / "a")
    st.push(src)
    with pytest.raises(StoreError, match="exists and is not empty"):
        st.pull(src)
    (src / "layers" / "stray.toml").write_text("name = 'stray'", encoding="utf-8")
    (src / "maps").mkdir()
    (src / "maps" / "index.html").write_text("<html>", encoding="utf-8")
    st.pull(src, overwrite=True)
    assert not (src / "layers" / "stray.toml").exists()
    assert (src / "maps" / "index.html").exists()
    load_workspace(src)


def test_store_rows_carry_who_and_when(pg_url, tmp_path):
    st = open_postgis(pg_url, who="张三")
    st.init()
    st.push(make_workspace(tmp_path / "a"))
    st.append_log([StatusEvent(__import__("datetime").date(2021, 3, 1), "PP-2", "进行中")])
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT recorded_by, db_user, txid > 0, inserted_at IS NOT NULL, "
                           "recorded_at <> '' FROM citymap.status_log").fetchone()
    assert row == ("张三", "postgres", True, True, True)


def test_context_and_extra_members_round_trip(pg_url, tmp_path):
    feats = default_features()
    feats["roads"].append(feature({"type": "LineString", "coordinates": [
        [117.56, 37.65], [117.6, 37.65]]}, id="R-2", name=None, source="示意",
        **{"class": "背街小巷"}))
    src = make_workspace(tmp_path / "a", features=feats)
    path = src / "geo/context/roads.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data = {"type": "FeatureCollection", "name": "roads",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": data["features"]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    st = open_postgis(pg_url)
    st.init()
    st.push(src)
    out = json.loads(st.files()["geo/context/roads.geojson"])
    assert out["name"] == "roads" and out["crs"] == data["crs"]
    assert out["features"] == data["features"]


@pytest.mark.usefixtures("english")
def test_events_before_the_stored_plans_start_are_refused(pg_url, tmp_path):  # noqa: F811
    import _ws_period

    st = open_postgis(pg_url)
    st.init()
    st.push(_ws_period.make_workspace(tmp_path / "p"))
    early = StatusEvent(__import__("datetime").date(2022, 12, 31), "OC-2", "进行中")
    with pytest.raises(ValidationError, match=r"'2022-12-31' is outside 2023-01-01 …"):
        st.append_log([early])
    ok = StatusEvent(__import__("datetime").date(2023, 1, 1), "OC-2", "进行中")
    assert len(st.append_log([ok]).added) == 1
