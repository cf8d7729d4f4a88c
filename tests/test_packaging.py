"""Checks that the packaging files agree with each other, and the version and commit.

pyproject.toml is the single source of the dependencies and extras; environment.yml (a thin
conda wrapper), the Makefile and constraints.txt must not drift from it. environment.yml is
read by a tiny line-based reader below, so that no YAML library is needed. That the wheel
installs and runs is tests/test_install.py.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

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


def _requirements(pyproject: dict) -> list[str]:
    """Every requirement of the core and the extras, without the extras' references to the
    project itself (``duaal-leren-simulator[notebooks,dask]``)."""
    project = pyproject["project"]
    own = _normalise(project["name"])
    found = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        found.extend(r for r in extra if _requirement_name(r) != own)
    return found


def test_every_dependency_is_pinned(pyproject, constraints):
    names = {_requirement_name(req) for req in _requirements(pyproject)}
    own = {_normalise(pyproject["project"]["name"]), "simlib"}
    assert not own & constraints.keys(), "constraints.txt must not pin the project itself"
    missing = sorted(names - constraints.keys())
    assert not missing, f"not pinned in constraints.txt (run `make constraints`): {missing}"


def test_every_dependency_has_a_lower_bound_and_the_pins_satisfy_the_bounds(pyproject,
                                                                            constraints):
    from packaging.requirements import Requirement

    for text in _requirements(pyproject):
        req = Requirement(text)
        assert any(s.operator in (">=", "==", "~=") for s in req.specifier), \
            f"{text}: no lower bound"
        pin = constraints[_normalise(req.name)]
        assert req.specifier.contains(pin, prereleases=True), \
            f"{text}: constraints.txt pins {pin}, outside the bounds"


def test_the_notebook_stack_has_upper_bounds_and_dask_is_an_extra(pyproject):
    from packaging.requirements import Requirement

    project = pyproject["project"]
    bounded = {_normalise(Requirement(r).name): Requirement(r).specifier
               for r in project["optional-dependencies"]["notebooks"]}
    for name in ("voila", "ipywidgets", "jupyterlab"):
        assert any(s.operator == "<" for s in bounded[name]), f"{name}: no upper bound"
    assert "dask" not in {_requirement_name(r) for r in project["dependencies"]}
    assert [_requirement_name(r) for r in project["optional-dependencies"]["dask"]] == ["dask"]
    own = _normalise(project["name"])
    assert any(_requirement_name(r) == own and {"dask", "notebooks"} <= _extras_of(r)
               for r in project["optional-dependencies"]["test"]), "[test] must bring both"


def test_the_core_runs_and_sweeps_without_dask():
    code = ("import sys; sys.modules['dask'] = None  # any import of dask fails\n"
            "import simlib\n"
            "from simlib.analysis.uncertainty import sweep\n"
            "assert simlib.run('baseline', years=1).years == 1\n"
            "assert len(sweep('baseline', 2, years=1, threads=1).draws) == 2\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_names_and_commands(pyproject):
    from simlib.files.resources import APP_NAME

    project = pyproject["project"]
    assert project["name"] == APP_NAME == "duaal-leren-simulator"
    assert project["scripts"] == {"duaal-leren": "simlib.cli:main",
                                  "duaal-leren-dashboard": "simlib.ui.dashboard:main"}
    for target in project["scripts"].values():
        module, _, name = target.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), target
    assert project["dynamic"] == ["version"]
    scm = pyproject["tool"]["setuptools_scm"]
    assert scm["version_file"] == "simlib/_version.py"
    assert "simlib/_version.py" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert any(r.startswith("setuptools-scm") for r in pyproject["build-system"]["requires"])


def test_license(pyproject):
    assert pyproject["project"]["license"] == "EUPL-1.2"
    assert pyproject["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "EUPL-1.2" in text
    assert "CC-BY-4.0" in text
    # the wheel's metadata says so too: tests/test_install.py


# --- the version and the commit (simlib.files.version) -------------------------------------


def test_the_commit_of_a_working_copy_is_its_head_and_says_dirty():
    from simlib.files import version

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()

    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    assert version.commit() == git("rev-parse", "HEAD") + ("+dirty" if dirty else "")
    assert version.short_commit() == git("rev-parse", "HEAD")[:7] + ("+dirty" if dirty else "")
    assert version.model_label() == f"simlib {version.__version__} ({version.short_commit()})"


@pytest.mark.parametrize("built, commit_id, expected", [
    ("0.2.0", "g1a2b3c4d5", "1a2b3c4d5"),
    ("0.2.1.dev3+g1a2b3c4d5", "g1a2b3c4d5", "1a2b3c4d5"),
    ("0.2.1.dev3+g1a2b3c4d5.d20260131", "g1a2b3c4d5", "1a2b3c4d5+dirty"),
    ("0.2.0+d20260131", "g1a2b3c4d5", "1a2b3c4d5+dirty"),
    ("0.2.0", None, "unknown"),
])
def test_the_commit_of_a_wheel_is_the_one_recorded_at_build(monkeypatch, tmp_path, built,
                                                            commit_id, expected):
    """What setuptools-scm writes into the wheel's simlib/_version.py, read back (no git)."""
    import types

    from simlib.files import version

    fake = types.ModuleType("simlib._version")
    fake.version, fake.__commit_id__ = built, commit_id
    monkeypatch.setitem(sys.modules, "simlib._version", fake)
    monkeypatch.setattr(version, "_PACKAGE_PARENT", tmp_path)  # no .git there
    version.commit.cache_clear()
    try:
        assert version.version() == built
        assert version.commit() == expected
    finally:
        version.commit.cache_clear()


