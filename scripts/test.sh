#!/usr/bin/env bash
# `make test`: the whole gate, as CI runs it.
#
#   scripts/test.sh [PYTEST ARGS...]
#
# 1. system packages (PostgreSQL, Redis, Chromium) when missing, .venv and node_modules when stale;
# 2. throwaway PostgreSQL and Redis on spare loopback ports (scripts/with-services.sh), removed on
#    exit whatever happens;
# 3. in order, stopping at the first failure: ruff, import-linter contracts, mypy, no missing
#    migrations, Django system checks, then the whole pytest suite against the real PostgreSQL and Redis.
# The exit code is the first failing step's (pytest's own when it is pytest that fails).
set -euo pipefail
# shellcheck source=scripts/with-services.sh
source "$(dirname "${BASH_SOURCE[0]}")/with-services.sh"

cd "$REPO_ROOT"
ensure_venv
ensure_node_modules
activate_venv

trap services_down EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
services_up

log "ruff check"
ruff check .
log "lint-imports (architecture contracts)"
lint-imports
log "mypy (types)"
mypy .
log "makemigrations --check"
python manage.py makemigrations --check --dry-run
log "manage.py check"
python manage.py check
log "pytest $*"
# A test skipped for want of PostgreSQL, Redis or a worker fails the run here (tests/conftest.py).
export INSIGHT_TEST_SERVICES_REQUIRED=1
start="$(now)"
set +e
pytest -p no:cacheprovider "$@"
rc=$?
set -e
log "pytest finished in $(since "$start") with exit code $rc"
exit "$rc"
