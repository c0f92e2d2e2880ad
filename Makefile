# The two commands in README: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench migrate demo install clean messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## Set up everything on a fresh machine and serve the site with demo content on SQLite.
run: demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

AXE := node_modules/axe-core/axe.min.js

# The accessibility test injects axe-core into real Chromium; npm fetches it once.
$(AXE):
	npm install --no-save --no-audit --no-fund --silent axe-core@4

## The whole test suite (browser tests need Debian's chromium; see README).
test: install $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Print server time per estimate and fragment size, and search time at 10,000 articles (see README, "Benchmarks").
bench: migrate
	$(PY) manage.py load_demo >/dev/null
	$(PY) manage.py bench
	$(PY) manage.py bench_search

## Compile locale/*/LC_MESSAGES/*.po into the .mo files Django reads (commit both; no gettext needed).
messages: install
	$(PY) scripts/compile-messages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
