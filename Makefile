# One entry point for every task. The README and .ci/run use these very targets.
#
#   make course      open the course in JupyterLab (PORT=8888 BROWSER_OPEN=auto|yes|no)
#   make test        bootstrap and run every test (lint, drift, coursekit, lessons, grader)
#   make test-fast   the quick tests only (no notebook execution, no nbgrader runs)
#   make test-e2e    browser tests: the course in JupyterLab, driven in headless Chromium

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
BROWSER_OPEN ?= auto
JOBS   ?= auto
PYTEST_ARGS ?=

.PHONY: course instructor test test-fast test-e2e lint format generate check-drift normalise execute-lessons lock clean

# Reinstall only when the dependency files change (make compares the stamp's date with theirs).
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required, found " + sys.version.split()[0] + ": set PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

course: $(STAMP)
	$(BIN)/coursekit lab --port $(PORT) --browser $(BROWSER_OPEN)

instructor: $(STAMP)
	$(BIN)/coursekit lab --port $(PORT) --browser $(BROWSER_OPEN) --folder .

# The class-grading tests start their own PostgreSQL server and Dask cluster: install what they need first.
test: $(STAMP) lint
	PYTHON=$(BIN)/python bash tests/classgrade/install_services.sh
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# Browser tests (installs Debian's chromium and the Playwright package when missing).
test-e2e: $(STAMP)
	VENV=$(VENV) tests/e2e/install.sh
	COURSEKIT_E2E=1 $(BIN)/python -m pytest tests/e2e -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/coursekit normalise --check

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/coursekit normalise

generate: $(STAMP)
	$(BIN)/coursekit generate

check-drift: $(STAMP)
	$(BIN)/coursekit generate --check

normalise: $(STAMP)
	$(BIN)/coursekit normalise

# Refresh the outputs that the lesson notebooks ship with, then regenerate notebooks/.
execute-lessons: $(STAMP)
	$(BIN)/python -m coursekit.lessons
	$(BIN)/coursekit generate

# Record the exact versions installed now, so next term installs the same ones.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable --exclude coursekit > constraints.txt

clean:
	rm -rf $(VENV) .ruff_cache .pytest_cache
