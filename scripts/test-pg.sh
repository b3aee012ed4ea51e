#!/usr/bin/env bash
# The hub-side suites again on PostgreSQL, as `make test` runs them after the first pass (`make test-pg`
# alone): queue and CLI (integration), dossiers, appointments, the console (web), reliability, the
# province (its provincial hub on PostgreSQL, its communes on SQLite) and the store's own unit tests (the
# Runner, the queue's SQL, the registry memo, the catalogue search). MOTCUA_TEST_DB=postgresql gives
# each test a fresh database of a throwaway cluster (one per pytest-xdist worker, tests/conftest.py);
# what does not depend on the engine (pure rules; tests marked `once`, which start their own PostgreSQL
# servers) ran in the first pass and is left out here.
#   MOTCUA_TEST_WORKERS=N to choose the number of workers (1: one process).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python
workers=${MOTCUA_TEST_WORKERS:-$(( $(nproc 2>/dev/null || echo 1) + 1 ))}
[ "$workers" -ge 2 ] 2>/dev/null || workers=1
# (The fuzz test runs here too: its answer-time figure moved to `motcua bench fuzz`, see the test.)
SUITES=(tests/integration tests/dossier tests/appointments tests/web tests/reliability tests/province
        tests/unit/test_runner.py tests/unit/test_store_queue.py tests/unit/test_store_memo.py
        tests/unit/test_catalogue_search.py tests/unit/test_router_retries.py tests/unit/test_lobby_ahead.py)

start=$(date +%s)
echo "==> the hub-side suites on PostgreSQL ($workers workers): ${SUITES[*]}"
if [ "$workers" -gt 1 ]; then
  MOTCUA_TEST_DB=postgresql "$PY" -m pytest -q -n "$workers" --dist loadfile "${SUITES[@]}" "$@"
else
  MOTCUA_TEST_DB=postgresql "$PY" -m pytest -q "${SUITES[@]}" "$@"
fi
rc=$?
echo "==> PostgreSQL pass: $(($(date +%s) - start)) s"
exit $rc
