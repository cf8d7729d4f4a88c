"""Every entry of data/ is read by the model: a run of every scenario file (its rates, the
engine and the indicators), the policy modules with each lever away from today's value, or
the calibration targets (an available target is compared with the model). A parameter nothing
reads would be a number that looks like it matters and does not (and, with a prior, a
parameter that uncertainty runs vary to no effect)."""

from __future__ import annotations

import json
import subprocess
import sys

_SCRIPT = r"""
import json
import simlib.inputs.parameters as P

read = set()


class Recording(dict):
    def __getitem__(self, key):
        read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        if key in self:
            read.add(key)
        return super().get(key, default)


from types import MappingProxyType

_load = P._load.__wrapped__
P._load = __import__("functools").cache(lambda root: MappingProxyType(Recording(_load(root))))
import simlib
from simlib.analysis import calibration
from simlib.inputs.scenario import scenario_names

from simlib.inputs.levers import levers
from simlib.model.structure import Timeline
from simlib.model.simulation import policy_rates

for name in scenario_names():
    _ = simlib.run(name, years=2).indicators
timeline = Timeline(2)
for lv in levers():  # each lever away from today's value, its parent switched on
    others = [v for v in ((lv.min, lv.max) if lv.kind in ("int", "float") else
                          (not lv.default,) if lv.kind == "bool" else lv.choices)
              if v != lv.default]
    for value in others:
        extra = {lv.parent: True} if lv.parent else {}
        policy_rates(simlib.scenario(**extra, **{lv.id: value}), timeline)
read |= {t.name for t in calibration.targets() if t.available}
print(json.dumps({"read": sorted(read), "all": sorted(P.parameters())}))
"""


def test_every_data_entry_is_read_by_the_model():
    done = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    unread = sorted(set(out["all"]) - set(out["read"]))
    assert not unread, f"entries of data/ that nothing reads: {unread}"
