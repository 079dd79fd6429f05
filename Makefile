# The route advisor. `make run` and `make test` work on a fresh machine; see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python < 3.11. pyenv's shim for python3.10 only works where 3.10 is selected,
# so prefer an installed 3.10 interpreter's real path.
PYTHON_FOR_VENV ?= $(or $(lastword $(wildcard /usr/bin/python3.10 /usr/local/bin/python3.10 $(HOME)/.pyenv/versions/3.10.*/bin/python3.10)),python3.10)
VENV := .venv
PY := $(VENV)/bin/python
RASA := TF_CPP_MIN_LOG_LEVEL=2 $(VENV)/bin/rasa
SPACY_MODEL := build/spacy/en_route_advisor
# The pipeline as a wheel (what an image installs) and a stamp for its install into the venv.
SPACY_DIST := build/spacy/dist
SPACY_PACKAGE := $(VENV)/.en_route_advisor
MODEL := models/route-advisor.tar.gz
TRAINING_INPUTS := config.yml domain.yml language/hedges.yml language/situations.yml $(wildcard data/*.yml data/*/*.yml) $(SPACY_PACKAGE)

RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
DEMO_PORT ?= 8000
# pytest workers for `make test` (pytest-xdist): one a core on the 2-core machines we run on.
TEST_WORKERS ?= 2
# Origins allowed to open the widget's socket.io connection; set your site's origin in production.
ALLOWED_ORIGINS ?= http://localhost:$(DEMO_PORT) http://127.0.0.1:$(DEMO_PORT)
# Exported: the socket.io channel refuses browsers from other origins (channels/socketio.py).
export ALLOWED_ORIGINS
# endpoints.yml holds the defaults (action server on 5055, conversations in .rasa/conversations.db,
# locks in memory); these variables override them (serving/patches.py, serving/stores.py).
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
# Rasa's HTTP API stays off unless RASA_API_TOKEN is set; then it is on, behind that token.
RASA_API_FLAGS = $(if $(RASA_API_TOKEN),--enable-api --auth-token $(RASA_API_TOKEN))
# The action server (rasa-sdk) reads its bind address from SANIC_HOST.
export SANIC_HOST ?= 127.0.0.1
export TF_CPP_MIN_LOG_LEVEL := 2
# Rasa's telemetry and its error reports to Sentry stay off: nothing leaves the machine.
export RASA_TELEMETRY_ENABLED ?= false
ACTION_SERVER := $(VENV)/bin/rasa run actions --actions actions --port $(ACTIONS_PORT)

include widget/widget.mk
include leads/leads.mk
include insight/insight.mk

.PHONY: help venv spacy model validate test pytest services-deps evaluate cross-validate diagram run shell actions clean

help:
	@echo "make run        - set up, train if needed, start the assistant, widget and demo page"
	@echo "make test       - set up, train if needed, run every test"
	@echo "make shell      - chat with the assistant in the terminal"
	@echo "make evaluate   - score models/route-advisor.tar.gz on each held-out NLU set and the dev set (does not train)"
	@echo "make report     - the owner's report: results/report.html (REPORT_FROM/REPORT_TO=YYYY-MM-DD)"
	@echo "make leads      - export every lead as CSV to results/leads.csv"
	@echo "make leads-worker - send new leads by email/webhook and apply the retention periods"
	@echo "make validate   - rasa data validate --fail-on-warnings"
	@echo "make bench      - load benchmark beside a rasa init bot; writes docs/benchmarks.md"
	@echo "make diagram    - redraw docs/decision-tree.md from routes/decision-tree.yml"
	@echo "make cross-validate - 5-fold NLU cross-validation on the training data"
	@echo "make widget-build - build widget/dist/route-advisor.js (npm ci + esbuild)"
	@echo "make demo       - serve only the demo page on http://localhost:$(DEMO_PORT)/"
	@echo "make clean      - remove the venv, built pipeline, models and results"

# --- set-up -------------------------------------------------------------------------------
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

