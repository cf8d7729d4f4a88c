"""The package installs and runs: a wheel built from this working tree, installed in a fresh
venv outside the checkout, runs the commands there with no working copy in sight.

How (about a minute, most of it numba compiling the kernel once in the new install):

- the working tree (committed files plus the changes not yet committed) is cloned into a
  temporary folder and built there with ``pip wheel`` (setuptools and setuptools-scm in
  pip's isolated build environment), so the build writes nothing into the checkout and no
  stale ``build/`` folder can slip into the wheel; the version and commit come from git;
- a fresh venv (``python -m venv --without-pip``) gets the wheel with ``pip --python ...
  install --no-deps``; so as not to download every dependency again, a ``.pth`` file gives
  it the site-packages of the venv running the tests (numpy, numba, ..., Voila). That
  folder's own ``.pth`` files are not run, so the checkout's editable install stays out;
- the commands run from a temporary folder, with ``PYTHONPATH`` and ``SIMLIB_HOME`` unset
  and ``HOME`` (hence the user's folders) in a temporary folder too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import tomli_w

from simlib.files.outputs import incomplete

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("data", "scenarios", "notebooks", "dashboard")
COMMAND = "duaal-leren"


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          timeout=60).stdout


def _source_copy(dest: Path) -> Path:
    """A clone of the checkout with its uncommitted changes (and new files not ignored)
    copied over: the working tree as it is, with its git history for the version."""
    _git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest), cwd=dest.parent)
    changed = _git("ls-files", "-z", "--modified", "--others", "--exclude-standard")
    for name in filter(None, changed.split("\0")):
        source, target = ROOT / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists():
            target.unlink()  # deleted in the working tree, not yet committed
    return dest


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SIMLIB_HOME", "VIRTUAL_ENV", "JUPYTER_PATH")
           and not k.startswith("XDG_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CONFIG_HOME=str(home / ".config"), PYTHONDONTWRITEBYTECODE="1")
    return env


def _wheel_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as whl:
        metadata, = (n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        lines = whl.read(metadata).decode().splitlines()
    return next(line.split(": ", 1)[1] for line in lines if line.startswith("Version: "))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from this working tree, installed in a fresh venv."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout (the version comes from the git tags)")
    tmp = tmp_path_factory.mktemp("install")
    source = _source_copy(tmp / "source")
    build_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp / "wheel"), str(source)],
                   check=True, cwd=tmp, env=build_env, timeout=300)
    wheel, = (tmp / "wheel").glob("duaal_leren_simulator-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp / "venv")],
                   check=True, timeout=120)
    python = tmp / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True, check=True,
                             timeout=60).stdout.strip()
    (Path(purelib) / "project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", str(wheel)], check=True, env=build_env, timeout=300)
    home = tmp / "home"
    (home / "work").mkdir(parents=True)
    return SimpleNamespace(
        tmp=tmp, wheel=wheel, python=python, bin=python.parent, purelib=Path(purelib),
        home=home, env=_clean_env(home), version=_wheel_version(wheel),
        head=_git("rev-parse", "HEAD", cwd=source).strip())


def _run(inst, *args: str, env: dict | None = None, timeout: float = 300):
    """``duaal-leren ARGS`` in the fresh venv, from a folder outside the checkout."""
    done = subprocess.run([str(inst.bin / COMMAND), *args], capture_output=True, text=True,
                          cwd=inst.home / "work", env=env or inst.env, timeout=timeout)
    assert done.returncode == 0, f"{COMMAND} {' '.join(args)}: {done.returncode}\n{done.stderr}"
    return done


def _python(inst, code: str) -> dict:
    done = subprocess.run([str(inst.python), "-c", code], capture_output=True, text=True,
                          cwd=inst.home / "work", env=inst.env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_wheel_ships_the_files_the_package_reads(installed):
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        dist_info = f"duaal_leren_simulator-{installed.version}.dist-info"
        metadata = whl.read(f"{dist_info}/METADATA").decode()
        scripts = whl.read(f"{dist_info}/entry_points.txt").decode()
        version_file = whl.read("simlib/_version.py").decode()
    files = _git("ls-files", "--cached", "--others", "--exclude-standard", *SHIPPED)
    tracked = [n for n in files.splitlines() if (ROOT / n).is_file() and (
        not n.startswith("notebooks/") or ("/" not in n[10:] and n.endswith(".ipynb")))]
    shipped = {n.removeprefix("simlib/_resources/") for n in names
               if n.startswith("simlib/_resources/")}
    assert shipped == set(tracked)
    for name in ("inputs/levers.toml", "inputs/glossary.toml", "inputs/pages.toml",
                 "report/themes.toml", "files/resources.py"):
        assert f"simlib/{name}" in names
    assert not any(n.startswith(("tests/", "benchmarks/", "tools/", "data/")) for n in names)
    assert "Name: duaal-leren-simulator\n" in metadata
    assert "License-Expression: EUPL-1.2\n" in metadata
    assert 'Requires-Dist: dask[distributed]>=2024.1; extra == "dask"' in metadata
    assert "duaal-leren = simlib.cli:main" in scripts
    assert "duaal-leren-dashboard = simlib.ui.dashboard:main" in scripts
    assert f"version = {installed.version!r}" in version_file
    assert f"commit_id = 'g{installed.head[:7]}" in version_file


def test_the_installed_commands_validate_run_and_sweep_from_the_shipped_files(installed):
    out = installed.tmp / "results"
    version = _run(installed, "--version").stdout.strip()
    assert version.startswith(f"simlib {installed.version} ({installed.head[:7]}"), version
    names = [p.stem for p in (ROOT / "scenarios").glob("*.toml")]
    checked = _run(installed, "validate", *names).stdout.split()
    assert checked == [w for n in names for w in ("OK", n)]
    _run(installed, "run", "baseline", "--years", "1", "--out", str(out / "run"))
    _run(installed, "sweep", "baseline", "--draws", "2", "--years", "1",
         "--out", str(out / "sweep"))
    assert incomplete(out / "run", ("indicators.csv", "stocks.csv", "meta.json")) is None
    assert incomplete(out / "sweep", ("draws.csv", "indicators.csv", "bands.csv")) is None
    shipped = installed.purelib / "simlib" / "_resources"
    for folder in ("run", "sweep"):
        meta = json.loads((out / folder / "meta.json").read_text(encoding="utf-8"))
        assert meta["simlib_version"] == installed.version
        commit = meta["simlib_commit"].removesuffix("+dirty")
        assert len(commit) >= 7 and installed.head.startswith(commit), meta
        assert meta["calibration"]["file"] == str(shipped / "data" / "calibration.toml")
        assert meta["calibration"]["personal"] is False
    meta = json.loads((out / "run" / "meta.json").read_text(encoding="utf-8"))
    assert meta["scenario_path"] == str(shipped / "scenarios" / "baseline.toml")
    assert len((out / "sweep" / "draws.csv").read_text().splitlines()) == 1 + 2
    assert not list((installed.home / "work").iterdir()), "wrote into the current folder"


def test_user_files_go_to_the_user_folders_and_a_personal_calibration_is_read(installed):
    where = _python(installed, (
        "import json; from simlib.files import resources as R; "
        "from simlib.inputs import parameters as P; "
        "print(json.dumps({'root': str(R.project_root()), 'copy': R.working_copy(), "
        "'export': str(R.default_folder('export')), "
        "'saved': str(R.default_folder('mijn_scenarios', 'data')), "
        "'calibration': str(P.calibration_home())}))"))
    data = installed.home / ".local" / "share" / "duaal-leren-simulator"
    assert where["root"] == str(installed.purelib / "simlib" / "_resources")
    assert where["copy"] is False
    assert where["export"] == str(installed.home / "Documents" / "duaal-leren-simulator" / "export")
    assert where["saved"] == str(data / "mijn_scenarios")
    assert where["calibration"] == str(data / "calibration.toml")
    # a personal calibration (here the shipped one with one value 10 % lower) wins
    shipped = installed.purelib / "simlib" / "_resources" / "data" / "calibration.toml"
    fit = tomllib.loads(shipped.read_text(encoding="utf-8"))
    name = next(iter(fit["values"]))
    fit["values"][name] *= 0.9
    data.mkdir(parents=True, exist_ok=True)
    (data / "calibration.toml").write_text(tomli_w.dumps(fit), encoding="utf-8")
    out = installed.tmp / "personal"
    _run(installed, "run", "baseline", "--years", "1", "--out", str(out))
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["calibration"]["file"] == str(data / "calibration.toml")
    assert meta["calibration"]["personal"] is True
    first = installed.tmp / "results" / "run" / "indicators.csv"
    if first.exists():  # the run of the shipped calibration (previous test) differs
        assert first.read_bytes() != (out / "indicators.csv").read_bytes()


def test_the_installed_dashboard_serves_the_shipped_notebooks(installed):
    pytest.importorskip("voila")
    env = dict(installed.env)
    # Voila's own templates (which the simlib template extends) live in the data folder of
    # the venv running the tests, not in the fresh one (see the module docstring)
    env["JUPYTER_PATH"] = str(Path(sysconfig.get_paths()["data"]) / "share" / "jupyter")
    code = ("import json, urllib.request\n"
            "from simlib.ui import dashboard\n"
            "proc, url = dashboard.start()\n"
            "try:\n"
            "    dashboard.wait_until_up(url, proc, timeout=90)\n"
            "    page = urllib.request.urlopen(url, timeout=30).read().decode()\n"
            "finally:\n"
            "    dashboard.stop(proc)\n"
            "print(json.dumps({'page': page, 'notebooks': str(dashboard.notebooks_dir()),\n"
            "                  'template': str(dashboard.dashboard_dir())}))\n")
    done = subprocess.run([str(installed.python), "-c", code], capture_output=True, text=True,
                          cwd=installed.home / "work", env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    shipped = installed.purelib / "simlib" / "_resources"
    assert got["notebooks"] == str(shipped / "notebooks")
    assert got["template"] == str(shipped / "dashboard")
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f'href="/voila/render/{notebook.name}"' in got["page"]
    assert f"simlib {installed.version}" in got["page"]
    help_text = subprocess.run([str(installed.bin / "duaal-leren-dashboard"), "--help"],
                               capture_output=True, text=True, env=env, timeout=60)
    assert help_text.returncode == 0 and "--max-kernels" in help_text.stdout
