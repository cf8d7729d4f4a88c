"""The calibrated ensemble as stored in ``data/``: ``ensemble.csv`` and its provenance.

The ensemble (fitted by :mod:`simlib.analysis.ensemble_fit`, ``python -m simlib calibrate
--ensemble N --write``) is a set of *members*: parameter sets drawn from the priors of
``data/`` (:func:`simlib.analysis.uncertainty.priors`) and kept because together they
reproduce the calibration targets of 2025-26 within their tolerances. Sweeps draw from it by
default (:func:`simlib.analysis.uncertainty.sweep`, ``source="ensemble"``).

- ``ensemble.csv``: one row per member (column ``member``), one column per uncertain
  parameter, sorted by name: a scalar parameter by its value, a table parameter by its unit
  draw ``u`` (0..1; the table moves as one piece, see :mod:`simlib.analysis.uncertainty`),
  as the sweep's ``draws.csv`` does.
- ``ensemble.json``: provenance (date, seed, command, method, targets with tolerances,
  acceptance fraction, autocorrelation time, effective sample size, model version, the data
  hash of the files the ensemble was fitted to), the priors it was drawn from (name,
  distribution, range) and the SHA-256 of ``ensemble.csv``. A JSON file, not TOML: every
  ``*.toml`` in ``data/`` is read as a parameter file.

:func:`load` refuses an ensemble that does not belong to the current priors (other names,
another distribution or range), one whose CSV was edited after it was written, and a
malformed one, with a message that names the file and says to re-run the command. It takes
the priors as an argument, so that this module imports nothing from the analysis floor's
sweep code (which imports it).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ENSEMBLE_FILE", "PROVENANCE_FILE", "COMMAND", "EnsembleError", "Ensemble",
           "band_label", "home", "stored_folder", "members_frame", "write", "load", "data_files_hash"]

ENSEMBLE_FILE = "ensemble.csv"
PROVENANCE_FILE = "ensemble.json"
#: The command that (re)computes and stores the ensemble (said in every refusal).
COMMAND = "python -m simlib calibrate --ensemble N --write"


class EnsembleError(ValueError):
    """The stored ensemble is missing, malformed, or does not belong to the current priors."""


@dataclass(frozen=True)
class Ensemble:
    """A stored ensemble: ``members`` (one row per member, one column per parameter; a table
    parameter by its unit draw ``u``), its ``provenance`` and the ``path`` it was read from."""

    members: pd.DataFrame
    provenance: dict
    path: Path | None = None

    @property
    def size(self) -> int:
        return len(self.members)

    def rows(self, prior_list: Sequence, index: Sequence[int] | None = None) -> list[dict]:
        """Parameter values (for :func:`~simlib.inputs.parameters.overridden`) of the members
        ``index`` (default: all) for the parameters of ``prior_list``: a member's value, a
        table's entries from its ``u`` through the prior; a prior of zero width (fixed by
        the caller, :meth:`Prior.fixed`) keeps its fixed value. Parameters of the ensemble
        not in ``prior_list`` are left out (they keep their values of ``data/``)."""
        missing = [p.name for p in prior_list if p.name not in self.members.columns]
        if missing:
            raise EnsembleError(f"{self._where()}: no column for {', '.join(missing)}; the "
                                f"ensemble is older than the priors: re-run `{COMMAND}`")
        chosen = self.members if index is None else self.members.iloc[np.asarray(index)]
        cols = {p.name: chosen[p.name].to_numpy(float) for p in prior_list}
        out = []
        for k in range(len(chosen)):
            row = {}
            for p in prior_list:
                x = float(cols[p.name][k])
                if p.high <= p.low:
                    row[p.name] = p.ppf(0.5)
                else:
                    row[p.name] = p.ppf(x) if p.is_table else x
            out.append(row)
        return out

    def label(self, lang: str = "nl") -> str:
        """What a band drawn from this ensemble includes, in ``lang`` (``nl`` or ``en``)."""
        return band_label("ensemble", lang, members=self.size,
                          date=self.provenance.get("date", "?"))

    def _where(self) -> str:
        return str(self.path) if self.path is not None else "the ensemble"


def band_label(source: str, lang: str = "nl", **fields) -> str:
    """What a band of a sweep from ``source`` (``"ensemble"`` or ``"prior"``) includes, in
    ``lang`` (the glossary's ``[text_ensemble]``)."""
    from simlib.inputs.glossary import texts

    return texts("ensemble")["en" if lang == "en" else "nl"][f"band_{source}"].format(**fields)


def home() -> Path:
    """Where ``calibrate --ensemble N --write`` stores the ensemble: ``data/`` in a working
    copy, else the user's own data folder (as for ``calibration.toml``)."""
    from simlib.files.resources import data_dir, user_dir, working_copy

    return data_dir() if working_copy() else user_dir("data")


def stored_folder() -> Path:
    """The folder the ensemble is read from: the user's own one where it exists outside a
    working copy, else ``data/``."""
    from simlib.files.resources import data_dir, user_dir, working_copy

    if not working_copy():
        personal = user_dir("data", create=False)
        if (personal / ENSEMBLE_FILE).is_file():
            return personal
    return data_dir()


def data_files_hash() -> str:
    """SHA-256 over the files of ``data/`` (names and bytes) the ensemble is fitted to: all
    but the ensemble's own two files (so storing an ensemble does not change it)."""
    from simlib.files.resources import data_dir

    root = data_dir()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name in (ENSEMBLE_FILE, PROVENANCE_FILE):
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _prior_record(prior_list: Sequence) -> dict:
    return {p.name: {"distribution": p.distribution, "range": [p.low, p.high],
                     "table": bool(p.is_table)} for p in prior_list}


def members_frame(prior_list: Sequence, u: np.ndarray) -> pd.DataFrame:
    """The members ``u`` (``(members, parameters)`` unit-cube positions, in the order of
    ``prior_list``) as stored: a scalar by its value, a table by its ``u``."""
    cols = {}
    for k, p in enumerate(prior_list):
        cols[p.name] = u[:, k] if p.is_table else [float(p.ppf(float(x))) for x in u[:, k]]
    return pd.DataFrame(cols, index=pd.RangeIndex(len(u), name="member"))


def _csv_text(members: pd.DataFrame) -> str:
    return members.to_csv(lineterminator="\n", float_format="%.10g")


def write(members: pd.DataFrame, prior_list: Sequence, provenance: dict,
          folder: Path | None = None) -> tuple[Path, Path]:
    """Store ``members`` and ``provenance`` (with the priors and the CSV's SHA-256 added) in
    ``folder`` (default :func:`home`); each file written to a temporary name, then renamed
    into place, the provenance last. Returns the two paths."""
    folder = Path(folder) if folder is not None else home()
    folder.mkdir(parents=True, exist_ok=True)
    text = _csv_text(members)
    meta = {**provenance, "members": len(members), "parameters": list(members.columns),
            "priors": _prior_record(prior_list),
            "members_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    paths = folder / ENSEMBLE_FILE, folder / PROVENANCE_FILE
    for path, body in zip(paths, (text, json.dumps(meta, indent=2) + "\n"), strict=True):
        tmp = path.with_name(f".{path.name}.partial")
        tmp.write_text(body, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    return paths


def _refuse(path: Path, why: str) -> EnsembleError:
    return EnsembleError(f"{path}: {why}; re-run `{COMMAND}` (or sweep with source='prior', "
                         "`sweep --source prior`)")


def load(prior_list: Sequence, folder: Path | None = None) -> Ensemble:
    """The stored ensemble, checked against ``prior_list`` (all priors of ``data/``): the
    same parameter names, distributions and ranges, an unchanged CSV, finite members within
    the priors' support. Raises :class:`EnsembleError` naming the file otherwise."""
    folder = Path(folder) if folder is not None else stored_folder()
    path, meta_path = folder / ENSEMBLE_FILE, folder / PROVENANCE_FILE
    if not path.is_file():
        raise _refuse(path, "no calibrated ensemble stored")
    if not meta_path.is_file():
        raise _refuse(meta_path, f"the provenance of {path.name} is missing")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(meta_path, f"unreadable ({exc})") from None
    if not isinstance(meta, dict) or "members_sha256" not in meta or "priors" not in meta:
        raise _refuse(meta_path, "not an ensemble's provenance (no members_sha256 or priors)")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != meta["members_sha256"]:
        raise _refuse(path, f"changed after it was written (its SHA-256 differs from "
                      f"{meta_path.name})")
    _check_priors(path, meta["priors"], prior_list)
    try:
        members = pd.read_csv(path, index_col="member")
    except (ValueError, pd.errors.ParserError) as exc:
        raise _refuse(path, f"malformed ({exc})") from None
    _check_members(path, members, prior_list)
    return Ensemble(members, meta, path)


def _check_priors(path: Path, stored: dict, prior_list: Sequence) -> None:
    now = _prior_record(prior_list)
    gone, new = sorted(set(stored) - set(now)), sorted(set(now) - set(stored))
    if gone or new:
        parts = ([f"parameters no longer uncertain: {', '.join(gone)}"] if gone else []) + \
                ([f"new uncertain parameters: {', '.join(new)}"] if new else [])
        raise _refuse(path, "drawn from other priors than those of data/ now (" +
                      "; ".join(parts) + ")")
    changed = [n for n in now if stored[n] != now[n]]
    if changed:
        raise _refuse(path, f"drawn from other priors than those of data/ now (distribution "
                      f"or range changed: {', '.join(changed)})")


def _check_members(path: Path, members: pd.DataFrame, prior_list: Sequence) -> None:
    names = [p.name for p in prior_list]
    if list(members.columns) != names:
        raise _refuse(path, f"its columns are not the parameters {', '.join(names)}")
    if members.empty:
        raise _refuse(path, "no members")
    for p in prior_list:
        col = pd.to_numeric(members[p.name], errors="coerce").to_numpy(float)
        lo, hi = (0.0, 1.0) if p.is_table else (p.low, p.high)
        slack = 1e-9 * max(1.0, abs(hi - lo))
        if not np.all(np.isfinite(col)) or np.any(col < lo - slack) or np.any(col > hi + slack):
            bad = col[~(np.isfinite(col) & (col >= lo - slack) & (col <= hi + slack))][0]
            what = "u" if p.is_table else "value"
            raise _refuse(path, f"{p.name}: {what} {bad if math.isfinite(bad) else 'missing'}"
                          f" outside [{lo:g}, {hi:g}]")
