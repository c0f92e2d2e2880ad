# The two commands in README: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Settings read HOST and PORT too: without SITE_URL, e-mailed links name this address.
export HOST PORT
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# What `make run` and `make demo-staff` pass to Django unless DEBUG is set: a local run.
LOCAL := DEBUG=$${DEBUG:-true}

.PHONY: run test lint format bench loadtest migrate demo demo-staff install clean messages

$(PY):
	@python=$$(scripts/find-python) && echo "== creating the Python environment ($(VENV), $$($$python --version))…" \
	  && $$python -m venv $(VENV)

# Serving needs requirements.txt only; the development tools come with the first test, lint or format.
$(VENV)/.runtime: requirements.txt | $(PY)
	@echo "== installing what serving needs (requirements.txt; a minute or so the first time)…"
	@$(PIP) -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	@echo "== installing the development tools (requirements-dev.txt: pytest, Playwright, ruff, mypy…)…"
	@$(PIP) -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

## Everything, development tools included (CI runs this).
install: $(VENV)/.dev

migrate: $(VENV)/.runtime
	@echo "== setting up the database ($$(if [ -n "$$DATABASE_URL" ]; then echo "DATABASE_URL: $${DATABASE_URL%%:*}"; \
	  else echo "SQLite: db.sqlite3"; fi))…"
	@$(PY) manage.py migrate --noinput --verbosity 0

demo: migrate
	@echo "== loading demo content (guides/demo/)…"
	@$(PY) manage.py load_demo

## Set up everything on a fresh machine and serve the site with demo content on SQLite.
run: demo
	@echo "== collecting static files (staticfiles/)…"
	@$(LOCAL) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "== serving the site at http://$(HOST):$(PORT)/ (DEBUG=$${DEBUG:-true}; Ctrl-C stops it)"
	@echo "   admin: http://$(HOST):$(PORT)/admin/ — for accounts run \`make demo-staff\` (one 编辑, one 审核)"
	@echo "   or \`$(PY) manage.py createsuperuser\`"
	@$(LOCAL) $(PY) manage.py runserver $(HOST):$(PORT)

## Local only: create (or reset) one 编辑 and one 审核 account and print their passwords.
demo-staff: migrate
	@$(LOCAL) $(PY) manage.py demo_staff

AXE := node_modules/axe-core/axe.min.js

# The accessibility test injects axe-core into real Chromium; npm fetches it once.
$(AXE):
	npm install --no-save --no-audit --no-fund --silent axe-core@4

# Test files are shared out among this many processes (pytest-xdist), a whole file each.
TEST_WORKERS ?= 2

## The whole test suite on TEST_WORKERS processes (browser tests need Debian's chromium; see README).
test: $(VENV)/.dev $(AXE)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --tabwidth 2 --check templates
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml --tabwidth 2 templates

## Print server time per estimate, per page type (demo size and 333 cities/10,000 articles, cached and uncached)
## and search time at 10,000 articles (see README, "Benchmarks"). The scale data set lives in its own database.
bench: $(VENV)/.dev migrate
	$(PY) manage.py load_demo >/dev/null
	$(PY) manage.py bench
	$(PY) manage.py bench_pages --label "demo"
	$(PY) manage.py bench_pages --scale
	$(PY) manage.py bench_search

## gunicorn on PostgreSQL with the scale data set under wrk on loopback: req/s, p50/p99, errors, worker memory.
loadtest: $(VENV)/.runtime
	scripts/loadtest

## Compile locale/*/LC_MESSAGES/*.po into the .mo files Django reads (commit both; no gettext needed).
messages: install
	$(PY) scripts/compile-messages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
