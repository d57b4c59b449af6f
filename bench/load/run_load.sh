#!/usr/bin/env bash
# Load test (issue 16, item 4): `make load`, or bash bench/load/run_load.sh [SECONDS] [USERS] [MAX_REQUESTS]
#
# Sets up throwaway PostgreSQL + Redis (scripts/with-services.sh), the national demo data set and a
# benchmark run (bench/load/prepare.py), then starts on loopback: gunicorn (2 workers, 4 threads
# each, DEBUG off, persistent connections as in production), one Celery worker (benchmarking and
# default queues) and locust headless (bench/load/locustfile.py) with USERS users (default 50) for
# SECONDS (default 300), stopped early after MAX_REQUESTS requests (default 100000). During the
# test a benchmark run is started (30 s in) and the data manager uploads a 100,000-row import.
# Prints requests per second, median and p95 per page, errors, the load average, and whether the
# run and the import finished; output (locust CSVs, logs) in bench/out/load/. Exits non-zero when
# a request failed, the run or the import did not succeed, or a page's p95 is 500 ms or more.
set -euo pipefail
# shellcheck source=scripts/with-services.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/with-services.sh"
cd "$REPO_ROOT"
activate_venv

SECONDS_TOTAL="${1:-300}"
USERS="${2:-50}"
MAX_REQUESTS="${3:-100000}"
OUT="${BENCH_OUTPUT_DIR:-$REPO_ROOT/bench/out}/load"
rm -rf "$OUT"
mkdir -p "$OUT"

PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
    sleep 2
    for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    services_down
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
services_up

export DJANGO_DEBUG=false CELERY_TASK_ALWAYS_EAGER=false DATABASE_CONN_MAX_AGE=60 MEDIA_ROOT="$OUT/media"
log "migrate"
python manage.py migrate --noinput -v 0
log "national data set, a benchmark run, fixtures and the 100,000-row import file"
python bench/load/prepare.py "$OUT"

PORT="$(_free_port 8160)"
log "gunicorn on 127.0.0.1:$PORT, a Celery worker"
# --keep-alive 10: locust's users reuse their connection after waiting 1-4 s between pages, as a
# browser or a load balancer does; with gunicorn's default of 2 s the server closes an idle
# connection just as the client sends on it, and the request fails with no status (the two or three
# "0" errors of earlier runs). Behind a load balancer, set it above the balancer's idle timeout.
setsid gunicorn insight.config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
    --worker-class gthread --timeout 120 --keep-alive 10 --access-logfile /dev/null \
    --error-logfile "$OUT/gunicorn.log" &
PIDS+=($!)
setsid celery -A insight.config worker -Q benchmarking,default -P solo -c 1 -n "load@%h" --without-mingle \
    --without-gossip --loglevel WARNING >"$OUT/celery.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz/" >/dev/null 2>&1 && break
    sleep 0.3
done

# A benchmark run 30 s into the test, by the same command an operator uses.
(sleep 30 && python manage.py run_benchmarks >"$OUT/run_benchmarks.log" 2>&1) &
PIDS+=($!)

log "locust: $USERS users for ${SECONDS_TOTAL}s (at most $MAX_REQUESTS requests); load average $(cut -d' ' -f1-3 /proc/loadavg)"
start_load="$(cut -d' ' -f1-3 /proc/loadavg)"
set +e
LOAD_FIXTURES="$OUT/fixtures.json" LOAD_MAX_REQUESTS="$MAX_REQUESTS" locust -f bench/load/locustfile.py --headless \
    --host "http://127.0.0.1:$PORT" -u "$USERS" -r 5 --run-time "${SECONDS_TOTAL}s" --stop-timeout 10 \
    --csv "$OUT/locust" --only-summary --loglevel WARNING >"$OUT/locust.log" 2>&1
set -e
end_load="$(cut -d' ' -f1-3 /proc/loadavg)"

log "waiting (at most 5 minutes) for the benchmark run and the import to finish"
python bench/load/summary.py "$OUT" "$start_load" "$end_load"