class _Dist:
    """A stand-in for an installed distribution's metadata."""

    def __init__(self, located: Path, direct_url: str | None):
        self.located, self.direct_url, self.version = located, direct_url, "9.9"

    def locate_file(self, name):
        return self.located / name

    def read_text(self, name):
        return self.direct_url if name == "direct_url.json" else None


def test_the_installed_version_counts_only_if_it_installed_this_copy(tmp_path):
    import json

    from simlib.files import version

    here = version._PACKAGE_PARENT
    editable = json.dumps({"url": here.as_uri(), "dir_info": {"editable": True}})
    elsewhere = json.dumps({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    assert version._installs_this_copy(_Dist(here, None))  # a wheel installed here
    assert version._installs_this_copy(_Dist(tmp_path, editable))  # `pip install -e .`
    assert not version._installs_this_copy(_Dist(tmp_path, elsewhere))  # another checkout
    assert not version._installs_this_copy(_Dist(tmp_path, None))


# --- where user files go (simlib.files.resources), without building a wheel ----------------


@pytest.fixture
def as_installed(tmp_path, monkeypatch):
    """The project's files as if shipped in an installed package (``simlib/_resources``, here
    a copy of data/ and scenarios/ in ``tmp_path``), with the user's folders in ``tmp_path``."""
    import shutil

    from simlib.files import resources
    from simlib.inputs import parameters as P

    shipped = tmp_path / "site-packages" / "simlib" / "_resources"
    for folder in ("data", "scenarios"):
        shutil.copytree(ROOT / folder, shipped / folder)
    monkeypatch.setattr(resources, "_shipped", lambda: shipped)
    monkeypatch.setenv("SIMLIB_HOME", str(shipped))  # what _root() finds once installed
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "home" / "Documenten"))
    P.reload()
    yield SimpleNamespace(shipped=shipped, data=tmp_path / "home" / "share" / APP)
    P.reload()


APP = "duaal-leren-simulator"


def test_in_a_working_copy_user_files_go_where_they_always_went():
    from simlib.files import resources
    from simlib.inputs import parameters as P

    assert resources.working_copy()
    assert resources.default_folder("export") == Path("export")
    assert resources.default_folder("mijn_scenarios", "data") == Path("mijn_scenarios")
    assert P.calibration_home() == resources.data_dir() / "calibration.toml"
    assert P.calibration_used()["file"] == str(resources.data_dir() / "calibration.toml")
    assert P.calibration_used()["personal"] is False


def test_from_an_installed_package_user_files_go_to_the_user_folders(as_installed, tmp_path):
    from simlib.files import resources
    from simlib.inputs import parameters as P

    assert not resources.working_copy()
    assert resources.default_folder("export") == tmp_path / "home" / "Documenten" / APP / "export"
    assert resources.default_folder("mijn_scenarios", "data") == as_installed.data / "mijn_scenarios"
    assert P.calibration_home() == as_installed.data / "calibration.toml"
    shipped = as_installed.shipped / "data" / "calibration.toml"
    assert P.calibration_file() == shipped and P.calibration_used()["personal"] is False


def test_a_personal_calibration_is_read_instead_of_the_shipped_one(as_installed):
    import tomli_w

    from simlib.inputs import parameters as P

    shipped = tomllib.loads((as_installed.shipped / "data" / "calibration.toml").read_text())
    name, value = next(iter(shipped["values"].items()))
    assert P.param(name) == value
    mine = {"fit": {"date": "2031-01-31"}, "values": {name: value * 0.9}}
    P.calibration_home().write_text(tomli_w.dumps(mine), encoding="utf-8")
    assert P.param(name) == value  # read once, until reload() (as calibrate --write does)
    P.reload()
    assert P.param(name) == pytest.approx(value * 0.9)
    assert P.parameters()[name].calibration == "2031-01-31"
    other = next(n for n in shipped["values"] if n != name)
    assert P.parameters()[other].calibration is None  # one fit: the shipped one is not mixed in
    used = P.calibration_used()
    assert used == {"file": str(as_installed.data / "calibration.toml"), "personal": True,
                    "sha256": used["sha256"]}
    (as_installed.data / "calibration.toml").write_text('[values]\nnot_a_parameter = 1\n')
    P.reload()
    with pytest.raises(P.DataError, match=r"duaal-leren-simulator/calibration.toml: \[fit\]"):
        P.parameters()
