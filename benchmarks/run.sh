#!/usr/bin/env bash
# Run every benchmark and print its ratios against the baseline measured in the same run.
#   bash benchmarks/run.sh            quick scales (a few minutes)
#   bash benchmarks/run.sh province   province scale (10⁶ parcels, 2×10⁵ map sites; long)
# Needs the test set-up (bash scripts/test.sh, or scripts/setup.sh --test): Chromium for the
# map draw time, PostgreSQL/PostGIS for the store.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || py=python3
if ! "$py" -c "import duckdb, duckdb_extension_spatial, sedonadb, cosmic_ray" 2>/dev/null; then
  echo "== installing the bench extra (DuckDB spatial, SedonaDB, cosmic-ray)" >&2
  "$py" -m pip install --quiet -e ".[bench]"
fi
if [ "${1:-quick}" = "province" ]; then
  metrics=province maps=large store=province
else
  metrics=small maps=province store=county
fi
echo "== metrics: service-radius coverage vs geopandas, DuckDB, SedonaDB, PostGIS; zones ($metrics)"
"$py" benchmarks/bench_metrics.py --scale "$metrics"
echo "== maps: citymap build vs plain folium ($maps)"
"$py" benchmarks/bench_maps.py --scale "$maps"
echo "== store: PostGIS vs the Python path ($store)"
"$py" benchmarks/bench_store.py --scale "$store"
echo "== start-up: commands without geometry vs ogrinfo --version"
"$py" benchmarks/bench_startup.py
echo "== scale: the shipped workspace 1x / 10x (100x: bench_scale.py --scales 1,10,100)"
"$py" benchmarks/bench_scale.py --scales 1,10
