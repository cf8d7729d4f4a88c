"""Checks that the packaging files agree with each other.

pyproject.toml is the single source of the dependencies and extras; environment.yml (a thin
conda wrapper), the Makefile and constraints.txt must not drift from it. environment.yml is
read by a tiny line-based reader below, so that no YAML library is needed.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

import simlib

ROOT = Path(__file__).resolve().parent.parent


def _normalise(name: str) -> str:
    """PEP 503 normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    """The project name at the start of a PEP 508 requirement string."""
    match = re.match(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)", requirement)
    assert match, f"cannot read a project name from {requirement!r}"
    return _normalise(match.group(1))


def _extras_of(spec: str) -> set[str]:
    """The extras in an install spec such as `.[notebooks,test]`."""
    match = re.search(r"\[([^\]]*)\]", spec)
    assert match, f"no [extras] in {spec!r}"
    return {_normalise(extra.strip()) for extra in match.group(1).split(",") if extra.strip()}


@pytest.fixture(scope="module")
def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def environment() -> dict[str, list[str]]:
    """environment.yml as {top-level key: [list items]}, `pip:` items under key "pip".

    Handles only what that file uses: comments, `key: value`, `key:` followed by `- item`
    lists, and one nested `- pip:` list.
    """
    result: dict[str, list[str]] = {}
    key = None
    for raw in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not line.strip():
            continue
        top = re.fullmatch(r"([A-Za-z_][\w-]*):\s*(.*)", line)
        if top:
            key = top.group(1)
            result[key] = [top.group(2)] if top.group(2) else []
            continue
        item = re.fullmatch(r"\s*-\s+(.*)", line)
        assert item and key, f"environment.yml: cannot read line {raw!r}"
        value = item.group(1).strip()
        if value == "pip:":
            key = "pip"
            result[key] = []
        else:
            result[key].append(value)
    return result


@pytest.fixture(scope="module")
def makefile_extras() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^EXTRAS\s*[:?]?=\s*(\S+)\s*$", text, re.MULTILINE)
    assert match, "Makefile defines no EXTRAS variable"
    assert '-e ".[$(EXTRAS)]"' in text, "Makefile does not install -e .[$(EXTRAS)]"
    return _extras_of(f"[{match.group(1)}]")


@pytest.fixture(scope="module")
def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version.strip(), f"constraints.txt: not an exact pin: {raw!r}"
        pins[_normalise(name.strip())] = version.strip()
    return pins


def test_environment_python_matches_requires_python(pyproject, environment):
    requires = pyproject["project"]["requires-python"]
    lower = re.fullmatch(r"\s*>=\s*(\d+\.\d+)\s*", requires)
    assert lower, f"requires-python should be a plain lower bound, got {requires!r}"
    assert lower.group(1) == "3.11"
    pythons = [dep for dep in environment["dependencies"] if re.match(r"python\b", dep)]
    assert pythons == [f"python={lower.group(1)}"]


def test_environment_extras_exist_and_match_makefile(pyproject, environment, makefile_extras):
    assert environment["name"] == ["duaal-leren-simlib"]
    assert "pip" in environment["dependencies"]
    pip_lines = environment["pip"]
    assert len(pip_lines) == 1 and pip_lines[0].startswith("-e ."), pip_lines
    env_extras = _extras_of(pip_lines[0])
    defined = {_normalise(extra) for extra in pyproject["project"]["optional-dependencies"]}
    assert env_extras <= defined, f"extras not defined in pyproject: {env_extras - defined}"
    assert env_extras == makefile_extras


def test_every_dependency_is_pinned(pyproject, constraints):
    project = pyproject["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    names = {_requirement_name(req) for req in requirements}
    assert "simlib" not in constraints, "constraints.txt must not pin the project itself"
    missing = sorted(names - constraints.keys())
    assert not missing, f"not pinned in constraints.txt (run `make constraints`): {missing}"


def test_version_matches_installed_distribution():
    assert simlib.__version__ == importlib.metadata.version("simlib")


def test_license(pyproject):
    assert pyproject["project"]["license"] == "EUPL-1.2"
    assert pyproject["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "EUPL-1.2" in text
    assert "CC-BY-4.0" in text
    metadata = importlib.metadata.metadata("simlib")
    assert metadata.get("License-Expression") == "EUPL-1.2"
