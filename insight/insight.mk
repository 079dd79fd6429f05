# The owner's report; included by the main Makefile.
#   make report [REPORT_FROM=YYYY-MM-DD] [REPORT_TO=YYYY-MM-DD] [REPORT_OUT=results/report.html]
# reads the tracker store (TRACKER_STORE_URL, default sqlite:///.rasa/conversations.db) read-only.

VENV ?= .venv
PY ?= $(VENV)/bin/python
REPORT_OUT ?= results/report.html
REPORT_ARGS = $(if $(REPORT_FROM),--from $(REPORT_FROM)) $(if $(REPORT_TO),--to $(REPORT_TO)) --out $(REPORT_OUT)

.PHONY: report

report:
	@$(PY) -m insight.report $(REPORT_ARGS)
