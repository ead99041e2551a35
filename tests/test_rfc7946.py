"""The exported GeoJSON passes an RFC 7946 check; the check itself catches each fault."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from _ws import make_workspace
from citymap.io.export import export_workspace
from citymap.workspace import load_workspace

_NUMBER = re.compile(r"-?\d+\.(\d+)")


def _ring_area2(ring: list[list[float]]) -> float:
    """Twice the signed area (shoelace): positive for counter-clockwise rings."""
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        s += x1 * y2 - x2 * y1
    return s


def _positions(coords: Any) -> list[list[float]]:
    if coords and isinstance(coords[0], int | float):
        return [coords]
    out: list[list[float]] = []
    for c in coords:
        out += _positions(c)
    return out


def _polygons(geom: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return list(geom["coordinates"])
    if geom["type"] == "GeometryCollection":
        return [p for g in geom["geometries"] for p in _polygons(g)]
    return []


def check_rfc7946(text: str, *, max_decimals: int = 7) -> list[str]:
    """Every way ``text`` breaks RFC 7946 (as citymap writes it); empty when it conforms.

    Checks: valid JSON FeatureCollection; no ``crs`` member (§4); positions lon, lat with
    lon in [-180, 180] and lat in [-90, 90] (§3.1.1, §4); polygon exterior rings
    counter-clockwise and holes clockwise (§3.1.6); at most ``max_decimals`` decimals
    (§11.2); no ``\\u`` escapes (the text is UTF-8 as is, §1.4/RFC 8259 §8.1).
    """
    problems: list[str] = []
    if "\\u" in text:
        problems.append("contains \\u escapes; write UTF-8 text as is")
    doc = json.loads(text)
    if doc.get("type") != "FeatureCollection":
        problems.append("not a FeatureCollection")
    if "crs" in doc:
        problems.append("has a crs member (RFC 7946 §4 removed it)")
    for i, f in enumerate(doc.get("features", [])):
        if "crs" in f:
            problems.append(f"feature {i}: has a crs member")
        geom = f.get("geometry")
        if geom is None:
            continue
        for x, y, *_ in _positions(geom.get("coordinates", [])):
            if not -180 <= x <= 180 or not -90 <= y <= 90:
                problems.append(f"feature {i}: position ({x}, {y}) is not lon, lat")
                break
        for poly in _polygons(geom):
            for k, ring in enumerate(poly):
                a = _ring_area2(ring)
                if k == 0 and a < 0:
                    problems.append(f"feature {i}: exterior ring is clockwise")
                if k > 0 and a > 0:
                    problems.append(f"feature {i}: hole {k} is counter-clockwise")
        raw = json.dumps(geom.get("coordinates"))
        for m in _NUMBER.finditer(raw):
            digits = m.group(1).split("e")[0].split("E")[0]
            if len(digits) > max_decimals:
                problems.append(f"feature {i}: {m.group(0)} has more than {max_decimals} "
                                "decimals")
                break
    return problems

GOOD_POLY = {"type": "Polygon", "coordinates": [
    [[117.5, 37.6], [117.6, 37.6], [117.6, 37.7], [117.5, 37.7], [117.5, 37.6]],
    [[117.52, 37.62], [117.52, 37.64], [117.54, 37.64], [117.54, 37.62], [117.52, 37.62]],
]}


def fc(geom, **props):
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": props, "geometry": geom}]}


def test_exported_geojson_conforms(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    written = export_workspace(ws, tmp_path / "out", fmt="geojson")
    assert {p.name for p in written} == {"old_communities.geojson", "back_streets.geojson",
                                         "toilets.geojson"}
    for p in written:
        text = p.read_bytes().decode("utf-8")  # UTF-8, no BOM
        assert not text.startswith("\ufeff")
        assert check_rfc7946(text) == [], p.name
    text = (tmp_path / "out" / "geojson" / "old_communities.geojson").read_text("utf-8")
    assert "幸福小区" in text and "居住环境改造提升工程" in text


def test_export_reorients_clockwise_polygons(tmp_path):
    from _ws import default_features

    feats = default_features()
    geom = feats["old_communities"][0]["geometry"]
    geom["coordinates"] = [r[::-1] for r in geom["coordinates"]]  # exterior cw, hole ccw
    ws = load_workspace(make_workspace(tmp_path / "ws", features=feats))
    export_workspace(ws, tmp_path / "out", fmt="geojson")
    text = (tmp_path / "out" / "geojson" / "old_communities.geojson").read_text("utf-8")
    assert check_rfc7946(text) == []


def test_checker_accepts_a_good_file():
    assert check_rfc7946(json.dumps(fc(GOOD_POLY, name="阳城"), ensure_ascii=False)) == []


@pytest.mark.parametrize(("doc", "expected"), [
    ({**fc(GOOD_POLY), "crs": {"type": "name", "properties": {"name": "EPSG:4490"}}},
     "crs member"),
    (fc({"type": "Polygon", "coordinates": [GOOD_POLY["coordinates"][0][::-1]]}),
     "exterior ring is clockwise"),
    (fc({"type": "Polygon", "coordinates": [GOOD_POLY["coordinates"][0],
                                            GOOD_POLY["coordinates"][1][::-1]]}),
     "hole 1 is counter-clockwise"),
    (fc({"type": "Point", "coordinates": [37.6, 117.5]}), "is not lon, lat"),
    (fc({"type": "Point", "coordinates": [551184.2, 4168808.6]}), "is not lon, lat"),
    (fc({"type": "Point", "coordinates": [117.123456789, 37.6]}), "more than 7 decimals"),
])
def test_checker_catches(doc, expected):
    problems = check_rfc7946(json.dumps(doc))
    assert any(expected in p for p in problems), problems


def test_checker_catches_unicode_escapes():
    text = json.dumps(fc({"type": "Point", "coordinates": [117.5, 37.6]}, name="阳城"))
    assert any("\\u escapes" in p for p in check_rfc7946(text))