# config.yml's SpacyNLP loads the installed package en_route_advisor, from any working
# directory. Its version changes with the pipeline (language/build_pipeline.py); a rebuild
# of the same pipeline is reinstalled too (--force-reinstall), so the venv matches build/.
spacy: $(SPACY_PACKAGE)
$(SPACY_MODEL)/meta.json: $(VENV)/.installed language/shorthand.yml language/abbreviations.yml $(wildcard language/*.py language/patterns/*.yml language/mentions/*.yml) routes/decision-tree.yml routes/councils.yml routes/councils.py
	$(PY) -m language.build_pipeline $(SPACY_MODEL)
$(SPACY_PACKAGE): $(SPACY_MODEL)/meta.json
	$(PY) -m language.package_pipeline $(SPACY_MODEL) $(SPACY_DIST)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --force-reinstall $(SPACY_DIST)/*.whl
	@touch $@

# --skip-validation: `make validate` (the first step of `make test`) checks the same data more
# strictly (--fail-on-warnings); training's own pass took 10 s of each training.
model: $(MODEL)
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	@mkdir -p models
	@start=$$(date +%s); \
	$(RASA) train --fixed-model-name route-advisor --out models --force --quiet --skip-validation && \
	echo "Trained $(MODEL) in $$(( $$(date +%s) - start )) s"

# --- checks -------------------------------------------------------------------------------
validate: $(VENV)/.installed
	$(PY) -m routes.check_domain
	$(RASA) data validate --fail-on-warnings --quiet

pytest: $(MODEL) widget-build widget-test-deps services-deps
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=20 tests

test: validate pytest

evaluate: $(SPACY_PACKAGE)
	$(PY) -m language.evaluation --dev

cross-validate: $(SPACY_PACKAGE)
	$(RASA) test nlu --nlu data/nlu --cross-validation --folds 5 --out results/cross-validation

# The included targets (leads/leads.mk, insight/insight.mk) need the venv on a fresh machine.
report leads leads-worker: $(VENV)/.installed

diagram: $(VENV)/.installed
	$(PY) -m routes.diagram > docs/decision-tree.md

# Debian's PostgreSQL, Redis and nginx for the production tests (persistence, scale-out);
# the tests start their own servers on free loopback ports.
SERVICE_BINARIES := /usr/lib/postgresql/15/bin/initdb /usr/bin/redis-server /usr/sbin/nginx
services-deps:
	@missing=""; for f in $(SERVICE_BINARIES); do [ -x $$f ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing PostgreSQL, Redis and nginx from Debian (missing:$$missing)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql-15 redis-server nginx >/dev/null; \
	  $(SUDO) systemctl disable --now nginx redis-server postgresql >/dev/null 2>&1 || true; \
	fi

# --- running ------------------------------------------------------------------------------
actions: $(VENV)/.installed
	$(ACTION_SERVER)

run: $(MODEL) widget-build
	@trap 'kill 0' EXIT; \
	$(ACTION_SERVER) > actions.log 2>&1 & \
	$(PY) -m leads.worker > leads-worker.log 2>&1 & \
	$(PY) demo/serve.py --port $(DEMO_PORT) --server-url http://localhost:$(RASA_PORT) > demo.log 2>&1 & \
	echo "Action server on $(ACTION_ENDPOINT_URL) (log: actions.log)"; \
	echo "Demo page with the widget: http://localhost:$(DEMO_PORT)/ (ready when Rasa says 'Rasa server is up and running')"; \
	echo "Rasa on http://127.0.0.1:$(RASA_PORT) - REST: POST /webhooks/rest/webhook {\"sender\": \"me\", \"message\": \"hi\"}"; \
	$(RASA) run -i 127.0.0.1 -p $(RASA_PORT) -m $(MODEL) --credentials credentials.yml \
	  --endpoints endpoints.yml --cors $(ALLOWED_ORIGINS) $(RASA_API_FLAGS)

shell: $(MODEL)
	@trap 'kill 0' EXIT; \
	$(ACTION_SERVER) > actions.log 2>&1 & \
	$(RASA) shell -m $(MODEL) --endpoints endpoints.yml

# --- load benchmark -----------------------------------------------------------------------
# Our stack beside the `rasa init` bot under simulated visitors; writes docs/benchmarks.md.
# BENCH_QUICK=1 for a short run that only prints; BENCH_ARGS for python -m bench's options.
.PHONY: bench
bench: $(VENV)/.installed $(MODEL)
	$(PY) -m bench $(BENCH_ARGS)

clean: widget-clean
	rm -rf $(VENV) build models results .rasa
