#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on spare loopback ports, for tests and benchmarks.
#
#   scripts/with-services.sh COMMAND [ARGS...]
#       starts both servers, exports their URLs, runs COMMAND, always stops them and removes
#       their data, and exits with COMMAND's exit code.
#   source scripts/with-services.sh
#       only defines services_up / services_down (scripts/test.sh uses it this way).
#
# Exported while COMMAND runs:
#   DATABASE_URL=postgres://insight@127.0.0.1:PORT/insight_test   (superuser, trust auth, loopback only)
#   CELERY_BROKER_URL=redis://127.0.0.1:PORT/0   REDIS_URL=redis://127.0.0.1:PORT/1
#       (64 Redis databases: each parallel pytest worker moves to two of its own, see settings.py)
#   DJANGO_ENV=test   DJANGO_ALLOW_ASYNC_UNSAFE=true   PLAYWRIGHT_CHROMIUM=<path of chromium>
#
# Knobs: TEST_PG_PORT (default 55432) and TEST_REDIS_PORT (default 56379) are where the search for
# a free port starts; the next free one is taken, so two runs on one machine do not collide.
# KEEP_SERVICES_LOG=1 prints the server logs on teardown.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

_SVC_DIR=""
_SVC_PG_BIN=""
_SVC_PG_USER=""
_SVC_PG_STARTED=""
_SVC_REDIS_PORT=""
_SVC_REDIS_PID=""

# Directory holding initdb/pg_ctl: from PATH, else Debian's newest /usr/lib/postgresql/N/bin.
_pg_bin_dir() {
    local found
    if found="$(command -v pg_ctl)" && [[ -x "$(dirname "$(readlink -f "$found")")/initdb" ]]; then
        dirname "$(readlink -f "$found")"
        return 0
    fi
    found="$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$found" ]] && dirname "$found"
}

# Install PostgreSQL, Redis and Chromium when any is missing, and WeasyPrint's libraries (needs root; Debian).
ensure_test_system_packages() {
    local missing=()
    [[ -n "$(_pg_bin_dir)" ]] || missing+=(postgresql)
    command -v redis-server >/dev/null || missing+=(redis-server)
    command -v chromium >/dev/null || missing+=(chromium)
    apt_install "${missing[@]}"
    ensure_pdf_system_packages
}

# First port >= $1 that nothing on 127.0.0.1 is bound to.
_free_port() {
    "$(pick_python)" - "$1" <<'PY'
import socket, sys
start = int(sys.argv[1])
for port in range(start, start + 200):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no obstacle, a listener is
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
else:
    sys.exit(f"no free port in {start}..{start + 199}")
PY
}

# True while PID runs (a zombie waiting for init to reap it counts as gone).
_alive() {
    local state
    state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z* ]]
}

# Run a PostgreSQL binary as the unprivileged server user (initdb/postgres refuse root).
_as_pg() {
    if is_root; then
        runuser -u "$_SVC_PG_USER" -- "$@"
    else
        "$@"
    fi
}

_start_postgres() {
    local port pgdata
    _SVC_PG_BIN="$(_pg_bin_dir)" || die "PostgreSQL server binaries not found"
    if is_root; then
        if id postgres >/dev/null 2>&1; then
            _SVC_PG_USER=postgres
        else
            id insighttest >/dev/null 2>&1 ||
                useradd --system --no-create-home --shell /usr/sbin/nologin insighttest
            _SVC_PG_USER=insighttest
        fi
    fi
    mkdir -p "$_SVC_DIR/pg"
    [[ -z "$_SVC_PG_USER" ]] || chown "$_SVC_PG_USER" "$_SVC_DIR/pg"
    pgdata="$_SVC_DIR/pg/data"
    _as_pg "$_SVC_PG_BIN/initdb" -D "$pgdata" -U insight --auth=trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$_SVC_DIR/pg/initdb.log" 2>&1 ||
        { cat "$_SVC_DIR/pg/initdb.log" >&2; die "initdb failed"; }
    port="$(_free_port "${TEST_PG_PORT:-55432}")"
    _SVC_PG_STARTED=1 # before start: a half-started server is stopped too
    if ! _as_pg "$_SVC_PG_BIN/pg_ctl" -D "$pgdata" -l "$_SVC_DIR/pg/server.log" -w -t 60 -s \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$_SVC_DIR/pg" \
        -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
        start; then
        cat "$_SVC_DIR/pg/server.log" >&2
        die "PostgreSQL did not start"
    fi
    "$_SVC_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U insight insight_test
    export DATABASE_URL="postgres://insight@127.0.0.1:$port/insight_test"
}

