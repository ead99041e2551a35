import datetime as dt

import pytest

from _ws_metrics import ctx, line, make_ws, rect, site
from citymap.metrics import compute_metrics
from citymap.metrics.targets import pro_rata
from citymap.workspace import load_workspace

TARGETS = [
    '{id: "8.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, comparison: ">=", '
    'year: 2021, layer: pocket_parks}',
    '{id: "8.2", metric: greenway_length, name: 绿道, value: 3, unit: km, comparison: ">=", '
    'year: 2021, layer: greenways}',
    '{id: "8.3", metric: back_street_lighting_share, name: 背街小巷, value: 50, unit: "%", '
    'comparison: ">=", year: 2021, layer: back_streets, denominator: {layer: roads, where: '
    '{class: 背街小巷}}}',
    '{id: "8.4", metric: heating_area_added, name: 供热, value: 65, unit: 万m², '
    'comparison: "=", year: 2021, layer: heating_areas}',
    '{id: "8.5", metric: lamp_lit_rate, name: 亮灯率, value: 99, unit: "%", comparison: "=", '
    'year: 2021}',
    '{id: "8.6", metric: sorting_demo_township_share, name: 分类, value: 50, unit: "%", '
    'comparison: ">=", year: 2021, layer: sorting_demo_areas, denominator: {layer: townships}}',
    '{id: "8.7", metric: pocket_parks, name: 口袋公园 2020, value: 1, unit: 处, '
    'comparison: ">=", year: 2020, layer: pocket_parks}',
]


@pytest.fixture
def ws(tmp_path):
    root = make_ws(
        tmp_path / "ws",
        sites={
            "pocket_parks": ("Polygon", [
                site("PP-1", rect(0, 0, 50, 50)),
                site("PP-2", rect(100, 0, 50, 50), status="进行中"),
                site("PP-3", rect(200, 0, 50, 50), year=2020, date="2020-05-01"),
                site("PP-4", rect(300, 0, 50, 50), works="8", status="未开始",
                     date="2021-01-01"),
            ]),
            # 2 km + 1.5 km, the second overlapping the first by 0.5 km: 3 km union
            "greenways": ("LineString", [
                site("GW-1", line((0, 500), (2000, 500))),
                site("GW-2", line((1500, 500), (3000, 500))),
                site("GW-3", line((0, 900), (5000, 900)), status="进行中"),
            ]),
            "back_streets": ("LineString", [
                site("BS-1", line((0, 2000), (600, 2000)), year=2020, date="2020-10-01"),
                site("BS-2", line((0, 2100), (400, 2100))),
                site("BS-3", line((0, 2200), (1000, 2200)), year=2022, date="2021-01-01"),
            ]),
            "heating_areas": ("Polygon", [
                site("HA-1", rect(0, 3000, 100, 100), heating_wan_m2=40.0),
                site("HA-2", rect(0, 3200, 100, 100), heating_wan_m2=25.0),
                site("HA-3", rect(0, 3400, 100, 100), heating_wan_m2=10.0, status="进行中"),
            ]),
            "sorting_demo_areas": ("Polygon", [
                site("SD-1", rect(10, -990, 100, 100)),
                site("SD-2", rect(210, -990, 100, 100)),  # same township T-1
                site("SD-3", rect(1010, -990, 100, 100), status="滞后"),
            ]),
        },
        context={
            "roads": ("LineString", [
                ctx("R-1", line((0, 2000), (1000, 2000)), **{"class": "背街小巷"}),
                ctx("R-2", line((0, 2100), (1000, 2100)), **{"class": "背街小巷"}),
                ctx("R-3", line((0, 2300), (9000, 2300)), **{"class": "主干道"}),
            ]),
            "townships": ("Polygon", [
                ctx("T-1", rect(0, -1000, 1000, 1000)),
                ctx("T-2", rect(1000, -1000, 1000, 1000)),
                ctx("T-3", rect(2000, -1000, 1000, 1000)),
                ctx("T-4", rect(3000, -1000, 1000, 1000)),
            ]),
        },
        fields={"heating_areas": {"heating_wan_m2": "float"}, "roads": {"class": "str"}},
        targets=TARGETS,
        status_log="2021-03-01,PP-2,进行中,40,,县综合行政执法局,2021-03-01T10:00\n"
                   "2021-11-15,PP-1,已完成,100,,县综合行政执法局,2021-11-15T10:00\n",
    )
    return load_workspace(root, today=dt.date(2022, 12, 31))


