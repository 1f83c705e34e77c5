# civicloop — the two commands:
#   make run    install, migrate, compile translations, load the demo, serve on http://127.0.0.1:8000
#   make test   ruff, pytest on SQLite, pytest on a throwaway PostgreSQL, browser tests in Chromium
# Both start from nothing but Python 3.11 and pip; everything else is installed on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Settings look for .env and var/ here, whatever directory a command is started from.
export CIVICLOOP_HOME := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

PYTEST := $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)
# The SQLite stages say so explicitly, so a DATABASE_URL in the shell or .env cannot redirect them.
SQLITE := DATABASE_URL=sqlite:///$(CURDIR)/var/civicloop.sqlite3
LINTED := src tests $(wildcard bench)

.PHONY: help run serve install install-test system-packages translations \
	test lint fmt test-sqlite test-postgres test-e2e clean distclean

help:
	@echo "make run            install, migrate, compile translations, load the demo, serve on http://$(HOST):$(PORT)"
	@echo "make test           lint, then pytest on SQLite, on PostgreSQL, and the browser tests"
	@echo "make lint | fmt     ruff check + format check | apply ruff fixes and formatting"
	@echo "make test-sqlite | test-postgres | test-e2e    one test stage (PYTEST_ARGS=... to pass options)"
	@echo "make clean          remove caches and build output; make distclean also removes $(VENV)"
	@echo "                    (neither touches var/: your database and secret key live there)"

# --- Installation -----------------------------------------------------------------------
# Debian's own Python needs the python3-venv package for this; it is installed if missing.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); scripts/system-packages venv && $(PYTHON) -m venv $(VENV); }

# Stamps: pip runs again whenever pyproject.toml changes.
$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-test: $(VENV)/.installed-test

system-packages:
	@scripts/system-packages

# Compiled .mo files are build output (not committed); compiled again whenever a .po file changes.
PO_FILES := $(wildcard src/civicloop/locale/*/LC_MESSAGES/*.po)
$(VENV)/.translations-compiled: $(PO_FILES) $(VENV)/.installed-runtime
	$(BIN)/civicloop compiletranslations
	@touch $@

translations: $(VENV)/.translations-compiled

# --- make run ----------------------------------------------------------------------------
run: install translations
	$(BIN)/civicloop migrate --noinput
	$(BIN)/civicloop collectstatic --noinput -v 0
	$(BIN)/civicloop demo
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(BIN)/civicloop serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/civicloop serve --host $(HOST) --port $(PORT)

# --- make test ---------------------------------------------------------------------------
# Stages run in order and stop at the first failure; a summary with each stage's time ends the run.
test: install-test system-packages translations
	@log=$$(mktemp); trap 'echo; echo "== Summary"; cat "$$log"; rm -f "$$log"' EXIT; \
	export CIVICLOOP_STAGE_LOG="$$log"; \
	scripts/stage "lint (ruff, mypy)" $(MAKE) --no-print-directory lint && \
	scripts/stage "pytest on SQLite" $(MAKE) --no-print-directory test-sqlite && \
	scripts/stage "pytest on PostgreSQL" $(MAKE) --no-print-directory test-postgres && \
	scripts/stage "browser tests (Chromium)" $(MAKE) --no-print-directory test-e2e

lint: install-test
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

fmt: install-test
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

test-sqlite: install-test translations
	$(SQLITE) $(PYTEST) -m "not e2e"

test-postgres: install-test system-packages translations
	scripts/with-postgres $(PYTEST) -m "not e2e"

test-e2e: install-test system-packages translations
	$(SQLITE) $(PYTEST) -m e2e

clean:
	rm -rf $(VENV)/.installed-* $(VENV)/.translations-compiled .pytest_cache .ruff_cache .mypy_cache .hypothesis build dist test-results src/*.egg-info
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
