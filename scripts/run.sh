#!/usr/bin/env bash
# `make run`: set up (venv, npm packages), migrate, load demo data into an empty database (on the
# real schools of the reference data folder when it is there), run the benchmarks when that command
# exists, then serve on http://127.0.0.1:8000.
#
# Uses the embedded default (SQLite file db.sqlite3, Celery tasks in-process) unless DATABASE_URL
# and/or CELERY_BROKER_URL are set in the environment (or in .env, see .env.example).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
ensure_venv
ensure_node_modules
activate_venv

has_command() { python manage.py help "$1" >/dev/null 2>&1; }

log "migrate"
python manage.py migrate --noinput

# Published reference data (SIMD by data zone) from REFERENCE_DATA_DIR (default ../shared/data):
# learner files with data zones and no deciles then import. Says so when the folder is absent.
log "load_reference_data (SIMD from the reference data folder, when present)"
python manage.py load_reference_data || warn "reference data not loaded (see above)"

set +e
python manage.py shell --no-imports -c \
    "import sys; from datahub.models import Establishment; sys.exit(0 if Establishment.objects.exists() else 3)"
rc=$?
set -e
if ((rc == 0)); then
    log "Establishments already present: keeping the existing data"
elif ((rc != 3)); then
    die "could not count establishments (exit $rc)"
elif has_command generate_demo_data; then
    # On the real secondary schools of the published list when REFERENCE_DATA_DIR has it (pupils
    # and outcomes synthetic); otherwise the command says so and builds the fictional world.
    log "Empty database: loading demo data (the logins below are for local use only)"
    python manage.py generate_demo_data --scale demo --seed 42 --real-schools
else
    warn "no generate_demo_data command yet: starting with an empty database"
fi

if has_command run_benchmarks; then
    log "run_benchmarks --publish (the demo's figures, published so every page shows them)"
    python manage.py run_benchmarks --publish --note "Demo figures computed by make run." ||
        warn "run_benchmarks failed (see above): serving anyway, dashboards may be empty"
fi

log "Serving on http://127.0.0.1:8000 (Ctrl-C stops)"
exec python manage.py runserver 127.0.0.1:8000
