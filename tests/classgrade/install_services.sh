#!/usr/bin/env bash
# What the class-grading tests (tests/classgrade) need beyond the kit's own install, on a Debian machine:
#   * PostgreSQL's server binaries (Debian's `postgresql` package).  The tests start their own throwaway
#     server from /usr/lib/postgresql/*/bin on 127.0.0.1, in a temporary folder, as the `postgres` user
#     when they run as root; they never use the system's cluster.
#   * bubblewrap (Debian's `bubblewrap` package, /usr/bin/bwrap): `coursekit grade` runs every kernel in
#     its sandbox by default.
#   * the `grading` extra's Python packages (psycopg, Dask distributed) in the virtualenv, when missing.
# Installs nothing that is already there, so it is cheap to call before every test run:
#   bash tests/classgrade/install_services.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"

MISSING=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || MISSING+=(postgresql)
command -v bwrap >/dev/null || MISSING+=(bubblewrap)
if [ "${#MISSING[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${MISSING[@]}" >/dev/null
fi
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || { echo "PostgreSQL was not installed" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "bubblewrap (bwrap) was not installed" >&2; exit 1; }

if [ -x "$PYTHON" ] && ! "$PYTHON" -c "import psycopg, distributed" 2>/dev/null; then
  # The version ranges are the "grading" extra of pyproject.toml; constraints.txt pins the exact versions.
  "$PYTHON" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[grading]'
fi
