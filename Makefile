# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make run    install what is missing, migrate, import the demo data, start every process
#   make test   install what the tests need (PostgreSQL, Redis) and run the whole suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
WEB_PORT ?= 8000
export WEB_PORT

.PHONY: help run test install test-services assistant assistant-check lint typecheck architecture schema pytest bench clean

help:
	@echo "make run    start onewindow on embedded defaults (SQLite, embedded Redis) at http://127.0.0.1:$(WEB_PORT)"
	@echo "make test   ruff, mypy --strict, the architecture's import contracts, schema check, the assistant's checks and pytest on real PostgreSQL and Redis"
	@echo "make bench  the benchmarks in bench/ (figures go to docs/performance.md)"

# uv itself, when the machine has none: from PyPI into a private folder (no installer script needed).
$(CURDIR)/.tools/bin/uv:
	@scripts/bootstrap-uv.sh "$(CURDIR)/.tools"

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed
	@scripts/install-system-packages.sh

# The Rasa assistant: its own Python 3.10 environment (from assistant/requirements.lock) and a model
# trained when the training data changed.
assistant: | $(UV)
	@scripts/assistant.sh install
	@scripts/assistant.sh train

assistant-check: | $(UV)
	@scripts/assistant.sh check

run: install assistant
	$(UV) run --frozen onewindow migrate
	$(UV) run --frozen onewindow seed
	$(UV) run --frozen honcho --procfile Procfile start

test-services:
	@scripts/install-test-services.sh

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: install
	$(UV) run --frozen mypy

# The architecture's contracts (pyproject.toml [tool.importlinter]; docs/architecture.md explains them).
architecture: install
	$(UV) run --frozen lint-imports --no-cache

schema: install
	$(UV) run --frozen onewindow export-schema --check

pytest: install test-services assistant
	$(UV) run --frozen pytest --numprocesses auto --maxprocesses 4 --durations 15

test: install test-services lint typecheck architecture schema assistant-check pytest

bench: install
	@scripts/install-bench-tools.sh
	$(UV) run --frozen python bench/graphql_bench.py

clean:
	rm -rf .venv .tools var .mypy_cache .ruff_cache .pytest_cache
