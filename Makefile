# Two commands matter: `make run` (demo on SQLite) and `make test` (every test and check).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint bench install

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

run: $(STAMP)
	$(BIN)/reglament demo

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check engine web adapters tests benchmarks
	$(BIN)/mypy
	npm run -s lint:bpmn

test: lint
	$(BIN)/reglament scenario run --coverage processes
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks
