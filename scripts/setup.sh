#!/usr/bin/env bash
# Create or refresh the development environment: .venv (from pyproject.toml) and node_modules
# (from package-lock.json). Cheap when nothing changed: both steps are keyed on file hashes.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_pdf_system_packages
ensure_venv
ensure_node_modules
