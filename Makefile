# Kinerja: `make run` starts the whole system, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif

.PHONY: install run test test-fast lint schemas compose-check clean help bench

help:
	@echo "make run    - start NATS (embedded), the SMTP sink and the four services (Ctrl-C stops all)"
	@echo "make test   - run the whole test suite (PostgreSQL when KINERJA_TEST_DATABASE_URL is set)"
	@echo "make schemas - regenerate docs/events/*.json and docs/events.md from the contracts"
	@echo "make bench  - whole-flow benchmark on PostgreSQL + NATS (BENCH_ARGS='--duration 60 --concurrency 64'); see docs/performance.md"

install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@$(UV) sync --frozen --quiet

run: install
	@$(UV) run --frozen kinerja-dev

test: install
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
