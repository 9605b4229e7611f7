"""Browser tests: the course in JupyterLab, driven in headless Chromium (run them with `make test-e2e`).

They only run when asked for with COURSEKIT_E2E=1, so the main test command needs no browser. Once asked
for, a missing browser or Playwright is an error, never a skip.

Each session works on a throwaway copy of the course, serves it with the kit's own `coursekit lab`
(a learner server on notebooks/, an instructor server on the course root for the formgrader), and stops
every server, kernel and browser process it started, also when a test fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

OPTED_IN = os.environ.get("COURSEKIT_E2E") == "1"

if not OPTED_IN:
    collect_ignore_glob = ["test_*.py"]


def pytest_report_header(config: pytest.Config) -> str:
    if OPTED_IN:
        return "browser tests (tests/e2e): selected"
    return "browser tests (tests/e2e): not selected (run `make test-e2e`, or set COURSEKIT_E2E=1)"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so a fixture can tell whether its test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --------------------------------------------------------------------------------------------------
# session: requirements, throwaway folder, course copy, servers, browser


@pytest.fixture(scope="session")
def e2e_support():
    """The support module; every test errors with one clear message when Chromium or Playwright is missing."""
    import e2e_support as support

    problems = []
    if not (support.CHROMIUM.is_file() and os.access(support.CHROMIUM, os.X_OK)):
        problems.append(f"no Chromium at {support.CHROMIUM}")
    if importlib.util.find_spec("playwright") is None:
        problems.append("the Python package playwright is not installed in this environment")
    if problems:
        pytest.fail(
            "browser tests were asked for (COURSEKIT_E2E=1) but cannot run: "
            + "; ".join(problems)
            + ". Install them with tests/e2e/install.sh (make test-e2e does).",
            pytrace=False,
        )
    return support


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def e2e_root(e2e_support, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's throwaway folder. At the end, no process that mentions it may be left running.

    Everything the session starts carries this path (servers and kernels in their Jupyter folders,
    the Playwright driver and Chromium in COURSEKIT_E2E_RUN), so leftovers are found by it.
    """
    root = tmp_path_factory.mktemp("coursekit-e2e")
    previous = os.environ.get("COURSEKIT_E2E_RUN")
    os.environ["COURSEKIT_E2E_RUN"] = str(root)
    # A CI timeout ends the run with SIGTERM: turn it into an interruption, so that every fixture's
    # clean-up (servers, kernels, browser) still runs, as it does after Ctrl+C.
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
    shots = e2e_support.SCREENSHOTS
    if shots.is_dir():
        shutil.rmtree(shots)  # only this run's screenshots, so none is mistaken for a fresh one
    shots.mkdir(parents=True)
    try:
        yield root
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        if previous is None:
            os.environ.pop("COURSEKIT_E2E_RUN", None)
        else:
            os.environ["COURSEKIT_E2E_RUN"] = previous
        # Servers and browser are stopped by now (their fixtures depend on this one).
        deadline = time.monotonic() + 15
        left = e2e_support.processes_mentioning(str(root))
        while left and time.monotonic() < deadline:
            time.sleep(0.25)  # kernels exit a moment after their server
            left = e2e_support.processes_mentioning(str(root))
        if left:
            e2e_support.end_processes([pid for pid, _ in left])
            listing = "\n".join(f"  {pid} {cmd}" for pid, cmd in left)
            pytest.fail(
                f"processes left running after the browser tests (now ended):\n{listing}", pytrace=False
            )


@pytest.fixture(scope="session")
def course(e2e_support, e2e_root: Path) -> Path:
    """A copy of the course (config, solutions/, notebooks/): the tests never touch the repository."""
    source = e2e_support.course_source()
    missing = [p for p in ("nbgrader_config.py", "solutions", "notebooks") if not (source / p).exists()]
    if missing:
        pytest.fail(f"{source} is not a complete course: missing {', '.join(missing)}", pytrace=False)
    return e2e_support.copy_course(source, e2e_root / "course")


@pytest.fixture(scope="session")
def running_servers() -> list:
    """The servers this session started (so each test can end the kernels its page started)."""
    return []


def _serve(e2e_support, course: Path, folder: str, state: Path, running: list) -> Iterator:
    server = e2e_support.LabServer(course=course, folder=folder, state=state)
    try:
        running.append(server.start())
        yield server
    finally:
        if server in running:
            running.remove(server)
        server.stop()


@pytest.fixture(autouse=True)
def _end_kernels_after_each_test(running_servers: list) -> Iterator[None]:
    """After each test (its page closed), shut down the kernels it started: none pile up."""
    yield
    for server in running_servers:
        server.end_sessions()


@pytest.fixture(scope="session")
def learner_server(e2e_support, e2e_root: Path, course: Path, running_servers: list):
    """`coursekit lab` as a learner starts it (`make course`): JupyterLab shows notebooks/."""
    yield from _serve(e2e_support, course, "notebooks", e2e_root / "learner", running_servers)


@pytest.fixture(scope="session")
def instructor_server(e2e_support, e2e_root: Path, course: Path, running_servers: list):
    """`coursekit lab --folder .` (`make instructor`): the course root, where the formgrader works."""
    yield from _serve(e2e_support, course, ".", e2e_root / "instructor", running_servers)


@pytest.fixture(scope="session")
def browser(e2e_support, e2e_root: Path):
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    # Chromium's own files (crash reports, caches) go to the throwaway folder, not the user's home.
    home = e2e_root / "browser"
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(e2e_support.CHROMIUM), args=e2e_support.CHROMIUM_ARGS, headless=True, env=env
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


# --------------------------------------------------------------------------------------------------
# per test: a fresh page and a screenshot helper


@pytest.fixture
def page(e2e_support, browser, request: pytest.FixtureRequest):
    """A fresh browser context and page; on failure a last screenshot is saved before it closes."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(e2e_support.UI_TIMEOUT_MS)
        yield page
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            with contextlib.suppress(Exception):  # the page may be the thing that broke
                page.screenshot(path=str(_shot_dir(e2e_support, request) / "FAILED.png"), full_page=True)
    finally:
        context.close()


def _shot_dir(e2e_support, request: pytest.FixtureRequest) -> Path:
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
    folder = e2e_support.SCREENSHOTS / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shot(e2e_support, page, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`shot("step")` saves a screenshot of the page as screenshots/<test>/<NN>-<step>.png."""
    counter = iter(range(1, 100))

    def take(step: str, *, full_page: bool = False) -> Path:
        path = _shot_dir(e2e_support, request) / f"{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
