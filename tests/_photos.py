"""Phone-like photos made in tests: a JPEG (pixels by Pillow) with an EXIF block written
here byte by byte, the way phones write it (TIFF header, IFD0 with Make/Model/Orientation
and pointers to the Exif IFD — DateTimeOriginal — and the GPS IFD — N/E references and
degree/minute/second rationals), independently of the Pillow code that reads it.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from pathlib import Path

from PIL import Image

ASCII, SHORT, LONG, RATIONAL, BYTE = 2, 3, 4, 5, 1


def _ifd(entries: list[tuple[int, int, object]], offset: int, order: str) -> bytes:
    """An IFD at ``offset`` (from the TIFF header) with its out-of-line values after it."""
    entries = sorted(entries)
    head = struct.pack(order + "H", len(entries))
    extra = b""
    base = offset + 2 + 12 * len(entries) + 4
    body = b""
    for tag, typ, value in entries:
        if typ == ASCII:
            data = str(value).encode("ascii") + b"\x00"
            count = len(data)
        elif typ == BYTE:
            data = bytes(value)  # type: ignore[call-overload]
            count = len(data)
        elif typ == SHORT:
            data = struct.pack(order + "H", value)
            count = 1
        elif typ == LONG:
            data = struct.pack(order + "L", value)
            count = 1
        else:  # RATIONAL: a tuple of (num, den)
            pairs = list(value)  # type: ignore[call-overload]
            data = b"".join(struct.pack(order + "LL", n, d) for n, d in pairs)
            count = len(pairs)
        if len(data) <= 4:
            field = data.ljust(4, b"\x00")
        else:
            field = struct.pack(order + "L", base + len(extra))
            extra += data + (b"\x00" if len(data) % 2 else b"")
        body += struct.pack(order + "HHL", tag, typ, count) + field
    return head + body + struct.pack(order + "L", 0) + extra


def _dms(deg: float) -> list[tuple[int, int]]:
    d = int(deg)
    m = int((deg - d) * 60)
    s = (deg - d - m / 60) * 3600
    return [(d, 1), (m, 1), (round(s * 10000), 10000)]


def exif_block(*, taken: dt.datetime | None = None, lat: float | None = None,
               lon: float | None = None, orientation: int | None = None,
               big_endian: bool = True) -> bytes:
    """The APP1 payload ``Exif\\0\\0`` + TIFF, as a phone writes it."""
    order = ">" if big_endian else "<"
    ifd0: list[tuple[int, int, object]] = [(0x010F, ASCII, "HUAWEI"), (0x0110, ASCII, "P40")]
    if orientation is not None:
        ifd0.append((0x0112, SHORT, orientation))
    exif_ifd: list[tuple[int, int, object]] = []
    if taken is not None:
        exif_ifd.append((0x9003, ASCII, taken.strftime("%Y:%m:%d %H:%M:%S")))
        exif_ifd.append((0x9004, ASCII, taken.strftime("%Y:%m:%d %H:%M:%S")))
    gps: list[tuple[int, int, object]] = []
    if lat is not None and lon is not None:
        gps = [(0x0000, BYTE, [2, 2, 0, 0]), (0x0001, ASCII, "N" if lat >= 0 else "S"),
               (0x0002, RATIONAL, _dms(abs(lat))), (0x0003, ASCII, "E" if lon >= 0 else "W"),
               (0x0004, RATIONAL, _dms(abs(lon)))]
    n0 = len(ifd0) + (1 if exif_ifd else 0) + (1 if gps else 0)
    # lay out: header (8) | IFD0 | Exif IFD | GPS IFD ; sizes depend on pointers only
    probe = _ifd(ifd0 + [(0x8769, LONG, 0)] * (1 if exif_ifd else 0)
                 + [(0x8825, LONG, 0)] * (1 if gps else 0), 8, order)
    assert n0 == len(ifd0) + bool(exif_ifd) + bool(gps)
    exif_at = 8 + len(probe)
    exif_bytes = _ifd(exif_ifd, exif_at, order) if exif_ifd else b""
    gps_at = exif_at + len(exif_bytes)
    pointers: list[tuple[int, int, object]] = [(0x8769, LONG, exif_at)] if exif_ifd else []
    pointers += [(0x8825, LONG, gps_at)] if gps else []
    ifd0_bytes = _ifd(ifd0 + pointers, 8, order)
    gps_bytes = _ifd(gps, gps_at, order) if gps else b""
    tiff = (b"MM" if big_endian else b"II") + struct.pack(order + "HL", 42, 8)
    return b"Exif\x00\x00" + tiff + ifd0_bytes + exif_bytes + gps_bytes


def phone_jpeg(*, taken: dt.datetime | None = None, lat: float | None = None,
               lon: float | None = None, orientation: int | None = None,
               size: tuple[int, int] = (80, 40), color: tuple[int, int, int] = (200, 30, 30),
               big_endian: bool = True) -> bytes:
    """A JPEG with a phone's EXIF block right after the start-of-image marker."""
    img = Image.new("RGB", size, color)
    img.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))  # a corner to see rotation
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    jpeg = buf.getvalue()
    app1 = exif_block(taken=taken, lat=lat, lon=lon, orientation=orientation,
                      big_endian=big_endian)
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return jpeg[:2] + segment + jpeg[2:]


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


LOG = """\
date,id,status,percent,note,unit,recorded_at
2020-07-01,OC-1,进行中,30,,县住房城乡建设局,2020-07-01T09:00:00+08:00
2020-10-01,OC-1,已完成,100,,县住房城乡建设局,2020-10-01T09:00:00+08:00
"""
#: A point inside OC-2 (the square 117.58–117.582 E, 37.655–37.657 N).
IN_OC2 = (37.656, 117.581)
#: 500 m west of OC-1's west edge (117.575 E) at 37.651 N: 500 / (111320 cos 37.651°) degrees.
FAR_OC1 = (37.651, 117.575 - 500 / 88120.6)


def photo_workspace(root: Path) -> Path:
    """The tiny test workspace with OC-1 in progress from 2020-07-01, done 2020-10-01."""
    from _ws_core import make_workspace

    return make_workspace(root, status_log=LOG)


def sample_folder(folder: Path) -> dict[str, bytes]:
    """A photo folder as a unit hands it in; file name → bytes."""
    files = {
        "OC-1_前_2020-06-01.jpg": phone_jpeg(color=(10, 120, 10)),
        "OC-1 (2).jpg": phone_jpeg(taken=dt.datetime(2020, 11, 2, 9, 30), color=(90, 90, 0)),
        "施工/OC-1_施工中.jpg": phone_jpeg(taken=dt.datetime(2020, 8, 1, 15, 0), orientation=6,
                                       color=(0, 90, 90), big_endian=False),
        "IMG_20201105_101500.jpg": phone_jpeg(taken=dt.datetime(2020, 11, 5, 10, 15),
                                              lat=IN_OC2[0], lon=IN_OC2[1], color=(1, 2, 3)),
    }
    files["副本/OC-1_前_2020-06-01 - 副本.jpg"] = files["OC-1_前_2020-06-01.jpg"]
    for name, data in files.items():
        write(folder / name, data)
    return files
