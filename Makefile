# Set-up and the two jobs. `make serve` installs and runs the main job; `make test`
# installs everything the tests need (Debian's Chromium and Virtuoso included) and runs them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
WEB    := src/glocal_api
VENDOR := $(WEB)/static/vendor/.built

.PHONY: serve test install install-test debian-packages assets bench lint clean

serve: install assets
	$(BIN)/glocal serve

test: install-test assets debian-packages
	$(BIN)/pytest

bench: install-test assets debian-packages
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/glocal bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP)-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(STAMP)

install: $(STAMP)
install-test: $(STAMP)-test

# The web UI's editor, charts and graph library come from npm and are copied or bundled
# (esbuild) into $(WEB)/static/vendor; nothing is loaded from a CDN at run time.
assets: $(VENDOR)
$(VENDOR): $(WEB)/assets/package.json $(WEB)/assets/package-lock.json $(wildcard $(WEB)/assets/entries/*.js)
	cd $(WEB)/assets && npm ci --no-audit --no-fund --silent
	rm -rf $(WEB)/static/vendor && mkdir -p $(WEB)/static/vendor
	cp $(WEB)/assets/node_modules/codemirror/lib/codemirror.js $(WEB)/assets/node_modules/codemirror/lib/codemirror.css $(WEB)/static/vendor/
	cp $(WEB)/assets/node_modules/codemirror/mode/sparql/sparql.js $(WEB)/static/vendor/
	cp $(WEB)/assets/node_modules/codemirror/addon/hint/show-hint.js $(WEB)/assets/node_modules/codemirror/addon/hint/show-hint.css $(WEB)/static/vendor/
	cp $(WEB)/assets/node_modules/swagger-ui-dist/swagger-ui-bundle.js $(WEB)/assets/node_modules/swagger-ui-dist/swagger-ui.css $(WEB)/static/vendor/
	cd $(WEB)/assets && node_modules/.bin/esbuild entries/plot.js entries/cytoscape.js --bundle --format=esm --minify --legal-comments=linked --log-level=warning --outdir=../static/vendor
	cp src/glocal/report/world-110m.json $(WEB)/static/vendor/
	touch $@

# Chromium drives the browser tests; Virtuoso is the external SPARQL engine for the
# scale-out backend; wrk is the bench's load generator. All come from Debian's packages.
debian-packages:
	@if ! command -v chromium >/dev/null || ! command -v virtuoso-t >/dev/null || ! command -v wrk >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium virtuoso-opensource wrk >/dev/null; \
	fi

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(WEB)/assets/node_modules $(WEB)/static/vendor
