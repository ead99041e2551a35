import geopandas as gpd
import pytest

from _ws_metrics import line, rect
from citymap.metrics.density import density_indicator, road_density


def _roads(*geoms):
    return gpd.GeoDataFrame({"id": [str(i) for i in range(len(geoms))]}, geometry=list(geoms),
                            crs="EPSG:4548")


# a road ending on the boundary gives 2.5 cm (half the 5 cm band inside) to the other side
END = 0.025 / 1000


@pytest.mark.parametrize(("roads", "km"), [
    ([line((0, 100), (1000, 100)), line((0, 500), (1000, 500))], 2.0 - 4 * END),
    ([line((-1000, 100), (2000, 100))], 1.0),                          # clipped to the area
    ([line((0, 100), (1000, 100)), line((0, 100), (1000, 100))], 1.0 - 2 * END),  # once
    ([line((0, 100), (1000, 100)), line((500, 100), (1500, 100))], 1.0 - END),
])
def test_density(roads, km):
    area = gpd.GeoDataFrame(geometry=[rect(0, 0, 1000, 1000)], crs="EPSG:4548")
    got_km, km2, d = road_density(_roads(*roads), area.to_crs("EPSG:4326"))
    assert km2 == pytest.approx(1.0, rel=1e-9)
    assert got_km == pytest.approx(km, rel=1e-9)
    assert d == pytest.approx(km, rel=1e-9)
    ind = density_indicator(got_km, km2, d, scope="county seat", responsible="县住房城乡建设局")
    assert ind.verdict == "not met" and ind.standard == 8
    assert ind.to_dict()["responsible"] == "县住房城乡建设局"


def test_dense_network_meets_target():
    roads = [line((-10, y), (1010, y)) for y in range(50, 1000, 100)]
    km, km2, d = road_density(_roads(*roads), rect(0, 0, 1000, 1000))
    assert d == pytest.approx(10.0) and density_indicator(km, km2, d, scope="z").verdict == "met"


