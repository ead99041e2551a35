"""Photo evidence: EXIF reading, file-name parsing, matching, flags, the folder store."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from _photos import FAR_OC1, IN_OC2, phone_jpeg, photo_workspace, sample_folder, write
from citymap.attachments import ATTACHMENTS_DIR, INDEX_NAME, open_attachments
from citymap.errors import ValidationError
from citymap.photos import Period, import_photos, period_of_month, report_pictures
from citymap.photos.images import inspect_image, make_thumbnail
from citymap.photos.sources import _site_pattern, parse_name
from citymap.workspace import Workspace, load_workspace

TODAY = dt.date(2021, 12, 31)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return load_workspace(photo_workspace(tmp_path / "ws"))


def att(ws: Workspace) -> Path:
    return Path(ws.root) / ATTACHMENTS_DIR


@pytest.mark.parametrize(("stem", "expected"), [
    ("OC-2021-07_前_2021-03-01", ("OC-2021-07", "前", dt.date(2021, 3, 1))),
    ("OC-2021-07 (2)", ("OC-2021-07", None, None)),
    ("OC-2021-07-后-2021.11.30", ("OC-2021-07", "后", dt.date(2021, 11, 30))),
    ("幸福小区_OC-2021-07_施工中_2021年5月1日", ("OC-2021-07", "中", dt.date(2021, 5, 1))),
    ("IMG_20210301_101500", (None, None, dt.date(2021, 3, 1))),
    ("OC-2021-071_after", (None, "后", None)),  # not the id OC-2021-07 followed by a digit
    ("OC-2021-07-1 before", ("OC-2021-07-1", "前", None)),  # the longest id wins
    ("OC-2021-07_2021-02-30", ("OC-2021-07", None, None)),  # no such day
])
def test_parse_name(stem: str, expected: tuple[object, ...]) -> None:
    assert parse_name(stem, _site_pattern(["OC-2021-07", "OC-2021-07-1", "PP-1"])) == expected


@pytest.mark.parametrize("big_endian", [True, False])
def test_exif_as_phones_write_it(big_endian: bool) -> None:
    data = phone_jpeg(taken=dt.datetime(2021, 3, 1, 23, 59), lat=37.656, lon=117.581,
                      orientation=6, big_endian=big_endian)
    info = inspect_image(data)
    assert (info.format, info.width, info.height, info.taken) == ("JPEG", 80, 40,
                                                                  dt.date(2021, 3, 1))
    assert info.lat == pytest.approx(37.656, abs=1e-7)
    assert info.lon == pytest.approx(117.581, abs=1e-7)
    thumb = Image.open(io.BytesIO(make_thumbnail(data)))
    assert thumb.format == "JPEG" and thumb.size == (40, 80)  # orientation 6 applied
    assert not thumb.getexif()  # no GPS in thumbnails
    south_west = inspect_image(phone_jpeg(lat=-33.5, lon=-70.25))
    assert south_west.lat == pytest.approx(-33.5) and south_west.lon == pytest.approx(-70.25)
    assert inspect_image(phone_jpeg()).taken is None


def test_big_photo_thumbnail_is_320() -> None:
    data = phone_jpeg(size=(1600, 1200))
    assert Image.open(io.BytesIO(make_thumbnail(data))).size == (320, 240)


def test_folder_import(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "照片"
    files = sample_folder(folder)
    res = import_photos(ws, folder, today=TODAY)
    got = {(p.site, p.date.isoformat(), p.kind, p.date_from): p for p in res.attached}
    assert sorted(got) == [
        ("OC-1", "2020-06-01", "前", "name"),   # kind and day from the name
        ("OC-1", "2020-08-01", "中", "exif"),   # 施工中 in the name
        ("OC-1", "2020-11-02", "后", "exif"),   # done on 2020-10-01: after
        ("OC-2", "2020-11-05", "前", "exif"),   # matched by GPS; OC-2 not started: before
    ]
    assert len(res.duplicates) == 1 and not res.flagged
    assert res.duplicates[0][1].source == "照片/OC-1_前_2020-06-01.jpg"
    gps = got[("OC-2", "2020-11-05", "前", "exif")]
    assert gps.distance_m == 0.0 and gps.lat == pytest.approx(IN_OC2[0])
    store = open_attachments(ws.root)
    by_source = {p.source: p for p in store.photos()}
    for name, data in files.items():
        p = by_source.get(f"照片/{name}")
        if p is None:
            continue
        assert store.read_original(p) == data  # byte for byte
        assert (att(ws) / p.original).read_bytes() == data
        thumb = Image.open(io.BytesIO(store.read_thumbnail(p)))
        assert max(thumb.size) <= 320
    rotated = by_source["照片/施工/OC-1_施工中.jpg"]
    with Image.open(att(ws) / rotated.thumbnail) as im:
        assert im.size == (40, 80)
    index = (att(ws) / INDEX_NAME).read_bytes()
    assert len(index.splitlines()) == 4
    assert [p.date for p in store.photos("OC-1")] == sorted(p.date for p in store.photos("OC-1"))
    # again: nothing new, the index and every file untouched (thumbnails made once)
    before = {f: f.stat().st_mtime_ns for f in att(ws).rglob("*") if f.is_file()}
    again = import_photos(ws, folder, today=TODAY)
    assert not again.attached and len(again.duplicates) == 5
    assert (att(ws) / INDEX_NAME).read_bytes() == index
    assert {f: f.stat().st_mtime_ns for f in att(ws).rglob("*") if f.is_file()} == before


def test_far_and_out_of_period_are_flagged(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    write(folder / "OC-1_后.jpg", phone_jpeg(taken=dt.datetime(2020, 11, 20), lat=FAR_OC1[0],
                                            lon=FAR_OC1[1]))
    write(folder / "IMG_1.jpg", phone_jpeg(taken=dt.datetime(2020, 6, 1), lat=IN_OC2[0],
                                           lon=IN_OC2[1], color=(3, 3, 3)))
    write(folder / "IMG_2.jpg", phone_jpeg(taken=dt.datetime(2020, 11, 3), lat=37.62, lon=117.52,
                                           color=(5, 5, 5)))
    write(folder / "IMG_3.jpg", phone_jpeg(taken=dt.datetime(2020, 11, 4), lat=IN_OC2[0],
                                           lon=IN_OC2[1], color=(7, 7, 7)))
    period = period_of_month("2020-11")
    assert period == Period(dt.date(2020, 11, 1), dt.date(2020, 11, 30))
    res = import_photos(ws, folder, period=period, today=TODAY)
    flagged = {f.candidate.where: f for f in res.flagged}
    assert sorted(flagged) == ["phone/IMG_1.jpg", "phone/IMG_2.jpg", "phone/OC-1_后.jpg"]
    far = flagged["phone/OC-1_后.jpg"]
    assert far.flags == ("far",) and far.photo.site == "OC-1"
    assert 495 < (far.photo.distance_m or 0) < 505  # 500 m, measured in EPSG:4548
    assert flagged["phone/IMG_1.jpg"].flags == ("period",)
    nearest = flagged["phone/IMG_2.jpg"]
    assert nearest.photo.site == "PP-1" and nearest.flags == ("far",)
    assert 4000 < (nearest.photo.distance_m or 0) < 6000
    assert [p.source for p in res.attached] == ["phone/IMG_3.jpg"]
    assert len(open_attachments(ws.root).photos()) == 1
    # accepted: attached, with their flags kept
    res = import_photos(ws, folder, period=period, accept_flagged=True, today=TODAY)
    assert sorted(p.flags for p in res.attached) == [("far",), ("far",), ("period",)]
    assert len(open_attachments(ws.root).photos()) == 4
    # a stricter or looser threshold
    res = import_photos(ws, folder, period=period, max_distance_m=600, dry_run=True,
                        today=TODAY)
    assert not res.attached and len(res.duplicates) == 4 and not res.flagged


def test_dry_run_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    sample_folder(tmp_path / "p")
    res = import_photos(ws, tmp_path / "p", dry_run=True, today=TODAY)
    assert len(res.attached) == 4 and res.dry_run
    assert not att(ws).exists()


@pytest.mark.usefixtures("english")
def test_bad_inputs_one_line_each_nothing_written(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    write(folder / "OC-1_前_2020-06-01.jpg", phone_jpeg())
    write(folder / "OC-1_说明.jpg", "这不是照片".encode())
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, format="PNG")
    write(folder / "OC-2_bomb.png", bomb.getvalue())
    write(folder / "XX-9_前_2020-06-01.jpg", phone_jpeg(color=(1, 1, 1)))
    write(folder / "OC-2_后.jpg", phone_jpeg(color=(2, 2, 2)))  # no day anywhere
    write(folder / "OC-2_2030-01-01.jpg", phone_jpeg(color=(4, 4, 4)))  # the future
    with pytest.raises(ValidationError) as err:
        import_photos(ws, folder, today=TODAY)
    lines = str(err.value).splitlines()[1:]
    assert len(lines) == 5, lines
    text = "\n".join(lines)
    assert "bad/OC-1_说明.jpg" in text and "is not an image" in text
    assert "bad/OC-2_bomb.png" in text and "144 megapixels" not in text
    assert "12000×12000 pixels" in text and "decompression bomb" in text
    assert "bad/XX-9_前_2020-06-01.jpg" in text and "names no site" in text
    assert "bad/OC-2_后.jpg" in text and "no EXIF date" in text
    assert "2030-01-01, after today" in text
    assert not att(ws).exists()


@pytest.mark.usefixtures("english")
def test_unknown_site_named_by_sheet(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write(folder / "a.jpg", phone_jpeg())
    write(folder / "b.jpg", phone_jpeg(color=(1, 1, 1)))
    (tmp_path / "清单.csv").write_text(
        "文件,编号,日期,阶段\na.jpg,OC-1,2020-06-02,施工前\nb.jpg,ZZ-1,2020-06-02,\n"
        "c.jpg,OC-1,,\n../secret.jpg,OC-1,,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        import_photos(ws, folder, sheet=tmp_path / "清单.csv", today=TODAY)
    text = str(err.value)
    assert "row 3" in text and "'ZZ-1' is not a site id" in text
    assert "row 4" in text and "no such file" in text
    assert "row 5" in text and "is not inside" in text
    (tmp_path / "清单.csv").write_text("文件,编号,日期,阶段\na.jpg,OC-1,2020/6/2,施工前\n"
                                     "b.jpg,OC-2,2020-06-03,后\n", encoding="utf-8")
    res = import_photos(ws, folder, sheet=tmp_path / "清单.csv", today=TODAY)
    assert sorted((p.site, p.date.isoformat(), p.kind, p.date_from) for p in res.attached) == [
        ("OC-1", "2020-06-02", "前", "sheet"), ("OC-2", "2020-06-03", "后", "sheet")]


def _sheet_with_pictures(path: Path, pictures: dict[str, bytes]) -> None:
    """A progress-like sheet with pictures placed over cells, as Excel/WPS users do."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image as XLImage

    wb = Workbook()
    sh = wb.active
    assert sh is not None
    sh.title = "进度填报"
    sh.append(["编号", "名称", "日期", "照片"])
    sh.append(["OC-1", "幸福小区", "2020-06-05", None])
    sh.append(["OC-2", "和平小区", dt.datetime(2020, 11, 6), None])
    for cell, data in pictures.items():
        sh.add_image(XLImage(io.BytesIO(data)), cell)
    wb.save(path)