_start_redis() {
    local port
    mkdir -p "$_SVC_DIR/redis"
    port="$(_free_port "${TEST_REDIS_PORT:-56379}")"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --databases 64 --daemonize yes \
        --dir "$_SVC_DIR/redis" --pidfile "$_SVC_DIR/redis/redis.pid" \
        --logfile "$_SVC_DIR/redis/redis.log"
    _SVC_REDIS_PORT="$port"
    for _ in $(seq 100); do
        if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG && \
              -s "$_SVC_DIR/redis/redis.pid" ]]; then
            _SVC_REDIS_PID="$(cat "$_SVC_DIR/redis/redis.pid")"
            export CELERY_BROKER_URL="redis://127.0.0.1:$port/0"
            export REDIS_URL="redis://127.0.0.1:$port/1"
            return 0
        fi
        sleep 0.1
    done
    cat "$_SVC_DIR/redis/redis.log" >&2
    die "Redis did not start"
}

services_up() {
    local start
    start="$(now)"
    ensure_test_system_packages
    _SVC_DIR="$(mktemp -d "${TMPDIR:-/tmp}/insight-services.XXXXXX")"
    chmod 711 "$_SVC_DIR" # the PostgreSQL user must reach its own subfolder
    _start_postgres
    _start_redis
    export DJANGO_ENV=test
    export DJANGO_ALLOW_ASYNC_UNSAFE=true
    PLAYWRIGHT_CHROMIUM="$(command -v chromium || true)"
    export PLAYWRIGHT_CHROMIUM
    log "Services up in $(since "$start"): $DATABASE_URL, $CELERY_BROKER_URL"
}

# Idempotent and never fails: safe from an EXIT trap, keeps the caller's exit status.
services_down() {
    local - start pid pgdata
    set +e
    [[ -n "$_SVC_DIR" ]] || return 0
    start="$(now)"
    if [[ -n "$_SVC_REDIS_PORT" ]]; then
        pid="${_SVC_REDIS_PID:-$(cat "$_SVC_DIR/redis/redis.pid" 2>/dev/null)}"
        redis-cli -h 127.0.0.1 -p "$_SVC_REDIS_PORT" shutdown nosave >/dev/null 2>&1 ||
            { [[ -z "$pid" ]] || kill "$pid" 2>/dev/null; }
        if [[ -n "$pid" ]]; then
            for _ in $(seq 50); do
                _alive "$pid" || break
                sleep 0.1
            done
            ! _alive "$pid" || kill -9 "$pid" 2>/dev/null
        fi
        _SVC_REDIS_PORT=""
    fi
    pgdata="$_SVC_DIR/pg/data"
    if [[ -n "$_SVC_PG_STARTED" && -f "$pgdata/postmaster.pid" ]]; then
        # immediate: no shutdown checkpoint, the data is thrown away next anyway
        _as_pg "$_SVC_PG_BIN/pg_ctl" -D "$pgdata" -m immediate -w -t 30 -s stop
    fi
    _SVC_PG_STARTED=""
    if [[ -n "${KEEP_SERVICES_LOG:-}" ]]; then
        tail -n 50 "$_SVC_DIR"/pg/server.log "$_SVC_DIR"/redis/redis.log >&2
    fi
    rm -rf "$_SVC_DIR"
    _SVC_DIR=""
    log "Services stopped and removed in $(since "$start")"
    return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    (($# > 0)) || die "usage: $0 COMMAND [ARGS...]"
    trap services_down EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    services_up
    set +e
    "$@"
    rc=$?
    set -e
    exit "$rc"
fi
