# Coparent: `make run` serves the app with demo data; `make test` runs lint and the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export COPARENT_DATA_DIR ?= $(CURDIR)/var
# Test processes for `make test` (pytest-xdist): auto is one per core; 0 runs the suite in this
# one process (docs/testing.md).
PYTEST_WORKERS ?= auto

.PHONY: run test lint bench load scale setup install-browser clean tone-model

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Coparent needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@bash scripts/check-system-libs.sh
	DEBUG=$${DEBUG:-1} $(BIN)/coparent serve --with-demo --host 127.0.0.1 --port $${PORT:-8000}

lint: $(STAMP)
	$(BIN)/ruff check coparent tests bench load
	$(BIN)/ruff format --check coparent tests bench load
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	git ls-files -z '*.py' | xargs -0 $(BIN)/django-upgrade --target-version 5.2
	DEBUG=1 $(BIN)/python -m django makemigrations --check --dry-run --settings=coparent.settings >/dev/null

# Debian's Chromium, and the npm packages the browser tests load into pages (axe-core), from
# package-lock.json into ./node_modules (never committed).
install-browser:
	@bash scripts/install-chromium.sh
	@bash scripts/install-browser-tools.sh

test: $(STAMP) lint install-browser
	@bash scripts/check-system-libs.sh
	COPARENT_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: $(STAMP)
	@bash scripts/check-system-libs.sh
	$(BIN)/python bench/run.py

# Many parents at once against `coparent serve` on the loopback (locust, headless): SQLite in a
# folder of its own, or PostgreSQL with DATABASE_URL. LOAD_USERS (50), LOAD_DURATION (60s),
# LOAD_FAMILIES (200); LOAD_HOSTS and LOAD_ACCOUNTS for servers already running
# (docs/operations.md, "Load and scale"). TOPOLOGY=two: two servers and their two workers on the
# PostgreSQL of DATABASE_URL and one Redis (REDIS_URL), checked for shared rate limits and for
# no task run twice (load/two_servers.py; docs/operations.md, "Beyond one machine").
TOPOLOGY ?= one
load: $(STAMP)
	LOAD_TOPOLOGY=$(TOPOLOGY) $(BIN)/python load/run.py

# One family's pages and API with 10 families and with 10,000 (SCALE_FAMILIES), on the
# PostgreSQL server of DATABASE_URL (a scratch database; skipped on SQLite). Minutes: filling
# the families takes most of it, so it is not part of `make bench`.
scale: $(STAMP)
	$(BIN)/python bench/scale.py

# Retrain the tone coach's learned model from tests/core/tone/eval_set.jsonl and its seed, and
# write coparent/core/tone/data/model.json.gz (docs/tone.md). Needs the dev extras (scikit-learn).
tone-model: $(STAMP)
	$(BIN)/python -m coparent.core.tone.training

clean:
	rm -rf $(VENV) build *.egg-info