def test_workbook_pictures_anchored_in_rows(ws: Workspace, tmp_path: Path) -> None:
    one, two = phone_jpeg(color=(50, 0, 0)), phone_jpeg(taken=dt.datetime(2020, 11, 7),
                                                        color=(0, 50, 0))
    _sheet_with_pictures(tmp_path / "进度.xlsx", {"D2": one, "D3": two})
    res = import_photos(ws, tmp_path / "进度.xlsx", today=TODAY)
    got = sorted((p.site, p.date.isoformat(), p.date_from, p.source) for p in res.attached)
    assert got == [("OC-1", "2020-06-05", "sheet", "进度.xlsx [进度填报] D2"),
                   ("OC-2", "2020-11-07", "exif", "进度.xlsx [进度填报] D3")]
    store = open_attachments(ws.root)
    assert {store.read_original(p) for p in store.photos()} == {one, two}


@pytest.mark.usefixtures("english")
def test_workbook_picture_off_the_rows(ws: Workspace, tmp_path: Path) -> None:
    _sheet_with_pictures(tmp_path / "进度.xlsx", {"D1": phone_jpeg(), "B7": phone_jpeg()})
    with pytest.raises(ValidationError) as err:
        import_photos(ws, tmp_path / "进度.xlsx", today=TODAY)
    assert "D1" in str(err.value) and "B7" in str(err.value)
    assert "not on a row with a site id" in str(err.value)
    assert not att(ws).exists()


