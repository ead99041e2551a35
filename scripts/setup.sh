#!/usr/bin/env bash
# Install citymap into ./.venv and the map's JavaScript libraries into ./node_modules.
#   bash scripts/setup.sh          the package (for building maps)
#   bash scripts/setup.sh --test   the package with the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${extras}"
# The map libraries travel inside the package (src/citymap/render/vendor, committed); npm is
# only needed for the tests (acorn) and the benchmarks (maplibre-gl), and to check the
# vendored copy against the locked tarballs.
if command -v npm >/dev/null 2>&1 && [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
  .venv/bin/python tools/vendor_assets.py --check
else
  echo "setup: npm missing: maps build anyway (their libraries come with citymap)" >&2
fi
echo "setup: citymap installed in .venv ($(.venv/bin/citymap --version))" >&2
