# The two commands a newcomer needs: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint format install assets check-deploy bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error

static/build/app.css: node_modules/.package-lock.json static/src/app.scss static/src/copy-assets.mjs static/src/favicon.svg static/src/favicon.ico
	npm run --silent build

install: $(VENV)/.installed
assets: static/build/app.css

## Serve the demo at http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set), with the
## background worker that renders large board packs; Ctrl-C stops both.
run: install assets
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	$(MANAGE) db_worker --no-reload -v0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

## Run the whole test suite (SQLite by default; CI sets DATABASE_URL for PostgreSQL). On
## PostgreSQL it runs on up to four cores (pytest-xdist, a test file to a worker); on SQLite in
## one process, because the browser tests' server threads share its in-memory database.
## TEST_WORKERS=0 runs it in one process, TEST_WORKERS=2 in two.
TEST_WORKERS ?= $(if $(DATABASE_URL),auto,0)
test: install assets
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/djlint templates --lint
	@# djLint's lint has no line-length rule: refuse template lines over 300 characters.
	@! grep -rnE '.{301}' templates --include='*.html' \
		|| { echo "Break the template lines above (300 characters at most)"; exit 1; }

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=throwaway-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n') \
	DATABASE_URL=sqlite:///check-deploy.sqlite3 \
	$(MANAGE) check --deploy --fail-level WARNING

## The benchmark suite against its baselines (not run in CI): prints a table and writes
## docs/benchmarks.md. Installs LibreOffice for its baseline; BENCH_ARGS=--quick is shorter.
bench: install assets
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/run.py --install-baselines $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/build staticfiles
