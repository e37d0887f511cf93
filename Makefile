# Kinerja: `make run` starts the whole system, `make lint` runs the gates,
# `make test` the fast suite, `make test-all` every test.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif

.PHONY: install run test test-all lint schemas compose-check clean help bench

help:
	@echo "make run    - start NATS (embedded), the SMTP sink and the four services (Ctrl-C stops all)"
	@echo "make lint   - ruff, mypy (contracts and every domain) and the import-linter layer contracts"
	@echo "make test   - the fast suite: unit and integration tests, without e2e, chaos and bench smoke tests"
	@echo "make test-all - every test, e2e, chaos and bench smoke included"
	@echo "             (both on PostgreSQL when KINERJA_TEST_DATABASE_URL is set, else SQLite)"
	@echo "make schemas - regenerate docs/events/*.json and docs/events.md from the contracts"
	@echo "make bench  - whole-flow benchmark on PostgreSQL + NATS (BENCH_ARGS='--duration 60 --concurrency 64'); see docs/performance.md"

install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --quiet

run: install
	@$(UV) run --frozen kinerja-dev

# all three run, so one pass shows every finding; any finding fails the target
lint: install
	@rc=0; \
	$(UV) run --frozen ruff check || rc=1; \
	$(UV) run --frozen mypy || rc=1; \
	$(UV) run --frozen lint-imports --no-cache || rc=1; \
	exit $$rc

# The markers are declared in pyproject.toml; pytest exits 5 (a failure for
# make) when the selection holds no test.
FAST_TESTS := not e2e and not chaos and not bench
test: install
	@$(UV) run --frozen pytest -m "$(FAST_TESTS)" $(PYTEST_ARGS)

test-all: install
	@$(UV) run --frozen pytest $(PYTEST_ARGS)

schemas: install
	@$(UV) run --frozen kinerja-export-schemas --docs docs

# needs PostgreSQL on 127.0.0.1:5432 (or --database-url); prints figures and the ratio to the floor
BENCH_ARGS ?= --duration 60 --concurrency 64
bench: install
	@$(UV) run --frozen python -m bench.flow $(BENCH_ARGS) --json var/bench/flow-latest.json

compose-check:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf var .venv
