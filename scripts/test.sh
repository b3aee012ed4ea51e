#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: the independent groups in parallel (pytest-xdist, one
# worker per core and one more: the workers often wait on hubs, brokers and browsers, and one per core
# left 37 % of two cores idle; a test file stays on one worker so its module fixtures are shared), then
# the tests that measure time or CPU (tests/bench: benchmark smoke tests, footprint) alone, so a parallel neighbour does
# not skew them, then the hub-side suites again on PostgreSQL (scripts/test-pg.sh). Every test uses free
# ports and its own temporary directory, and test-artifacts/ files are named per test. Each phase ends with
# its time per group (tests/conftest.py).
#   MOTCUA_TEST_WORKERS=N to choose the number of workers (1: no parallel phase at all).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python
workers=${MOTCUA_TEST_WORKERS:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}
[ "$workers" -ge 2 ] 2>/dev/null || workers=1
SERIAL=(tests/bench)

start=$(date +%s)
ignore=()
for d in "${SERIAL[@]}"; do ignore+=(--ignore="$d"); done
if [ "$workers" -gt 1 ]; then
  echo "==> tests in parallel ($workers workers), except ${SERIAL[*]}"
  "$PY" -m pytest -n "$workers" --dist loadfile --durations=30 "${ignore[@]}" "$@"
else
  echo "==> tests, except ${SERIAL[*]}"
  "$PY" -m pytest "${ignore[@]}" "$@"
fi
rc_parallel=$?
mid=$(date +%s)
echo "==> timing and CPU tests alone: ${SERIAL[*]}"
"$PY" -m pytest "${SERIAL[@]}" "$@"
rc_serial=$?
serial_end=$(date +%s)
PY="$PY" bash scripts/test-pg.sh "$@"
rc_pg=$?
end=$(date +%s)
echo "==> make test: $((mid - start)) s for the parallel phase, $((serial_end - mid)) s for ${SERIAL[*]}," \
     "$((end - serial_end)) s for the PostgreSQL pass, $((end - start)) s in all"
[ $rc_parallel -eq 0 ] && [ $rc_serial -eq 0 ] && [ $rc_pg -eq 0 ]
