# Every target installs what it needs first, so each works on a fresh clone.
# uv on PATH (brew install uv, or its installer), else the one pip installs beside python3.
UV := $(if $(shell command -v uv 2>/dev/null),uv,python3 -m uv)
PORT ?= 10242

WEB_BUILD := src/mlx_manager/web/static/index.html
WEB_SOURCES := $(shell find frontend/src frontend/static -type f 2>/dev/null) \
	frontend/package-lock.json frontend/svelte.config.js frontend/vite.config.ts \
	frontend/tsconfig.json

# The browser the UI end-to-end tests drive (set CHROMIUM_PATH to choose another): on macOS an
# installed Chromium or Google Chrome app, on Linux the system's Chromium.
MACOS_BROWSERS := "/Applications/Chromium.app/Contents/MacOS/Chromium" \
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" \
	"$$HOME/Applications/Chromium.app/Contents/MacOS/Chromium" \
	"$$HOME/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
LINUX_BROWSERS := chromium chromium-browser google-chrome-stable google-chrome
ifeq ($(shell uname -s),Darwin)
CHROMIUM_HINT := brew install --cask chromium (or install Google Chrome)
ifeq ($(origin CHROMIUM_PATH),undefined)
CHROMIUM_PATH := $(shell for p in $(MACOS_BROWSERS); do [ -x "$$p" ] && { echo "$$p"; break; }; done)
endif
else
CHROMIUM_HINT := apt-get install chromium, dnf install chromium or pacman -S chromium
ifeq ($(origin CHROMIUM_PATH),undefined)
CHROMIUM_PATH := $(or $(shell for b in $(LINUX_BROWSERS); do command -v $$b && break; done),/usr/bin/chromium)
endif
endif
# Exported only when found: an empty value would stand for "no browser" in the tests' defaults.
ifneq ($(CHROMIUM_PATH),)
export CHROMIUM_PATH
endif

.PHONY: install web chromium run test test-all test-slow test-python lint typecheck format check bench bench-local soak

install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
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

# Finds the browser, or installs it where apt-get can; else says what to install and stops.
chromium:
	@[ -x "$$CHROMIUM_PATH" ] || { [ "$$CHROMIUM_PATH" = /usr/bin/chromium ] \
		&& command -v apt-get >/dev/null && apt-get update -q && apt-get install -y -q chromium; } \
	|| { echo "make: the UI end-to-end tests need Chromium: $(CHROMIUM_HINT)," \
		"or set CHROMIUM_PATH to a Chromium-based browser's executable." >&2; exit 1; }

run: install web
	$(UV) run mlx-manager serve --port $(PORT)

# Every test: the frontend's, then Python's (what CI runs).
test-all: install web chromium
	cd frontend && npm test
	$(UV) run pytest

# The quick loop: every test but the slow group (pytest -m slow: the UI end to end, fuzzing,
# database and Redis outages, worker processes, shutdown drains, the wheel installed without Node,
# the real agent clients, which the tests install from npm into tests/clients/.npm-clients).
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

# Instructions per request (valgrind's callgrind): steady on a busy machine, for before/after
# comparisons of the hot path; BENCH_SRC=<other checkout>/src measures another tree.
bench-instructions: install
	bench/instructions.sh

# The local-engine benchmark alone (make bench runs it too).
bench-local: install
	$(UV) run python bench/local_bench.py

# A bounded soak (10 minutes by default): memory under steady load, with a chart.
soak: install
	[ -x .venv-bench/bin/python ] || { python3 -m venv .venv-bench && .venv-bench/bin/pip install -q -r ../shared/bench/requirements.txt; }
	$(UV) run python bench/soak.py
