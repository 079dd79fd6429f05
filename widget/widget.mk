# Make targets for the website chat widget; included by the main Makefile.
#   widget-build      npm ci (when the lock file changed) + unit tests + build widget/dist/route-advisor.js (when sources changed)
#   widget-unit-test  the widget's unit tests under node (node --test widget/test/), no browser, no server
#   widget-test       unit tests, then the browser tests (tests/widget/, Playwright + Debian's chromium)
#   widget-test-deps  Debian's chromium (when missing) + requirements-test.txt into the venv
#   demo              serve the demo host page on http://localhost:$(DEMO_PORT)/ (widget -> $(DEMO_SERVER_URL))

VENV ?= .venv
PY ?= $(VENV)/bin/python
DEMO_PORT ?= 8000
RASA_PORT ?= 5005
DEMO_SERVER_URL ?= http://localhost:$(RASA_PORT)
CHROMIUM ?= /usr/bin/chromium

WIDGET_DIR := widget
WIDGET_DIST := $(WIDGET_DIR)/dist/route-advisor.js
WIDGET_MODULES := $(WIDGET_DIR)/node_modules/.package-lock.json
WIDGET_SOURCES := $(wildcard $(WIDGET_DIR)/src/*.js $(WIDGET_DIR)/src/*.css) $(WIDGET_DIR)/build.mjs $(WIDGET_DIR)/package.json
WIDGET_UNIT_TESTS := $(wildcard $(WIDGET_DIR)/test/*.test.js)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: widget-build widget-unit-test widget-test widget-test-deps demo widget-clean

widget-build: $(WIDGET_DIST)

$(WIDGET_MODULES): $(WIDGET_DIR)/package.json $(WIDGET_DIR)/package-lock.json
	cd $(WIDGET_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The single file is only built from sources whose unit tests pass.
$(WIDGET_DIST): $(WIDGET_MODULES) $(WIDGET_SOURCES) $(WIDGET_UNIT_TESTS)
	cd $(WIDGET_DIR) && node --test test/
	cd $(WIDGET_DIR) && node build.mjs

widget-unit-test:
	cd $(WIDGET_DIR) && node --test test/

widget-test: widget-unit-test widget-build widget-test-deps
	$(PY) -m pytest -q tests/widget

widget-test-deps: $(VENV)/.widget-test-deps
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi
	@$(CHROMIUM) --version 2>/dev/null | grep -v '^$$' || { echo "chromium is missing at $(CHROMIUM)"; exit 1; }

# Never `playwright install`: browser downloads fail here; the tests drive Debian's chromium.
$(VENV)/.widget-test-deps: requirements-test.txt
	@test -x $(PY) || { echo "no venv at $(VENV): run the main set-up first"; exit 1; }
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	@touch $@

demo: widget-build
	$(PY) demo/serve.py --port $(DEMO_PORT) --server-url $(DEMO_SERVER_URL)

widget-clean:
	rm -rf $(WIDGET_DIR)/dist $(WIDGET_DIR)/node_modules
