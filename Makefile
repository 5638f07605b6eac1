# Quick start:  make run   (service on 127.0.0.1:8000 with the demo catalogue, SQLite)
#               make test  (the test suite, SQLite; PostgreSQL with SCREENING_TEST_DATABASE_URL)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export SCREENING_DATA_DIR ?= var

.PHONY: venv run demo test test-pg lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/screening migrate
	$(VENV)/bin/screening demo
	@test -s $(SCREENING_DATA_DIR)/demo-keys.json || { \
	  umask 077; { echo '{'; \
	  for role in admin listing-flow moderator; do \
	    echo "\"$$role\": $$($(VENV)/bin/screening keys create --role $$role --name demo-$$role),"; \
	  done; echo '"note": "demo keys; revoke before production"}'; } > $(SCREENING_DATA_DIR)/demo-keys.json; }
	@echo "demo API keys: $(SCREENING_DATA_DIR)/demo-keys.json"

run: demo
	$(VENV)/bin/screening serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(PY) -m pytest -q

test-pg: $(STAMP)
	SCREENING_TEST_DATABASE_URL=$${SCREENING_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
	  $(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy screening api models
	$(VENV)/bin/mypy --explicit-package-bases scripts

bench: $(STAMP)
	for script in scripts/bench/*.py; do $(PY) $$script; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
