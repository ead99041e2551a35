"""Photo evidence in the PostGIS store: ``PostgisAttachments`` behaves as the folder store
(the same tests run on both), adds all or none, loses nothing to concurrent writers, carries
photos through push and pull, and shows them in maps and reports built from the store.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import multiprocessing
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from click.testing import CliRunner
from PIL import Image

from _photos import IN_OC2, phone_jpeg, photo_workspace, sample_folder
from citymap.attachments import (
    ATTACHMENTS_DIR,
    INDEX_NAME,
    Attachments,
    FolderAttachments,
    NewPhoto,
    photo_keys,
)
from citymap.errors import StoreError, WorkspaceError
from citymap.photos import import_photos
from citymap.photos.images import inspect_image, make_thumbnail, sha256_hex
from citymap.store import open_postgis
from citymap.store.postgis import PostgisStore
from citymap.store.postgis_attachments import PostgisAttachments
from citymap.workspace import load_workspace

TODAY = dt.date(2021, 12, 31)
STAMP = "2021-12-01T09:00:00+08:00"
KEY = "测试县"


def item(site: str, color: tuple[int, int, int], *, day: dt.date = dt.date(2020, 6, 1),
         kind: str = "前", taken: dt.datetime | None = None, gps: tuple[float, float] | None
         = None, read: Callable[[], bytes] | None = None) -> NewPhoto:
    """A photo to add, made with Pillow (EXIF date and GPS written as a phone does)."""
    data = phone_jpeg(color=color, taken=taken, lat=gps[0] if gps else None,
                      lon=gps[1] if gps else None)
    info = inspect_image(data)
    return NewPhoto(site=site, date=info.taken or day, kind=kind,
                    date_from="exif" if info.taken else "given", source=f"照片/{site}-{color}.jpg",
                    width=info.width, height=info.height, extension=info.extension,
                    sha256=sha256_hex(data), read=read or (lambda: data),
                    thumbnail=make_thumbnail(data), lat=info.lat, lon=info.lon,
                    distance_m=0.0 if gps else None)


def _store(pg_url: str, root: Path, *, who: str = "tester") -> PostgisStore:
    st = open_postgis(pg_url, who=who)
    st.init()
    st.push(root)
    return st


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return photo_workspace(tmp_path / "ws")


@pytest.fixture(params=["folder", "postgis"])
def att(request: pytest.FixtureRequest, root: Path) -> Iterator[Attachments]:
    """Each behavioural test runs on the folder store and on the PostGIS store."""
    if request.param == "folder":
        yield FolderAttachments(root / ATTACHMENTS_DIR)
        return
    found = _store(request.getfixturevalue("pg_url"), root).attachments()
    assert isinstance(found, PostgisAttachments)
    yield found
    found.close()


# ------------------------------------------------------- the same behaviour in both stores


def test_same_photo_twice_is_one_photo(att: Attachments) -> None:
    a, b = item("OC-1", (10, 20, 30)), item("OC-2", (200, 20, 30))
    res = att.add([a, b, a], added_at=STAMP)
    assert [p.site for p in res.added] == ["OC-1", "OC-2"]
    assert [(new.sha256, old) for new, old in res.duplicates] == [(a.sha256, res.added[0])]
    again = att.add([a], added_at="2021-12-02T09:00:00+08:00")
    assert again.added == () and again.duplicates == ((a, res.added[0]),)
    assert att.photos() == [res.added[0], res.added[1]]
    assert res.added[0].added_at == STAMP
    assert res.added[0].original == f"OC-1/{a.sha256[:16]}.jpg"
    assert res.added[0].thumbnail == f"OC-1/thumbs/{a.sha256[:16]}.jpg"


def test_dry_run_writes_nothing(att: Attachments) -> None:
    a = item("OC-1", (1, 1, 1))
    res = att.add([a, a], dry_run=True, added_at=STAMP)
    assert res.dry_run and len(res.added) == 1 and len(res.duplicates) == 1
    assert att.photos() == []


@pytest.mark.usefixtures("english")
def test_all_or_none_on_a_failing_batch(att: Attachments) -> None:
    good = item("OC-1", (5, 5, 5))
    changed = item("OC-2", (6, 6, 6), read=lambda: b"not the bytes inspected")
    with pytest.raises(WorkspaceError, match="changed while it was imported"):
        att.add([good, changed])
    assert att.photos() == []
    assert len(att.add([good]).added) == 1


def test_oldest_day_first_bytes_and_thumbnails(att: Attachments) -> None:
    late = item("OC-1", (90, 0, 0), taken=dt.datetime(2021, 5, 1, 8, 0), kind="后")
    early = item("OC-1", (0, 90, 0), day=dt.date(2020, 3, 1))
    gps = item("OC-2", (0, 0, 90), taken=dt.datetime(2020, 11, 5, 10, 15), gps=IN_OC2)
    att.add([late, gps, early], added_at=STAMP)
    photos = att.photos()
    assert [(p.site, p.date) for p in photos] == [
        ("OC-1", dt.date(2020, 3, 1)), ("OC-2", dt.date(2020, 11, 5)),
        ("OC-1", dt.date(2021, 5, 1))]
    assert [p.date for p in att.photos("OC-1")] == [dt.date(2020, 3, 1), dt.date(2021, 5, 1)]
    assert att.photos("PP-1") == []
    on_site = photos[1]
    assert (on_site.lat, on_site.lon) == (gps.lat, gps.lon)  # the exact doubles
    assert on_site.lat == pytest.approx(IN_OC2[0], abs=1e-7) and on_site.date_from == "exif"
    for p, new in zip(photos, (early, gps, late), strict=True):
        assert att.read_original(p) == new.read()  # byte for byte
        assert att.read_thumbnail(p) == new.thumbnail
        with Image.open(io.BytesIO(att.read_thumbnail(p))) as im:
            assert im.format == "JPEG" and max(im.size) <= 320


def test_a_photo_not_stored_cannot_be_read(att: Attachments) -> None:
    stored = att.add([item("OC-1", (3, 3, 3))]).added[0]
    original, thumbnail = photo_keys("OC-1", "0" * 64, ".jpg")
    ghost = attrs.evolve(stored, sha256="0" * 64, original=original, thumbnail=thumbnail)
    with pytest.raises(WorkspaceError, match=re.escape(ghost.original)):
        att.read_original(ghost)
    with pytest.raises(WorkspaceError, match=re.escape(ghost.thumbnail)):
        att.read_thumbnail(ghost)


def test_import_pipeline_into_either_store(att: Attachments, root: Path,
                                           tmp_path: Path) -> None:
    ws = load_workspace(root)
    sample_folder(tmp_path / "照片")
    res = import_photos(ws, tmp_path / "照片", store=att, today=TODAY)
    assert sorted((p.site, p.date.isoformat(), p.kind, p.date_from) for p in res.attached) == [
        ("OC-1", "2020-06-01", "前", "name"), ("OC-1", "2020-08-01", "中", "exif"),
        ("OC-1", "2020-11-02", "后", "exif"), ("OC-2", "2020-11-05", "前", "exif")]
    assert len(res.duplicates) == 1
    again = import_photos(ws, tmp_path / "照片", store=att, today=TODAY)
    assert not again.attached and len(again.duplicates) == 5


def test_both_stores_agree(pg_url: str, root: Path, tmp_path: Path) -> None:
    """The same calls on the folder and on PostGIS give equal results and equal records."""
    folder = FolderAttachments(tmp_path / "other" / ATTACHMENTS_DIR)
    db = PostgisAttachments(_store(pg_url, root), KEY)
    batches = [[item("OC-1", (1, 2, 3)), item("OC-2", (4, 5, 6), gps=IN_OC2)],
               [item("OC-1", (1, 2, 3)), item("PP-1", (7, 8, 9), kind="后",
                                                 day=dt.date(2019, 1, 1))],
               []]
    for n, batch in enumerate(batches):
        stamp = f"2021-12-0{n + 1}T00:00:00+08:00"
        for dry in (True, False):
            a = folder.add(batch, dry_run=dry, added_at=stamp)
            b = db.add(batch, dry_run=dry, added_at=stamp)
            assert a == b
    assert folder.photos() == db.photos() and len(db.photos()) == 3
    assert folder.stored() == db.stored()  # also in the order stored
    for site in ("OC-1", "OC-2", "PP-1", "nope"):
        assert folder.photos(site) == db.photos(site)


# ------------------------------------------------------------------- PostGIS only


@pytest.mark.usefixtures("english")
def test_init_adds_the_table_to_a_store_at_0002(pg_url: str, root: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import citymap.store.postgis as postgis

    every = postgis.migrations()
    assert [m.name for m in every][:3] == ["init", "roles", "attachments"]
    monkeypatch.setattr(postgis, "migrations", lambda: every[:2])
    st = open_postgis(pg_url)
    assert st.init() == ["0001_init", "0002_roles"]
    assert st.push(root).photos == 0
    monkeypatch.setattr(postgis, "migrations", lambda: every)
    with pytest.raises(StoreError, match="pending migration"):
        st.attachments().photos()
    assert st.init() == [f"{m.version:04d}_{m.name}" for m in every[2:]]  # 0003, later ones
    assert st.init() == []
    assert len(st.attachments().add([item("OC-1", (1, 1, 1))]).added) == 1
    with psycopg.connect(pg_url) as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'citymap' "
                             "AND tablename = 'attachments'").fetchone()
        geom = conn.execute("SELECT indexdef FROM pg_indexes WHERE indexname = "
                            "'attachments_geom_gist'").fetchone()
    assert owner == ("citymap_owner",) and geom is not None and "gist (geom)" in geom[0]


def test_rows_are_audited_and_checked(pg_url: str, root: Path) -> None:
    st = _store(pg_url, root, who="王工")
    a = item("OC-2", (9, 9, 9), gps=IN_OC2)
    st.attachments().add([a], added_at=STAMP)
    last = st.audit()[-1]
    assert (last["action"], last["who"], last["detail"]["photos"]) == ("photos", "王工", 1)
    assert last["detail"]["sha256"] == [a.sha256]
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT added_by, mime, ST_AsText(geom), ST_SRID(geom) FROM "
                           "citymap.attachments").fetchone()
        assert row is not None
        assert row[0] == "王工" and row[1] == "image/jpeg" and row[3] == 4326
        assert row[2] == f"POINT({a.lon!r} {a.lat!r})"
        # the database refuses an original whose bytes are not its key
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO citymap.attachments (workspace, sha256, site, day, kind, width, "
                "height, extension, mime, original, thumbnail, added_at, added_by) VALUES "
                "(%s, %s, 'OC-1', '2021-01-01', '前', 1, 1, '.jpg', 'image/jpeg', 'x', 'y', "
                "'', 'x')", (KEY, "a" * 64))


@pytest.mark.usefixtures("english")
def test_adding_to_a_workspace_not_in_the_store(pg_url: str, root: Path) -> None:
    st = _store(pg_url, root)
    with pytest.raises(StoreError, match="no workspace '惠民县'"):
        PostgisAttachments(st, "惠民县").add([item("OC-1", (1, 1, 1))])


def _adder(url: str, k: int, shared_color: tuple[int, int, int], start: Any) -> int:
    """One process: three photos of its own and one every process adds."""
    st = open_postgis(url, who=f"unit-{k}")
    items = [item("OC-1", (k * 40, j * 50, 7)) for j in range(3)]
    items.append(item("OC-2", shared_color))
    start.wait(60)
    return len(st.attachments().add(items).added)


def test_concurrent_processes_lose_nothing(pg_url: str, root: Path) -> None:
    st = _store(pg_url, root)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        start = manager.Event()
        with ctx.Pool(4) as pool:
            pending = [pool.apply_async(_adder, (pg_url, k, (250, 250, 0), start))
                       for k in range(4)]
            start.set()
            added = [p.get(timeout=300) for p in pending]
    assert sorted(added) == [3, 3, 3, 4]  # the shared photo stored once
    photos = st.attachments().photos()
    assert len(photos) == 13 and len({p.sha256 for p in photos}) == 13
    assert sorted(a["who"] for a in st.audit() if a["action"] == "photos") == [
        f"unit-{k}" for k in range(4)]


def test_push_and_pull_carry_the_photos(pg_url: str, root: Path, tmp_path: Path) -> None:
    ws = load_workspace(root)
    sample_folder(tmp_path / "照片")
    import_photos(ws, tmp_path / "照片", today=TODAY)
    st = open_postgis(pg_url)
    st.init()
    assert st.push(root).photos == 4
    copy = st.pull(tmp_path / "copy")
    src, dst = root / ATTACHMENTS_DIR, copy / ATTACHMENTS_DIR
    files = sorted(p.relative_to(src) for p in src.rglob("*") if p.is_file()
                   and not p.name.startswith("."))
    assert len(files) == 9  # the index, 4 originals, 4 thumbnails
    assert sorted(p.relative_to(dst) for p in dst.rglob("*") if p.is_file()
                  and not p.name.startswith(".")) == files
    for rel in files:  # byte for byte, the index too (same records, same order)
        assert (dst / rel).read_bytes() == (src / rel).read_bytes(), rel
    assert FolderAttachments(dst).photos() == FolderAttachments(src).photos()
    # the pulled folder pushes again with nothing new
    assert st.push(copy).photos == 0
    # a photo added in the store since the pull survives a push of the old folder
    extra = item("PP-1", (33, 66, 99))
    st.attachments().add([extra])
    assert st.push(root).photos == 0
    assert len(st.attachments().photos()) == 5
    again = st.pull(tmp_path / "copy2")
    assert (again / ATTACHMENTS_DIR / f"PP-1/{extra.sha256[:16]}.jpg").read_bytes() == \
        extra.read()
    assert st.pull(copy, overwrite=True) == copy  # an existing folder gets the new photo
    assert len(FolderAttachments(dst).photos()) == 5
    assert (dst / INDEX_NAME).read_bytes().startswith((src / INDEX_NAME).read_bytes())
    # loading for a command pulls no photos: they are read from the store
    assert not (Path(st.load().root) / ATTACHMENTS_DIR).exists()
    st.delete(KEY)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM citymap.attachments").fetchone() == (0,)


@pytest.mark.usefixtures("english")
def test_push_of_a_damaged_folder_stores_nothing(pg_url: str, root: Path,
                                                 tmp_path: Path) -> None:
    ws = load_workspace(root)
    sample_folder(tmp_path / "照片")
    photo = import_photos(ws, tmp_path / "照片", today=TODAY).attached[0]
    st = open_postgis(pg_url)
    st.init()
    (root / ATTACHMENTS_DIR / photo.original).write_bytes(b"edited by hand")
    with pytest.raises(WorkspaceError, match="changed while it was imported"):
        st.push(root)
    assert st.workspaces() == []


def _login(url: str, role: str, member_of: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN IN ROLE {member_of}')
    return url.replace("postgresql://postgres@", f"postgresql://{role}@")


def test_roles(pg_url: str, root: Path) -> None:
    if "postgresql://postgres@" not in pg_url:
        pytest.skip("login roles are made on the throw-away cluster only")
    _store(pg_url, root).attachments().add([item("OC-1", (1, 1, 1))])
    tag = pg_url.rsplit("/", 1)[1].split("?")[0][-12:]
    reader = open_postgis(_login(pg_url, f"pr_{tag}", "citymap_read")).attachments()
    writer = open_postgis(_login(pg_url, f"pw_{tag}", "citymap_write"), who="clerk")
    (stored,) = reader.photos()
    assert reader.read_original(stored)[:2] == b"\xff\xd8"
    with pytest.raises(StoreError, match="permission denied"):
        reader.add([item("OC-2", (2, 2, 2))])
    assert len(writer.attachments().add([item("OC-2", (2, 2, 2))]).added) == 1
    with psycopg.connect(writer._conninfo, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE citymap.attachments SET site = 'PP-1'")
    with psycopg.connect(pg_url, autocommit=True) as conn:  # granted by hand: still refused
        conn.execute(f'GRANT UPDATE ON citymap.attachments TO "pw_{tag}"')
    with psycopg.connect(writer._conninfo, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only added"):
            conn.execute("UPDATE citymap.attachments SET site = 'PP-1'")
    assert len(reader.photos()) == 2


def _run(*args: object) -> Any:
    from citymap.cli.main import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_commands_on_the_store_show_its_photos(pg_url: str, root: Path,
                                               tmp_path: Path) -> None:
    st = _store(pg_url, root)
    sample_folder(tmp_path / "照片")
    r = _run("photos", "import", tmp_path / "照片", "--store", pg_url)
    assert r.exit_code == 0, r.output
    assert not (root / ATTACHMENTS_DIR).exists()  # into the store, not the folder
    r = _run("photos", "list", "OC-1", "--format", "json", "--store", pg_url)
    assert r.exit_code == 0, r.output
    listed = json.loads(r.stdout)
    assert [e["date"] for e in listed] == ["2020-06-01", "2020-08-01", "2020-11-02"]
    db = PostgisAttachments(st, KEY)
    by_thumb = {p.thumbnail: p for p in db.photos()}
    out = tmp_path / "maps"
    r = _run("build", "--offline", "-o", out, "--store", pg_url)
    assert r.exit_code == 0, r.output
    page = (out / "index.html").read_text("utf-8")
    blob = json.loads(re.search(r'<script type="application/json" id="[^"]*">(.*?)</script>',
                                page, re.S)[1])  # type: ignore[index]
    shown = blob["photos"]["s"]["OC-1"]
    assert [(e[1], e[2]) for e in shown] == [("2020-06-01", "前"), ("2020-11-02", "后")]
    for url, *_ in shown:
        assert (out / url).read_bytes() == db.read_thumbnail(by_thumb[url.removeprefix(
            "photos/")])
    r = _run("store", "build", "-o", tmp_path / "all", "--offline", "--store", pg_url)
    assert r.exit_code == 0, r.output
    for url, *_ in shown:  # every county's maps carry its photos
        assert (tmp_path / "all" / "county-001" / url).read_bytes() == (out / url).read_bytes()
    report = tmp_path / "r.html"
    r = _run("report", "--year", "2020", "--as-of", "2020-12-31", "--no-maps", "-o", report,
             "--store", pg_url)
    assert r.exit_code == 0, r.output
    figures = re.findall(r'<figure class="photo" data-site="([^"]+)"><img alt="[^"]+" '
                         r'src="data:image/jpeg;base64,([^"]+)"', report.read_text("utf-8"))
    after = [p for p in db.photos("OC-1") if p.kind == "后"][0]
    assert [(s, base64.b64decode(b)) for s, b in figures] == [
        ("OC-1", db.read_thumbnail(after))]
    db.close()
