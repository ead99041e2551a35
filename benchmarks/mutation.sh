#!/usr/bin/env bash
# Mutation testing of the statutory parameters and derivation rules (metrics/ and the
# status derivation), with cosmic-ray; writes benchmarks/mutation-report.md.
#   bash benchmarks/mutation.sh               every mutant in scope (2 workers)
#   bash benchmarks/mutation.sh --only-named  the mutants named in issue 15 only
# The interpreter: $PYTHON, else .venv/bin/python; it needs the bench extra
# (pip install -e '.[bench]': cosmic-ray).
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
if ! "$py" -c "import cosmic_ray, citymap" 2>/dev/null; then
  echo "error: $py lacks cosmic-ray or citymap: run $py -m pip install -e '.[bench]'" >&2
  exit 2
fi
exec "$py" benchmarks/mutation.py "$@"
