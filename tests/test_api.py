"""The public API named in citymap/__init__.py resolves, and the data flows one way."""

from __future__ import annotations

import pytest

import citymap
from _ws_core import make_workspace


@pytest.mark.parametrize("name", [n for n in citymap.__all__ if n != "__version__"])
def test_every_public_name_resolves(name):
    assert callable(getattr(citymap, name)) or isinstance(getattr(citymap, name), type)


def test_unknown_name():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        citymap.nope  # noqa: B018


def test_flow(tmp_path):
    ws = citymap.load_workspace(make_workspace(tmp_path / "ws"))
    res = citymap.compute_metrics(ws, year=2020)
    assert {t.id for t in res.targets} == {"8.1", "16.1"}
    built = citymap.build_maps(ws, tmp_path / "maps")
    assert (tmp_path / "maps" / "index.html").is_file() and built


def test_all_matches_the_lazy_table():
    assert set(citymap.__all__) - {"__version__"} == set(citymap._EXPORTS)