def _by_id(res):
    return {t.id: t for t in res.targets}


def test_counts_lengths_shares_sums(ws):
    t = _by_id(compute_metrics(ws, as_of=dt.date(2021, 12, 31)))
    assert t["8.1"].actual == 1 and t["8.1"].site_ids == ("PP-1",)  # PP-3 is of 2020
    assert t["8.1"].by_status == {"已完成": 1, "进行中": 1, "未开始": 1}
    assert t["8.2"].actual == pytest.approx(3.0, rel=1e-6)  # overlap not counted twice
    assert t["8.2"].verdict == "met"
    assert set(t["8.2"].site_ids) == {"GW-1", "GW-2"}
    # cumulative share: BS-1 (2020) + BS-2 (2021) = 1.0 km over 2 km of back streets
    assert t["8.3"].actual == pytest.approx(50.0, rel=1e-6)
    assert t["8.3"].denominator == pytest.approx(2.0, rel=1e-6)
    assert t["8.3"].verdict == "met"
    assert t["8.4"].actual == pytest.approx(65.0) and t["8.4"].verdict == "met"
    assert t["8.5"].actual is None and t["8.5"].verdict == "not measurable"
    # townships: SD-1 and SD-2 both in T-1; SD-3 is behind → 1 of 4
    assert t["8.6"].actual == pytest.approx(25.0) and t["8.6"].counted_ids == ("T-1",)
    assert t["8.7"].actual == 1 and t["8.7"].verdict == "met"


@pytest.mark.parametrize(("as_of", "expected"), [
    (dt.date(2021, 1, 1), "in progress"),   # nothing done yet, 2 × 1/365 due
    (dt.date(2021, 7, 1), "on track"),      # 1 done ≥ 2 × 182/365
    (dt.date(2021, 12, 1), "in progress"),  # 1 < 2 × 335/365
    (dt.date(2021, 12, 31), "behind"),
    (dt.date(2022, 6, 1), "behind"),
])
def test_verdicts_by_date(ws, as_of, expected):
    t = _by_id(compute_metrics(ws, as_of=as_of))["8.1"]
    assert t.verdict == expected


def test_status_log_counts(ws):
    # PP-2 is in progress by the log; PP-1 done from its feature date
    t = _by_id(compute_metrics(ws, as_of=dt.date(2021, 7, 1)))["8.1"]
    assert t.by_status["进行中"] == 1


def test_year_filter_and_default_date(ws):
    res = compute_metrics(ws, year=2020)
    assert {t.id for t in res.targets} == {"8.7"}
    assert res.as_of == dt.date(2020, 12, 31)


def test_pro_rata():
    from citymap.register import Target

    t = Target(id="x", work=8, metric="pocket_parks", name="", value=365, unit="处",
               comparison=">=", year=2021, start_year=2021)
    assert pro_rata(t, dt.date(2021, 1, 1)) == pytest.approx(1.0)
    assert pro_rata(t, dt.date(2020, 6, 1)) == 0
    assert pro_rata(t, dt.date(2023, 1, 1)) == 365


def test_to_dict_is_plain(ws):
    import json

    d = compute_metrics(ws, as_of=dt.date(2021, 12, 31)).to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["targets"][0]["site_ids"] == ["PP-1"]
    assert any(s["metric"] == "pocket_parks" and len(s["points"]) == 2 for s in d["series"])
