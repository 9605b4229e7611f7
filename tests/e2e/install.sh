#!/usr/bin/env bash
# What the browser tests need, installed only when missing (safe to run again):
#   - Debian's Chromium, at /usr/bin/chromium (Playwright drives it; no browser is downloaded);
#   - the Playwright package for Python, in the project's virtual environment.
# Usage: tests/e2e/install.sh   (VENV=.venv and COURSEKIT_E2E_CHROMIUM=/usr/bin/chromium by default)
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV="${VENV:-.venv}"
CHROMIUM="${COURSEKIT_E2E_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        as_root=()
    elif command -v sudo >/dev/null; then
        as_root=(sudo)
    else
        echo "install.sh: $CHROMIUM is missing; install Debian's chromium package as root" >&2
        exit 1
    fi
    echo "installing Debian's chromium (once)..."
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version >/dev/null 2>&1 || { echo "install.sh: $CHROMIUM does not run" >&2; exit 1; }

# The version range is the "e2e" extra of pyproject.toml; constraints.txt pins the exact version.
if ! "$VENV/bin/python" -c "import playwright" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[e2e]'
fi
