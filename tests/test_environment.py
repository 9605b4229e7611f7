"""environment.yml, pyproject.toml and constraints.txt agree on the dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    return {canonicalize_name(r.name): str(r.specifier) for r in reqs}


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and not re.match(r"^(python|pip)\b", dep):
            req = Requirement(dep)
            found[canonicalize_name(req.name)] = str(req.specifier)
    return found


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_environment_yml_pins_python_311_and_installs_the_kit():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_constraints_pin_every_dependency_within_its_range():
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = version
    for name, spec in _pyproject_requirements().items():
        assert name in pinned, f"{name} is not pinned in constraints.txt (run `make lock`)"
        assert Requirement(f"{name}{spec}").specifier.contains(pinned[name]), (
            f"constraints.txt pins {name}=={pinned[name]}, outside {spec} from pyproject.toml"
        )
