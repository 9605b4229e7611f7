"""Support for the browser tests: a throwaway course copy, the kit's own JupyterLab server, page helpers.

Nothing here touches the repository: the server runs on a copy of the course in a temporary folder,
with its own runtime, config, data and settings folders, so no state leaks in or out.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("COURSEKIT_E2E_CHROMIUM", "/usr/bin/chromium"))
# Flags headless Chromium needs on a machine with a closed network and no GPU (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# Generous, state-based limits: two shared cores, notebooks running next door.
SERVER_START_TIMEOUT = 180.0  # seconds
SERVER_STOP_TIMEOUT = 30.0
UI_TIMEOUT_MS = 90_000  # one page state (JupyterLab loaded, a dialog shown, a kernel idle)
RUN_ALL_TIMEOUT_MS = 600_000  # a whole lesson, cell by cell (nbgrader allows 60 s per cell)
VALIDATE_TIMEOUT_MS = 600_000  # nbgrader runs the notebook in a fresh kernel


def course_source() -> Path:
    """The course to test: the repository, or another course root named by COURSEKIT_E2E_COURSE."""
    return Path(os.environ.get("COURSEKIT_E2E_COURSE", REPO_ROOT)).resolve()


def copy_course(src: Path, dst: Path) -> Path:
    """Copy what a course needs to run (config, sources, student notebooks) into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "nbgrader_config.py", dst / "nbgrader_config.py")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("solutions", "notebooks"):
        shutil.copytree(src / folder, dst / folder, ignore=ignore)
    return dst


