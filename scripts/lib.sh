# shellcheck shell=bash
# Shared helpers for the scripts in this folder. Source it; it does nothing on its own.
#
# Environment knobs (all optional):
#   PYTHON   interpreter used to create .venv (default: python3.11, else python3)
#   VENV     virtualenv folder (default: .venv in the repository root)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$REPO_ROOT/.venv}"

log() { if [[ -t 2 ]]; then printf '\033[1m==> %s\033[0m\n' "$*" >&2; else printf '==> %s\n' "$*" >&2; fi; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# Seconds since the epoch with millisecond precision, and "N.Ns" since a start time.
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1fs", e - s }'; }

# apt-get install as root on Debian; otherwise say what to run.
apt_install() {
    (($# > 0)) || return 0
    if ! is_root; then
        die "missing system packages: $*. Install them with: sudo apt-get install -y --no-install-recommends $*"
    fi
    command -v apt-get >/dev/null || die "missing system packages ($*) and no apt-get to install them"
    log "Installing system packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@"
}

# The system libraries WeasyPrint (the Summary PDF) loads at run time, and a font for it: Debian's
# pango (with its fontconfig/FreeType backend) and DejaVu. Installed when missing (root, Debian).
ensure_pdf_system_packages() {
    local missing=()
    if command -v ldconfig >/dev/null; then
        ldconfig -p | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
        ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
    fi
    [[ -d /usr/share/fonts/truetype/dejavu ]] || missing+=(fonts-dejavu-core)
    apt_install "${missing[@]}"
}

pick_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        echo "$PYTHON"
    elif command -v python3.11 >/dev/null; then
        echo python3.11
    else
        echo python3
    fi
}

# Serialise set-up between concurrent runs on one checkout (two pip installs into one venv clash).
# Usage: _lock_setup; ...; _unlock_setup
_lock_setup() {
    command -v flock >/dev/null || return 0
    local lockfile
    lockfile="${TMPDIR:-/tmp}/insight-setup-$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12).lock"
    exec 9>"$lockfile"
    flock 9
}
_unlock_setup() { exec 9>&-; }

# .venv from pyproject.toml, reinstalled only when pyproject.toml (or the interpreter) changed.
ensure_venv() {
    local python stamp key
    _lock_setup
    python="$(pick_python)"
    command -v "$python" >/dev/null || apt_install python3 python3-venv
    if [[ ! -x "$VENV/bin/python" ]]; then
        if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
            apt_install python3-venv
        fi
        log "Creating $VENV with $("$python" --version 2>&1)"
        "$python" -m venv "$VENV"
    fi
    stamp="$VENV/.pyproject.stamp"
    key="$(cat "$REPO_ROOT/pyproject.toml" <("$VENV/bin/python" --version 2>&1) | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then
        _unlock_setup
        return 0
    fi
    log "Installing the project into $VENV (pyproject.toml changed or new venv)"
    local start
    start="$(now)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "${REPO_ROOT}[dev]"
    echo "$key" >"$stamp"
    log "Python packages ready in $(since "$start")"
    _unlock_setup
}

# node_modules from package-lock.json with `npm ci`, redone only when the lock file changed.
ensure_node_modules() {
    local stamp key
    _lock_setup
    command -v npm >/dev/null || apt_install nodejs npm
    stamp="$REPO_ROOT/node_modules/.package-lock.stamp"
    key="$(sha256sum "$REPO_ROOT/package-lock.json" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$key" ]]; then
        _unlock_setup
        return 0
    fi
    log "Installing front-end packages (npm ci)"
    (cd "$REPO_ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    echo "$key" >"$stamp"
    _unlock_setup
}

# Put the venv first on PATH so ruff, lint-imports, pytest, celery... resolve to it.
activate_venv() {
    export VIRTUAL_ENV="$VENV"
    export PATH="$VENV/bin:$PATH"
}
