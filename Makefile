# Insight Portal developer commands. The logic lives in scripts/; see `make help`.
#   make run                      set up, migrate, demo data, serve on http://127.0.0.1:8000
#   make test [PYTEST_ARGS=...]   the full gate against throwaway PostgreSQL + Redis (what CI runs)

SHELL := /bin/bash
PYTEST_ARGS ?=
LOAD_ARGS ?=
VENV_BIN := .venv/bin

.DEFAULT_GOAL := help
.PHONY: help setup run test bench load lint clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-10s %s\n", $$1, $$2 }'

setup: ## create/refresh .venv and node_modules (skipped when unchanged)
	@bash scripts/setup.sh

run: ## set up, migrate, load demo data if empty, serve on 127.0.0.1:8000
	@bash scripts/run.sh

test: ## ruff, import contracts, mypy, migrations check, Django checks, pytest (PYTEST_ARGS=...)
	@bash scripts/test.sh $(PYTEST_ARGS)

bench: setup ## run every bench/*.py against throwaway PostgreSQL + Redis
	@bash scripts/with-services.sh bash scripts/bench.sh

load: setup ## load test: 50 users for 5 minutes on gunicorn + PostgreSQL + Redis + a worker (LOAD_ARGS="SECONDS USERS MAX_REQUESTS")
	@bash bench/load/run_load.sh $(LOAD_ARGS)

lint: setup ## ruff, import-linter contracts and mypy
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/lint-imports
	$(VENV_BIN)/mypy .

clean: ## remove caches, collected static files and build leftovers (keeps .venv, node_modules, data)
	rm -rf staticfiles bench/out .pytest_cache .ruff_cache .mypy_cache .hypothesis build dist *.egg-info
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## also remove .venv and node_modules (the next command re-creates them)
	rm -rf .venv node_modules