CELLIMAGES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<etc:cellImages xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData">{cells}</etc:cellImages>"""
CELLIMAGE = """<etc:cellImage><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{n}" name="{name}" \
descr="IMG_{n}"/><xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>\
<xdr:blipFill><a:blip r:embed="rId{n}"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>\
<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1828800" cy="1371600"/></a:xfrm>\
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic></etc:cellImage>"""


def _wps_workbook(path: Path, pictures: dict[str, bytes]) -> None:
    """A workbook laid out as WPS writes cell images: ``=_xlfn.DISPIMG("ID_…",1)`` in the
    cell, the picture in ``xl/cellimages.xml`` with its relationships to ``xl/media``.
    """
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    assert sh is not None
    sh.append(["编号", "名称", "现场照片"])
    for k, site in enumerate(pictures, start=1):
        sh.append([site, "", f'=_xlfn.DISPIMG("ID_{k:032X}",1)'])
    plain = io.BytesIO()
    wb.save(plain)
    cells = "".join(CELLIMAGE.format(n=k, name=f"ID_{k:032X}") for k in range(1, len(pictures)
                                                                                + 1))
    rels = "".join(f'<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships/image" Target="media/image{k}.jpeg"/>'
                   for k in range(1, len(pictures) + 1))
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Default Extension="jpeg" ContentType='
                                    b'"image/jpeg"/><Override PartName="/xl/cellimages.xml" '
                                    b'ContentType="application/vnd.wps-officedocument.'
                                    b'cellimage+xml"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type='
                                    b'"http://www.wps.cn/officeDocument/2020/cellImage" '
                                    b'Target="cellimages.xml"/></Relationships>')
            dst.writestr(item, data)
        dst.writestr("xl/cellimages.xml", CELLIMAGES.format(cells=cells))
        dst.writestr("xl/_rels/cellimages.xml.rels",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                     'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     f"{rels}</Relationships>")
        for k, data in enumerate(pictures.values(), start=1):
            dst.writestr(f"xl/media/image{k}.jpeg", data)


def test_wps_cell_images(ws: Workspace, tmp_path: Path) -> None:
    pics = {"OC-1": phone_jpeg(taken=dt.datetime(2020, 6, 9), color=(9, 9, 9)),
            "PP-2": phone_jpeg(taken=dt.datetime(2020, 9, 9), color=(8, 8, 8))}
    _wps_workbook(tmp_path / "wps.xlsx", pics)
    res = import_photos(ws, tmp_path / "wps.xlsx", today=TODAY)
    assert sorted((p.site, p.source) for p in res.attached) == [
        ("OC-1", "wps.xlsx [Sheet] C2"), ("PP-2", "wps.xlsx [Sheet] C3")]
    store = open_attachments(ws.root)
    assert {p.site: store.read_original(p) for p in store.photos()} == pics


@pytest.mark.usefixtures("english")
def test_damaged_index_is_one_line_per_bad_line(ws: Workspace, tmp_path: Path) -> None:
    sample_folder(tmp_path / "p")
    import_photos(ws, tmp_path / "p", today=TODAY)
    index = att(ws) / INDEX_NAME
    lines = index.read_text("utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["original"] = "../../citymap.toml"
    index.write_text("\n".join([lines[0], json.dumps(bad), "{oops", *lines[2:]]) + "\n",
                     encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        open_attachments(ws.root).photos()
    text = str(err.value)
    assert "line 2" in text and "leads out of" in text and "line 3" in text


@pytest.mark.usefixtures("english")
def test_foreign_file_where_a_photo_goes_is_not_replaced(ws: Workspace, tmp_path: Path) -> None:
    data = phone_jpeg()
    write(tmp_path / "p" / "OC-1_前_2020-06-01.jpg", data)
    res = import_photos(ws, tmp_path / "p", dry_run=True, today=TODAY)
    target = att(ws) / res.attached[0].original
    write(target, b"somebody else's file")
    with pytest.raises(OSError, match="exists with other content"):
        import_photos(ws, tmp_path / "p", today=TODAY)
    assert target.read_bytes() == b"somebody else's file"
    assert not (att(ws) / INDEX_NAME).exists()


def test_report_pictures_one_per_site(ws: Workspace, tmp_path: Path) -> None:
    sample_folder(tmp_path / "p")
    import_photos(ws, tmp_path / "p", today=TODAY)
    store = open_attachments(ws.root)
    rows = report_pictures(store, ["OC-1", "OC-2", "PP-1", "OC-1"], as_of=TODAY)
    assert [(r["site"], r["date"], r["kind"]) for r in rows] == [
        ("OC-1", "2020-11-02", "后"), ("OC-2", "2020-11-05", "前")]
    assert rows[0]["uri"].startswith("data:image/jpeg;base64,/9j/")
    early = report_pictures(store, ["OC-1"], as_of=dt.date(2020, 9, 1))
    assert [(r["date"], r["kind"]) for r in early] == [("2020-08-01", "中")]


@pytest.mark.usefixtures("english")
def test_pillow_bomb_guard_is_one_sentence() -> None:
    bomb = io.BytesIO()
    Image.new("1", (14000, 14000)).save(bomb, format="PNG")  # beyond Pillow's own limit
    with pytest.raises(ValueError, match="decompression bomb"):
        inspect_image(bomb.getvalue())
    with pytest.raises(ValueError, match="damaged"):
        inspect_image(phone_jpeg()[:300])


@pytest.mark.usefixtures("english")
def test_excel_place_in_cell_is_said_clearly(ws: Workspace, tmp_path: Path) -> None:
    _sheet_with_pictures(tmp_path / "plain.xlsx", {"D2": phone_jpeg()})
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, \
            zipfile.ZipFile(tmp_path / "365.xlsx", "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/richData/rdrichvalue.xml", "<rvData/>")
    with pytest.raises(ValidationError, match=r"365\.xlsx: has pictures placed IN cells by "
                                              r"Excel 365"):
        import_photos(ws, tmp_path / "365.xlsx", today=TODAY)
    assert not att(ws).exists()


@pytest.mark.usefixtures("english")
def test_workbook_unpacking_to_too_much_is_refused(ws: Workspace, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import citymap.photos.sources as sources

    _sheet_with_pictures(tmp_path / "big.xlsx", {"D2": phone_jpeg()})
    monkeypatch.setattr(sources, "MAX_WORKBOOK_BYTES", 4096)
    with pytest.raises(ValidationError, match=r"big\.xlsx: unpacks to \d+ parts and 0 MB, "
                                              "more than"):
        import_photos(ws, tmp_path / "big.xlsx", today=TODAY)
    (tmp_path / "not.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ValidationError, match=r"not\.xlsx: is not a workbook"):
        import_photos(ws, tmp_path / "not.xlsx", today=TODAY)


def test_one_photo_file(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "PP-2_后_2021-05-06.webp", b"")
    Image.new("RGBA", (30, 20), (0, 0, 255, 128)).save(path, format="WEBP")
    res = import_photos(ws, path, today=TODAY)
    (p,) = res.attached
    assert (p.site, p.date, p.kind, p.original.endswith(".webp")) == (
        "PP-2", dt.date(2021, 5, 6), "后", True)
    assert open_attachments(ws.root).read_original(p) == path.read_bytes()


def test_concurrent_imports_lose_nothing(ws: Workspace, tmp_path: Path) -> None:
    """Four processes import different photos at once: the index holds all of them."""
    import subprocess
    import sys

    procs = []
    for k in range(4):
        folder = tmp_path / f"unit{k}"
        for j in range(3):
            write(folder / f"OC-1_前_2020-06-0{j + 1}.jpg", phone_jpeg(color=(k * 50, j * 60, 7)))
        code = ("import sys; from citymap.cli.main import main; sys.argv = ['citymap', "
                f"'--workspace', {str(ws.root)!r}, 'photos', 'import', {str(folder)!r}]; main()")
        procs.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    photos = open_attachments(ws.root).photos()
    assert len(photos) == 12 and len({p.sha256 for p in photos}) == 12
    assert all((att(ws) / p.original).is_file() for p in photos)
