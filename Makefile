# motcua — the two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:/usr/sbin:$(PATH)

.PHONY: setup demo test test-pg test-days lint bench clean

# `make test` = lint, then scripts/test.sh: every test on SQLite (in parallel, then tests/bench alone), then
# the hub-side suites again on PostgreSQL (scripts/test-pg.sh: integration, dossier, appointments, web,
# reliability, province; each test on a fresh database of a throwaway cluster; the province's communes stay
# on SQLite). `make test-pg` runs that PostgreSQL pass alone.

setup:
	@VENV=$(VENV) bash scripts/setup.sh

demo: setup
	$(VENV)/bin/motcua demo

test: setup
	$(PY) -m ruff check .
	PY=$(PY) bash scripts/test.sh

# The date-sensitive tests (marker `clock`) as if on chosen days and in far host zones (MOTCUA_TEST_NOW).
test-days: setup
	PY=$(PY) bash scripts/clock-days.sh

test-pg: setup
	PY=$(PY) bash scripts/test-pg.sh

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
	$(VENV)/bin/motcua bench fuzz --json
	$(VENV)/bin/motcua bench fuzz --db postgresql --json

clean:
	rm -rf $(VENV) demo-data test-artifacts .pytest_cache
