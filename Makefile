# motcua — the two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:/usr/sbin:$(PATH)

.PHONY: setup demo test test-pg test-days lint bench clean

# The hub-side suites run again on PostgreSQL (MOTCUA_TEST_DB=postgresql: each test on a fresh database of
# one throwaway cluster). `make test` runs this representative set; `make test-pg` every hub-side suite.
PG_SUITE := tests/integration/test_queue_flow.py tests/integration/test_cli.py tests/dossier/test_flow.py \
	tests/dossier/test_fidelity.py tests/dossier/test_intake_refusal.py tests/dossier/test_portal.py \
	tests/appointments/test_ops.py tests/web/test_audit.py tests/web/test_admin.py tests/unit/test_store_memo.py
PG_ALL := tests/integration tests/dossier tests/appointments tests/web tests/reliability

setup:
	@VENV=$(VENV) bash scripts/setup.sh

demo: setup
	$(VENV)/bin/motcua demo

test: setup
	$(PY) -m ruff check .
	PY=$(PY) bash scripts/test.sh
	MOTCUA_TEST_DB=postgresql $(PY) -m pytest -q $(PG_SUITE)

# The date-sensitive tests (marker `clock`) as if on chosen days and in far host zones (MOTCUA_TEST_NOW).
test-days: setup
	PY=$(PY) bash scripts/clock-days.sh

test-pg: setup
	MOTCUA_TEST_DB=postgresql $(PY) -m pytest $(PG_ALL)

lint: setup
	$(PY) -m ruff check .

bench: setup
	$(VENV)/bin/motcua bench call-path --calls 500 --json
	$(VENV)/bin/motcua bench tickets --kiosks 20 --tickets 5000 --json
	$(VENV)/bin/motcua bench display --calls 300 --json
	$(VENV)/bin/motcua bench reports --dossiers 123000 --json
	$(VENV)/bin/motcua bench console --json
	$(VENV)/bin/motcua bench search --procedures 6000 --json
	$(VENV)/bin/motcua bench print --json
	$(VENV)/bin/motcua bench appointments --json
	$(VENV)/bin/motcua bench call-path --history-tickets 500000 --json
	$(VENV)/bin/motcua bench http --json
	$(VENV)/bin/motcua bench fleet --devices 2000 --json
	$(VENV)/bin/motcua bench footprint --json
	$(VENV)/bin/motcua bench call-path --db postgresql --calls 500 --json
	$(VENV)/bin/motcua bench tickets --db postgresql --kiosks 20 --tickets 5000 --json
	$(VENV)/bin/motcua bench estimate --json
	$(VENV)/bin/motcua bench scan --json
	$(VENV)/bin/motcua bench call-path --sync --json
	$(VENV)/bin/motcua bench province --sites 100 --devices 20 --json

clean:
	rm -rf $(VENV) demo-data test-artifacts .pytest_cache
