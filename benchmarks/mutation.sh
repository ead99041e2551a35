#!/usr/bin/env bash
# Mutation testing of the statutory parameters and derivation rules (metrics/ and the
# status derivation), with cosmic-ray; writes benchmarks/mutation-report.md.
#   bash benchmarks/mutation.sh               every mutant in scope (minutes, 2 workers)
#   bash benchmarks/mutation.sh --only-named  the mutants named in issue 15 only
# Needs the bench extra (cosmic-ray); installs it into the environment when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || py=python3
"$py" -c "import cosmic_ray" 2>/dev/null || "$py" -m pip install -q -e ".[bench]"
exec "$py" benchmarks/mutation.py "$@"
