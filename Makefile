# Two commands for a fresh machine with Python 3.11+ and Node 20+:
#   make run   - the portal with demo data on SQLite, eager Celery, email to the console
#   make test  - the whole test suite (browser tests use Debian's Chromium)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
ASSETS := static/dist/portal.css
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install assets lint migrate demo worker beat check-deploy clean bench bench-growth loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): $(NODE_STAMP) $(wildcard static/src/scss/*.scss static/src/js/* static/src/*.mjs)
	npm run --silent build

install: $(PY_STAMP) $(NODE_STAMP)

assets: $(ASSETS)

run: install assets
	DJANGO_SETTINGS_MODULE=commissioning.settings.dev $(BIN)/python manage.py migrate --no-input -v 0
	DJANGO_SETTINGS_MODULE=commissioning.settings.dev $(BIN)/python manage.py load_demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	DJANGO_SETTINGS_MODULE=commissioning.settings.dev $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install assets
	bash scripts/ensure-chromium.sh
	PYTHON=$(BIN)/python bash scripts/run-tests.sh $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: install
	$(BIN)/celery -A commissioning worker --loglevel=info

beat: install
	$(BIN)/celery -A commissioning beat --loglevel=info

check-deploy: install
	DJANGO_SETTINGS_MODULE=commissioning.settings.production $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles test-artifacts db.sqlite3

# BENCH_SCALE=10 for ten times the data; BENCH_EXPLAIN=1 for each page's query plans; DATABASE_URL for PostgreSQL.
bench: install assets
	DJANGO_SETTINGS_MODULE=commissioning.settings.bench $(BIN)/python -u -m bench.run

bench-growth: install assets
	DJANGO_SETTINGS_MODULE=commissioning.settings.bench $(BIN)/python -u -m bench.growth

loadtest: install
	$(BIN)/python -m pip install --quiet "locust>=2.20"
	bash bench/loadtest.sh
