"""Layer purposes: metrics find their layers by ``purpose``, not by name or work number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from _ws_metrics import ctx, line, make_ws, rect, site
from citymap.errors import ValidationError
from citymap.layers import layer_for, layers_for, load_layers
from citymap.metrics import compute_metrics
from citymap.workspace import load_workspace

YEAR_END = "2021-12-31"


def _layers(names: dict[str, str], number: int) -> dict[str, Any]:
    """Sites and context of one county; ``names`` renames the layers, ``number`` the work."""
    n = names.get
    w = str(number)
    sites = {
        n("pilot_zones", "pilot_zones"): ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100),
                                                           works="")]),
        n("pocket_parks", "pocket_parks"): ("Polygon", [
            site("PP-1", rect(100, 100, 80, 80), works=w),
            site("PP-2", rect(1500, 600, 80, 80), status="进行中", works=w)]),
        "greenways": ("LineString", [site("GW-1", line((0, 50), (1500, 50)), works=w)]),
        n("dead_end_roads", "dead_end_roads"): ("LineString", [
            site("DE-1", line((0, 500), (1200, 500)), works=w)]),
    }
    context = {
        n("residential", "residential"): ("Polygon", [ctx("R-1", rect(0, 0, 1000, 1000)),
                                                      ctx("R-2", rect(1200, 0, 800, 1000))]),
        n("parks", "parks"): ("Polygon", [ctx("P-1", rect(1800, 900, 100, 100))]),
        n("roads", "roads"): ("LineString", [ctx("RD-1", line((0, 300), (2000, 300))),
                                             ctx("RD-2", line((1000, 0), (1000, 1100)))]),
        n("built_up", "built_up"): ("Polygon", [ctx("B-1", rect(0, 0, 2000, 1000))]),
    }
    return {"sites": sites, "context": context}


def _county(root: Path, *, renamed: bool) -> Path:
    names = ({"pilot_zones": "shiqu", "pocket_parks": "xiaoyuan", "dead_end_roads": "duantou",
              "residential": "juzhu", "parks": "gongyuan", "roads": "luwang",
              "built_up": "jiancheng"} if renamed else {})
    n = names.get
    purposes = {n("pilot_zones", "pilot_zones"): "pilot_zones",
                n("pocket_parks", "pocket_parks"): "new_parks",
                n("dead_end_roads", "dead_end_roads"): "new_roads",
                n("residential", "residential"): "residential", n("parks", "parks"): "parks",
                n("roads", "roads"): "roads", n("built_up", "built_up"): "built_up"}
    number = 3 if renamed else 8
    works = {lay: (number,) for lay in (n("pocket_parks", "pocket_parks"),
                                        "greenways",
                                        n("dead_end_roads", "dead_end_roads"))}
    targets = [
        f'{{id: "{number}.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, '
        f'comparison: ">=", year: 2021, layer: {n("pocket_parks", "pocket_parks")}}}',
        f'{{id: "{number}.2", metric: greenway_length, name: 绿道, value: 1, unit: km, '
        f'comparison: ">=", year: 2021, layer: greenways}}',
    ]
    make_ws(root, **_layers(names, number), targets=targets, purposes=purposes, works=works)
    reg = root / "geo" / "register.yaml"
    text = reg.read_text(encoding="utf-8").replace("number: 8", f"number: {number}")
    reg.write_text(text.replace("layer: pilot_zones", f"layer: {n('pilot_zones', 'pilot_zones')}"),
                   encoding="utf-8")
    return root


def _figures(res: Any) -> dict[str, Any]:
    """Everything but the names and numbers a county chooses."""
    d = res.to_dict()
    return {
        "targets": [(t["actual"], t["target"], t["verdict"], t["site_ids"]) for t in d["targets"]],
        "zones": [{k: sorted(map(str, v.values())) if k == "lines" else v for k, v in z.items()}
                  for z in d["zones"]],
        "indicators": [i for i in d["indicators"]],
        "counts": sorted(tuple(sorted(c.items())) for c in d["counts_by_status"].values()),
        "warnings": d["warnings"],
    }


def test_renamed_layers_and_renumbered_works_give_the_same_metrics(tmp_path: Path) -> None:
    import datetime as dt

    day = dt.date.fromisoformat(YEAR_END)
    shipped_like = load_workspace(_county(tmp_path / "a", renamed=False))
    other = load_workspace(_county(tmp_path / "b", renamed=True))
    assert layer_for(other.layers, "pilot_zones") == "shiqu"
    assert layers_for(other.layers, "new_parks") == ("xiaoyuan",)
    a = compute_metrics(shipped_like, year=2021, as_of=day)
    b = compute_metrics(other, year=2021, as_of=day)
    assert _figures(a) == _figures(b)
    # the figures are real: the zone measured, the indicators computed with their units
    assert [z.id for z in b.zones] == ["PZ-1"] and not b.warnings
    keys = {(i.key, i.scope) for i in b.indicators}
    assert ("park_service_coverage", "county") in keys and ("road_network_density", "PZ-1") in keys
    units = {i.key: i.responsible for i in b.indicators}
    assert units["park_service_coverage"] == "县综合行政执法局"  # work 3's lead unit
    assert units["road_network_density"] == "县综合行政执法局"
    assert b.zone_layer == "shiqu" and a.zone_layer == "pilot_zones"


def test_done_new_parks_serve_residents(tmp_path: Path) -> None:
    """A done park of the ``new_parks`` layer counts; without the purpose it does not."""
    import datetime as dt

    day = dt.date(2021, 12, 31)
    root = _county(tmp_path / "b", renamed=True)
    with_purpose = compute_metrics(load_workspace(root), year=2021, as_of=day)
    toml = root / "layers" / "xiaoyuan.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('purpose = "new_parks"',
                                                             'purpose = ""'), encoding="utf-8")
    without = compute_metrics(load_workspace(root), year=2021, as_of=day)

    def cov(res: Any) -> float:
        return next(i.value for i in res.indicators
                    if i.key == "park_service_coverage" and i.scope == "county")

    assert cov(with_purpose) > cov(without)


def _toml(root: Path, name: str, body: str) -> None:
    (root / "layers").mkdir(parents=True, exist_ok=True)
    (root / "layers" / f"{name}.toml").write_text(
        f'name = "{name}"\nsource = "geo/sites/{name}.geojson"\n'
        f'title = {{ zh = "{name}" }}\n{body}', encoding="utf-8")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("body", "message"), [
    ('geometry = "Polygon"\npurpose = "zones"\n', "'zones' must be one of pilot_zones"),
    ('geometry = "Point"\npurpose = "pilot_zones"\n', "role = 'sites' and geometry = 'Polygon'"),
    ('role = "context"\ngeometry = "Polygon"\npurpose = "roads"\n',
     "geometry = 'LineString'"),
])
def test_bad_purpose_is_one_clear_problem(tmp_path: Path, body: str, message: str) -> None:
    _toml(tmp_path, "zz", body)
    with pytest.raises(ValidationError) as err:
        load_layers(tmp_path)
    text = str(err.value)
    assert "layers/zz.toml" in text and "purpose" in text and message in text


@pytest.mark.usefixtures("english")
def test_one_pilot_zone_layer_per_workspace(tmp_path: Path) -> None:
    _toml(tmp_path, "a_zones", 'geometry = "Polygon"\npurpose = "pilot_zones"\n')
    _toml(tmp_path, "b_zones", 'geometry = "Polygon"\npurpose = "pilot_zones"\n')
    with pytest.raises(ValidationError, match="already the purpose of layer 'a_zones'"):
        load_layers(tmp_path)


def test_name_gives_the_purpose_only_by_default(tmp_path: Path) -> None:
    _toml(tmp_path, "pilot_zones", 'geometry = "Polygon"\n')
    _toml(tmp_path, "roads", 'geometry = "LineString"\npurpose = ""\n')
    _toml(tmp_path, "parks", 'geometry = "Point"\n')  # a sites layer of points: not parks
    layers = load_layers(tmp_path)
    assert layers["pilot_zones"].purpose == "pilot_zones"
    assert layers["roads"].purpose == "" and layers["parks"].purpose == ""


def test_shipped_layers_declare_their_purposes() -> None:
    layers = load_layers(Path(__file__).resolve().parents[1])
    got = {n: s.purpose for n, s in layers.items() if s.purpose}
    assert got == {"pilot_zones": "pilot_zones", "pocket_parks": "new_parks",
                   "dead_end_roads": "new_roads", "roads": "roads", "residential": "residential",
                   "parks": "parks", "built_up": "built_up", "townships": "townships"}
    for name in got:
        text = (Path(__file__).resolve().parents[1] / "layers" / f"{name}.toml").read_text(
            encoding="utf-8")
        assert f'purpose = "{got[name]}"' in text  # declared, not inferred from the name
