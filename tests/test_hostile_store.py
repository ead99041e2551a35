"""The store under attack: passwords never shown, separate roles, an append-only audit trail,
and no county whose paths leave its folder (issue 10, "Store")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from citymap.cli.main import cli
from citymap.errors import StoreError
from citymap.store import open_postgis, redact

# Every URL points at a socket folder that does not exist: the connection fails at once.
NOWHERE = "/nonexistent-citymap-socket"
LEAKY = [
    f"postgresql://gis:p%zzSECRETa@/citymap?host={NOWHERE}",            # bad percent-encoding
    f"postgresql://gis:SECRETb with space@/citymap?host={NOWHERE}",      # unencoded space
    f"postgresql://gis:SE@CRETc/x@/citymap?host={NOWHERE}",             # unencoded @ and /
    f"postgresql://gis:SECRETd%@/citymap?host={NOWHERE}",                # a lone %
    f"postgresql:///citymap?host={NOWHERE}&password=SECRETe%zz",         # bad encoding in query
    f"postgresql://gis@/citymap?host={NOWHERE}&sslpassword=SECRETf",     # sslpassword
    f"host={NOWHERE} dbname=citymap password=SECRETg SECRETh",           # space, unquoted
    f"host={NOWHERE} dbname=citymap sslpassword=SECRETi",                # sslpassword key=value
    f"host={NOWHERE} password = 'SECRETj \\' SECRETk' dbname=citymap",   # quoted, escaped quote
    f"host={NOWHERE} dbname=citymap password=SECRETl'",                  # stray quote
    f"dbname=citymap host={NOWHERE} PASSWORD=SECRETm",                   # upper case key
]


@pytest.mark.parametrize("url", LEAKY)
def test_password_never_in_errors(url: str) -> None:
    assert "SECRET" not in redact(url), redact(url)
    try:
        st = open_postgis(url)
    except StoreError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert "SECRET" not in message
        return
    assert "SECRET" not in repr(st) and "SECRET" not in st.url
    with pytest.raises(StoreError) as info:
        st.workspaces()
    assert "SECRET" not in str(info.value), str(info.value)


@pytest.mark.parametrize("url", LEAKY)
def test_password_never_on_the_command_line(url: str) -> None:
    r = CliRunner().invoke(cli, ["store", "status", "--store", url])
    assert r.exit_code != 0
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "SECRET" not in r.output, r.output


# ----------------------------------------------------------------------------- roles

from _ws_core import make_workspace  # noqa: E402


def _login(url: str, role: str, member_of: str) -> str:
    """A login role in ``member_of`` and the URL that connects as it."""
    from _pg import login_role

    return login_role(url, role, member_of)


@pytest.fixture
def roles_store(pg_url: str, tmp_path: Path) -> dict[str, str]:  # noqa: F811
    owner = open_postgis(pg_url, who="owner")
    owner.init()
    owner.push(make_workspace(tmp_path / "ws"))
    tag = pg_url.rsplit("/", 1)[1].split("?")[0][-12:]
    return {"owner": pg_url, "write": _login(pg_url, f"w_{tag}", "citymap_write"),
            "read": _login(pg_url, f"r_{tag}", "citymap_read")}


def _sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def test_writer_appends_but_cannot_rewrite_the_audit(roles_store: dict[str, str],
                                                     tmp_path: Path) -> None:
    import psycopg

    from citymap.history import StatusEvent

    writer = open_postgis(roles_store["write"], who="clerk")
    res = writer.append_log([StatusEvent(dt.date(2021, 5, 1), "PP-1", "进行中",
                                            unit="县综合行政执法局")])
    assert len(res.added) == 1
    assert [a["action"] for a in writer.audit()][-1] == "status"
    for stmt in ("UPDATE citymap.audit SET who = 'nobody'", "DELETE FROM citymap.audit",
                 "TRUNCATE citymap.audit", "UPDATE citymap.status_log SET note = 'x'"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql(roles_store["write"], stmt)
    n = len(open_postgis(roles_store["owner"]).audit())
    assert n >= 2  # push + status, all still there


def test_owner_role_alone_may_change_the_audit_by_hand(roles_store: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(roles_store["owner"], autocommit=True) as conn:
        conn.execute('DROP ROLE IF EXISTS "sneaky"')
        conn.execute('CREATE ROLE "sneaky" LOGIN IN ROLE citymap_write')
        conn.execute('GRANT UPDATE, DELETE ON citymap.audit TO "sneaky"')
    sneaky = roles_store["owner"].replace("postgresql://postgres@", "postgresql://sneaky@")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        _sql(sneaky, "DELETE FROM citymap.audit")


def test_reader_reads_and_cannot_write(roles_store: dict[str, str]) -> None:
    import psycopg

    from citymap.history import StatusEvent

    reader = open_postgis(roles_store["read"])
    ws = reader.load()
    assert len(ws.register.works) == 3
    for stmt in ("INSERT INTO citymap.audit (workspace, who, action) VALUES ('x', 'y', 'z')",
                 "DELETE FROM citymap.sites", "UPDATE citymap.workspaces SET name = 'x'",
                 "INSERT INTO citymap.status_log (workspace, date, id, status, recorded_by) "
                 "VALUES ('测试县', '2021-01-01', 'PP-1', '进行中', 'x')"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _sql(roles_store["read"], stmt)
    with pytest.raises(StoreError, match="permission denied"):
        reader.delete("测试县")
    with pytest.raises(StoreError, match="permission denied"):
        reader.append_log([StatusEvent(dt.date(2021, 5, 1), "PP-1", "进行中")])


def test_push_refuses_a_county_whose_paths_leave_its_folder(pg_url: str,  # noqa: F811
                                                            tmp_path: Path) -> None:
    from citymap.errors import ValidationError

    st = open_postgis(pg_url)
    st.init()
    root = make_workspace(tmp_path / "ws")
    cfg = root / "citymap.toml"
    cfg.write_text(cfg.read_text("utf-8").replace('status_log = "geo/status_log.csv"',
                                                  'status_log = "../../etc/log.csv"'), "utf-8")
    with pytest.raises(ValidationError, match="status_log"):
        st.push(root)
    assert st.workspaces() == []


def test_hostile_workspace_round_trips_through_the_store(pg_url: str,  # noqa: F811
                                                         tmp_path: Path) -> None:
    from _hostile import poison
    from _ws_maps import make_workspace as make_maps_workspace

    root = make_maps_workspace(tmp_path / "ws")
    poison(root)
    st = open_postgis(pg_url)
    st.init()
    st.push(root)
    st.pull(tmp_path / "back")
    for f in ("citymap.toml", "geo/register.yaml", "layers/old_communities.toml"):
        assert (tmp_path / "back" / f).read_bytes() == (root / f).read_bytes(), f
    import json

    for gj in sorted((root / "geo").rglob("*.geojson")):
        back = tmp_path / "back" / gj.relative_to(root)
        assert json.loads(back.read_text("utf-8")) == json.loads(gj.read_text("utf-8")), gj