def lesson_notebooks(course: Path) -> list[Path]:
    """The lesson notebooks in course order, relative to ``notebooks/``."""
    folder = course / "notebooks" / "01_lessons"
    return (
        sorted(p.relative_to(course / "notebooks") for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    )


def graded_notebooks(course: Path) -> list[Path]:
    """Student notebooks with answer cells (exercises, quiz, projects), relative to notebooks/."""
    release = course / "notebooks"
    found = []
    for path in sorted(release.glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(c.get("metadata", {}).get("nbgrader", {}).get("solution") for c in nb.cells):
            found.append(path.relative_to(release))
    return found


def numbered_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that start with a digit (the course's numbered folders or notebooks), sorted."""
    return sorted(p.name for p in folder.iterdir() if p.name[:1].isdigit() and not p.name.startswith("."))


def assignment_folders(course: Path) -> list[str]:
    """Assignment folders of ``solutions/`` (what the formgrader lists), sorted."""
    source = course / "solutions"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


# --------------------------------------------------------------------------------------------------
# answers, taken from the instructor's version


def _strip_solution_markers(source: str) -> str:
    """The source of a solution cell as a learner would write it: the marker lines removed."""
    kept = [
        line for line in source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    ]
    return "\n".join(kept)


def answers_for(student_nb: Path, source_nb: Path) -> dict[str, str]:
    """For every answer cell of the student notebook (by grade_id), the instructor's answer."""
    student = nbformat.read(student_nb, as_version=4)
    source = nbformat.read(source_nb, as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }
    answers = {}
    for cell in student.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            answers[meta["grade_id"]] = _strip_solution_markers(solutions[meta["grade_id"]])
    return answers


def answer_cell_indexes(student_nb: Path) -> dict[str, int]:
    """Position (among all cells) of every answer code cell, by grade_id."""
    nb = nbformat.read(student_nb, as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


# --------------------------------------------------------------------------------------------------
# the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LabServer:
    """``coursekit lab`` on a course copy, on loopback, with a token and throwaway Jupyter folders."""

    course: Path  # the course root (cwd of the server: nbgrader_config.py is found there)
    folder: str  # what the server shows, relative to the course root ("notebooks" or ".")
    state: Path  # throwaway folder for runtime, config, data, settings and the log
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    port: int = 0
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{sep}token={self.token}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for var in (
            "JUPYTER_PATH",
            "JUPYTER_CONFIG_PATH",
            "JUPYTER_PREFER_ENV_PATH",
            "DISPLAY",
            "WAYLAND_DISPLAY",
        ):
            env.pop(var, None)
        env.update(
            PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            JUPYTER_TOKEN=self.token,
            JUPYTER_RUNTIME_DIR=str(self.state / "runtime"),
            JUPYTER_CONFIG_DIR=str(self.state / "config"),
            JUPYTER_DATA_DIR=str(self.state / "data"),
            JUPYTERLAB_SETTINGS_DIR=str(self.state / "lab" / "user-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state / "lab" / "workspaces"),
            IPYTHONDIR=str(self.state / "ipython"),
            # Lesson sandboxes and every other temporary file of the kernels stay in the throwaway folder.
            TMPDIR=str(self.state / "tmp"),
            PYTHONDONTWRITEBYTECODE="1",
        )
        return env

    def _write_settings(self) -> None:
        """No news prompt, no update check: nothing that pops up over the page or calls out."""
        if os.geteuid() == 0:
            # CI containers run as root, which jupyter_server refuses unless told otherwise.
            config = self.state / "config"
            config.mkdir(parents=True, exist_ok=True)
            (config / "jupyter_server_config.json").write_text(
                json.dumps({"ServerApp": {"allow_root": True}})
            )
        settings = self.state / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        # Every cell in the page, also those scrolled out of view, so the tests can read all prompts.
        notebook = self.state / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        notebook.mkdir(parents=True, exist_ok=True)
        (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))

    def start(self) -> LabServer:
        (self.state / "tmp").mkdir(parents=True, exist_ok=True)
        self._write_settings()
        self.port = _free_port()
        self.log_path = self.state / "server.log"
        options = ["--port", str(self.port), "--ip", "127.0.0.1", "--browser", "no", "--folder", self.folder]
        cmd = [str(VENV_BIN / "coursekit"), "lab", *options]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.course,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as a whole
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _server_info(self) -> dict | None:
        for info_file in sorted((self.state / "runtime").glob("jpserver-*.json")):
            with contextlib.suppress(OSError, ValueError):
                return json.loads(info_file.read_text())
        return None

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        delay = 0.1
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            info = self._server_info()
            if info:
                self.port = int(info["port"])  # the server may have moved to another port
                request = urllib.request.Request(
                    f"{self.base_url}/api/status", headers={"Authorization": f"token {self.token}"}
                )
                with (
                    contextlib.suppress(OSError, urllib.error.URLError),
                    urllib.request.urlopen(request, timeout=10) as response,
                ):
                    if response.status == 200:
                        return
            time.sleep(delay)  # polling interval while the server starts, not a wait for a result
            delay = min(delay * 2, 1.0)
        raise TimeoutError(f"JupyterLab not ready after {SERVER_START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def _api(self, method: str, path: str):
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else None

    def end_sessions(self) -> None:
        """Shut down every kernel the pages started (each test leaves the server as it found it)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for session in self._api("GET", "sessions"):
            with contextlib.suppress(urllib.error.HTTPError):
                self._api("DELETE", f"sessions/{session['id']}")
        for kernel in self._api("GET", "kernels"):
            with contextlib.suppress(urllib.error.HTTPError):
                self._api("DELETE", f"kernels/{kernel['id']}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(no server log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the server's process group (it shuts its kernels down), SIGKILL if it hangs."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=SERVER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=SERVER_STOP_TIMEOUT)
        # jupyter-lab runs in coursekit's process group; make sure it is gone too
        deadline = time.monotonic() + SERVER_STOP_TIMEOUT
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _group_alive(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def processes_mentioning(marker: str) -> list[tuple[int, str]]:
    """Processes whose command line or environment mentions ``marker`` (our throwaway folder)."""
    found = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in cmdline or needle in environ:
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace").strip()))
    return found


def end_processes(pids: list[int], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL, the given processes (each by its id)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------------------------------
# JupyterLab, as a person uses it (menus, toolbar buttons, the keyboard)

LISTING_ITEMS = ".jp-DirListing-content .jp-DirListing-item .jp-DirListing-itemText"
CURRENT_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_IDLE_JS = """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .some(e => /^(?!No Kernel).+ \\| Idle$/.test(e.textContent.trim()))"""
# Run All is over when no cell waits or runs ([*]) and at least one cell ran ([n]); a failing cell makes
# JupyterLab drop the rest of the queue, so "every cell numbered" alone would wait forever.
OUTPUTS_CLEARED_JS = """() => {
    const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
    return prompts.every(p => p === '[ ]:' || p === '') && !nb.querySelector('.jp-OutputArea-output');
}"""
RUN_ALL_DONE_JS = """() => {
    const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(e => e.textContent.trim());
    const ran = prompts.some(p => /\\[\\d+\\]/.test(p));
    return prompts.length > 0 && ran && !prompts.some(p => p.includes('*'));
}"""


def open_lab(page, server: LabServer, path: str = "lab"):
    """Load JupyterLab (a fresh workspace) and wait until the file browser lists something."""
    page.goto(server.url(f"{path}?reset" if "?" not in path else f"{path}&reset"))
    page.locator(LISTING_ITEMS).first.wait_for()
    return page


def click_menu(page, menu: str, item: str) -> None:
    """Open a menu of the menu bar and click one of its entries."""
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def open_notebook(page, server: LabServer, relpath: str, *, wait_kernel: bool = True):
    """Open a notebook by its URL; return the notebook panel once it is shown (and its kernel idle)."""
    page.goto(server.url(f"lab/tree/{relpath}?reset"))
    notebook = page.locator(CURRENT_NOTEBOOK)
    notebook.locator(".jp-Cell").first.wait_for()
    if wait_kernel:
        page.wait_for_function(KERNEL_IDLE_JS)
    return notebook


def code_prompts(notebook) -> list[str]:
    return [t.strip() for t in notebook.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()]


def wait_outputs_cleared(page) -> None:
    page.wait_for_function(OUTPUTS_CLEARED_JS)


def wait_run_all_done(page) -> None:
    page.wait_for_function(RUN_ALL_DONE_JS, timeout=RUN_ALL_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=RUN_ALL_TIMEOUT_MS)


def save_notebook(page, notebook) -> None:
    """Save with the toolbar button and wait until the tab no longer shows unsaved changes."""
    notebook.locator(".jp-NotebookPanel-toolbar [data-command='docmanager:save']").click()
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current.jp-mod-dirty").wait_for(state="detached")


def cell(notebook, index: int):
    """The cell at ``index`` (all cells, markdown included, in notebook order)."""
    return notebook.locator(".jp-Notebook .jp-Cell").nth(index)


def replace_cell_text(page, cell_locator, text: str) -> None:
    """Click into the cell's editor, select everything, and enter ``text`` as typed input.

    The text goes in as one input event (as a paste or an input method would send it), so
    CodeMirror's auto-indent on Enter cannot add indentation to lines that already carry theirs.
    """
    cell_locator.locator(".cm-content").click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text(text)


def validate(page, notebook) -> tuple[str, str]:
    """Press the nbgrader Validate button; return the result's class list and text (the dialog stays open)."""
    notebook.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for(timeout=VALIDATE_TIMEOUT_MS)
    return message.get_attribute("class") or "", message.inner_text()


def close_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_role("button", name="Ok").click()
    dialog.wait_for(state="detached")
