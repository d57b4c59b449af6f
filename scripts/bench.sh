#!/usr/bin/env bash
# `make bench`: every bench/*.py script, one after another, against the throwaway PostgreSQL and
# Redis that scripts/with-services.sh provides (run it through that script, as the Makefile does).
# The database is migrated first. Scripts may write results under $BENCH_OUTPUT_DIR (bench/out,
# git-ignored). Exits non-zero when any script failed, after running them all.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$REPO_ROOT"
activate_venv
[[ -n "${DATABASE_URL:-}" ]] || die "run me through scripts/with-services.sh (or set DATABASE_URL)"

shopt -s nullglob
scripts=(bench/*.py)
if ((${#scripts[@]} == 0)); then
    log "No bench/*.py scripts yet: nothing to run"
    exit 0
fi

export BENCH_OUTPUT_DIR="${BENCH_OUTPUT_DIR:-$REPO_ROOT/bench/out}"
mkdir -p "$BENCH_OUTPUT_DIR"
log "migrate"
python manage.py migrate --noinput -v 0

failed=()
for script in "${scripts[@]}"; do
    log "$script"
    start="$(now)"
    if python "$script"; then
        log "$script finished in $(since "$start")"
    else
        warn "$script failed (exit $?) after $(since "$start")"
        failed+=("$script")
    fi
done
if ((${#failed[@]})); then
    die "failed: ${failed[*]}"
fi
log "All ${#scripts[@]} benchmark scripts passed; output in $BENCH_OUTPUT_DIR"
