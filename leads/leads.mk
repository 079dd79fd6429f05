# Leads (leads/): export, the notification worker, the tests. The main Makefile includes this file
# and defines PY (the venv's python). Settings come from the environment and consultancy.yml.
LEADS_CSV ?= results/leads.csv

.PHONY: leads leads-worker leads-test

leads:  ## export every lead as CSV to results/leads.csv
	@$(PY) -m leads.export --out $(LEADS_CSV)

leads-worker:  ## send new leads by email/webhook and apply the retention periods, until stopped
	$(PY) -m leads.worker

leads-test:  ## the leads tests only (SQLite, PostgreSQL, a local SMTP server and webhook receiver)
	$(PY) -m pytest -q tests/leads
