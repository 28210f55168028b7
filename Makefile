# Every target installs what it needs first, so each works on a fresh clone.
UV := python3 -m uv
PORT ?= 10242

.PHONY: install run test lint typecheck format check bench

install:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: install
	$(UV) run mlx-manager serve --port $(PORT)

test: install
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

check: lint test
