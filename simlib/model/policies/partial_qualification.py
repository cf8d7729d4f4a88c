"""Deelstudiebekrachtiging in the Aanloopfase: partial certificates against unqualified exit.

While on, the share of Aanloopfase and Groeifase leavers (without a full qualification) who
leave with a partial qualification rises to ``partial_share_with_bekrachtiging`` (an
assumption). It changes the type of exit, not whether learners leave.
"""

import numpy as np

from simlib.inputs.parameters import param
from simlib.model.policies._util import on
from simlib.model.rates import Rate

LEVERS = ("deelstudiebekrachtiging_aanloopfase",)
RATES = ("partial_share_aanloop",)


def apply(rates, lv, ctx):
    switch = on(lv, "deelstudiebekrachtiging_aanloopfase")
    if not switch.any():
        return {}
    base = rates["partial_share_aanloop"]
    today = float((base.tc * base.ti).ravel()[0])
    share = np.where(switch > 0, np.maximum(today, param("partial_share_with_bekrachtiging")),
                     today)
    return {"partial_share_aanloop": Rate.by_month(share)}
