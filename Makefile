# Two commands matter: `make run` (demo on SQLite) and `make test` (every test and check).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR := web/static/vendor
VENDOR_STAMP := $(VENDOR)/.copied
CATALOG := web/translations/ru/LC_MESSAGES/messages

.PHONY: run test lint bench install assets chromium

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The web UI's scripts come from npm and are served locally (no CDN); not committed.
MODELER_SOURCES := $(wildcard web/modeler/*.js web/modeler/*.json)

$(VENDOR_STAMP): $(NODE_STAMP) $(MODELER_SOURCES)
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/bpmn-js
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/idiomorph/dist/idiomorph-ext.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js $(VENDOR)/bpmn-js/
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/bpmn-js/
	cp -R node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	# The regulation editor (web/modeler/): bpmn-js Modeler, properties panel, Russian, bundled.
	mkdir -p $(VENDOR)/modeler
	node_modules/.bin/esbuild web/modeler/index.js --bundle --minify --format=iife \
	  --target=es2020 --log-level=warning --outfile=$(VENDOR)/modeler/modeler.js
	cp node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css $(VENDOR)/modeler/
	touch $@

$(CATALOG).mo: $(CATALOG).po $(STAMP)
	$(BIN)/pybabel compile -d web/translations

assets: $(VENDOR_STAMP) $(CATALOG).mo

install: $(STAMP) $(NODE_STAMP) assets

run: $(STAMP) assets
	REGLAMENT_DEMO=1 $(BIN)/python -m web

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check engine web adapters tests benchmarks
	$(BIN)/mypy
	npm run -s lint:bpmn

# The browser tests drive Debian's Chromium through Playwright, which never downloads a browser.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

test: lint assets chromium
	$(BIN)/reglament scenario run --coverage processes
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks
