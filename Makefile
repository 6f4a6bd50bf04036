# Set-up and the two jobs. `make serve` installs and runs the main job; `make test`
# installs everything the tests need (Debian's Chromium and Virtuoso included) and runs them.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := api/static/vendor/.built

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

# The web UI's editor comes from npm and is copied into api/static/vendor; nothing is
# loaded from a CDN at run time.
assets: $(VENDOR)
$(VENDOR): api/assets/package.json api/assets/package-lock.json
	cd api/assets && npm ci --no-audit --no-fund --silent
	rm -rf api/static/vendor && mkdir -p api/static/vendor
	cp api/assets/node_modules/codemirror/lib/codemirror.js api/assets/node_modules/codemirror/lib/codemirror.css api/static/vendor/
	cp api/assets/node_modules/codemirror/mode/sparql/sparql.js api/static/vendor/
	cp api/assets/node_modules/swagger-ui-dist/swagger-ui-bundle.js api/assets/node_modules/swagger-ui-dist/swagger-ui.css api/static/vendor/
	touch $@

# Chromium drives the browser tests; Virtuoso is the external SPARQL engine for the
# scale-out backend. Both come from Debian's packages.
debian-packages:
	@if ! command -v chromium >/dev/null || ! command -v virtuoso-t >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium virtuoso-opensource >/dev/null; \
	fi

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) api/assets/node_modules api/static/vendor
