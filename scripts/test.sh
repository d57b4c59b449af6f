#!/usr/bin/env bash
# `make test`: the whole gate, as CI runs it.
#
#   scripts/test.sh [PYTEST ARGS...]
#
# 1. system packages (PostgreSQL, Redis, Chromium) when missing, .venv and node_modules when stale;
# 2. throwaway PostgreSQL and Redis on spare loopback ports (scripts/with-services.sh), removed on
#    exit whatever happens;
# 3. in order, stopping at the first failure: ruff, import-linter contracts, mypy, no missing
#    migrations, Django system checks, then the whole pytest suite against the real PostgreSQL and Redis,
#    in two passes: every test but the ``faults`` ones on PYTEST_WORKERS parallel pytest-xdist workers
#    (default 2: the CI machine's cores), then the ``faults`` tests alone (--faults-pass), since they
#    stop Redis and kill PostgreSQL backends under whatever else is running. PYTEST ARGS go to both
#    passes; a pass left with no test to run (pytest's exit code 5) is no failure unless both are.
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
workers="${PYTEST_WORKERS:-2}"
start="$(now)"
set +e
pytest -p no:cacheprovider -n "$workers" --dist loadgroup "$@"
rc=$?
set -e
log "pytest parallel pass (-n $workers) finished in $(since "$start") with exit code $rc"
if ((rc != 0 && rc != 5)); then
    exit "$rc"
fi
log "pytest --faults-pass $* (the tests that stop services, alone)"
faults_start="$(now)"
set +e
pytest -p no:cacheprovider --faults-pass "$@"
faults_rc=$?
set -e
log "pytest faults pass finished in $(since "$faults_start") with exit code $faults_rc"
if ((faults_rc == 5 && rc == 0)) || ((faults_rc == 0 && rc == 5)); then
    faults_rc=0 # one of the two passes had nothing to run (e.g. PYTEST_ARGS=tests/faults)
fi
log "pytest finished in $(since "$start") with exit code $faults_rc"
exit "$faults_rc"
