# Every target installs what it needs first, so each works on a fresh clone.
UV := python3 -m uv
PORT ?= 10242

WEB_BUILD := src/mlx_manager/web/static/index.html
WEB_SOURCES := $(shell find frontend/src frontend/static -type f 2>/dev/null) \
	frontend/package-lock.json frontend/svelte.config.js frontend/vite.config.ts \
	frontend/tsconfig.json

.PHONY: install web chromium run test test-all test-slow test-python lint typecheck format check bench bench-local soak

install:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@# Bytecode written ahead: with PYTHONDONTWRITEBYTECODE set, every start would compile
	@# every module again (start-up 2.0 s instead of 0.9 s here).
	$(UV) run python -m compileall -q src >/dev/null

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

$(WEB_BUILD): frontend/node_modules/.package-lock.json $(WEB_SOURCES)
	cd frontend && npm run build

# The web UI, rebuilt only when its sources changed.
web: $(WEB_BUILD)

chromium:
	@[ -x /usr/bin/chromium ] || { apt-get update -q && apt-get install -y -q chromium; }

run: install web
	$(UV) run mlx-manager serve --port $(PORT)

# Every test: the frontend's, then Python's (what CI runs).
test-all: install web chromium
	cd frontend && npm test
	$(UV) run pytest

# The quick loop: every test but the slow group (pytest -m slow: the UI end to end, fuzzing,
# database and Redis outages, worker processes, shutdown drains).
test: install web chromium
	cd frontend && npm test
	$(UV) run pytest -m "not slow"

test-slow: install web chromium
	$(UV) run pytest -m slow

# Python tests only (the UI end-to-end test skips when the UI is not built, unless CI is set).
test-python: install
	$(UV) run pytest

lint: install
	$(UV) run ruff check src tests
	$(UV) run ruff format --check src tests
	$(UV) run mypy

typecheck: install
	$(UV) run mypy

format: install
	$(UV) run ruff format src tests
	$(UV) run ruff check --fix src tests

check: lint test-all

bench: install
	bench/run.sh

# The local-engine benchmark alone (make bench runs it too).
bench-local: install
	$(UV) run python bench/local_bench.py

# A bounded soak (10 minutes by default): memory under steady load, with a chart.
soak: install
	[ -x .venv-bench/bin/python ] || { python3 -m venv .venv-bench && .venv-bench/bin/pip install -q -r ../shared/bench/requirements.txt; }
	$(UV) run python bench/soak.py
