"""The kernel's restructured paths (issue 15) against plain numpy: the contracts' shares per
bin (:func:`~simlib.model.kernel.contracts.bin_shares`), the contracts step's conservation
and the stocks summed per block straight into the block sums
(:func:`~simlib.model.kernel.moves.stocks`, :data:`~simlib.model.kernel.layout.STOCK_ROWS`).

Each calls the compiled step alone on random rows, so a wrong row, bin or block fails here
with its name rather than as a drift in the golden figures."""

import numpy as np
import pytest

from simlib.model.kernel.contracts import bin_shares, contracts
from simlib.model.kernel.layout import EARLY_MONTHS, HALF, INNER, KD, NACC, NE, NWORK, A, R, W
from simlib.model.kernel.moves import active_rows, stocks
from simlib.model.kernel.numerics import reduce_blocks

FRONT_LOAD = np.array([1.6, 1.5, 1.3, 1.1, 1.0, 0.9, 0.8])


@pytest.fixture
def rng():
    return np.random.default_rng(15)


def work_rows(rng):
    """Work rows with the contracts' hazards (some zero: ``tot`` = 0 must give 0, not NaN)."""
    wk = np.zeros((NWORK, INNER))
    wk[W.hterm] = rng.uniform(0.0, 0.3, INNER)
    wk[W.href] = rng.uniform(0.0, 0.2, INNER)
    wk[W.hleave] = rng.uniform(0.0, 0.1, INNER) * (rng.uniform(size=INNER) < 0.5)
    wk[W.hterm, :10] = wk[W.href, :10] = wk[W.hleave, :10] = 0.0
    return wk


def test_bin_shares_is_the_competing_hazards_of_each_bin(rng):
    wk = work_rows(rng)
    oao, soa = rng.uniform(0, 5, (KD, INNER)), rng.uniform(0, 5, (KD, INNER))
    wsc, stay = np.full((KD, INNER), np.nan), np.full((KD, INNER), np.nan)
    for d in range(KD):
        bin_shares(wk, FRONT_LOAD[d], 1.0 if d < EARLY_MONTHS else 0.0, oao, soa, d, wsc, stay)
        tot = (wk[W.hterm] * FRONT_LOAD[d] + wk[W.href] * (d < EARLY_MONTHS)
               + wk[W.hleave])
        scale = np.divide(-np.expm1(-tot), tot, out=np.zeros(INNER), where=tot > 0)
        np.testing.assert_allclose(wsc[d], (oao[d] + soa[d]) * scale, rtol=1e-9, atol=0,
                                   err_msg=f"bin {d}")
        np.testing.assert_allclose(stay[d], 1.0 - tot * scale, rtol=1e-9, atol=0,
                                   err_msg=f"bin {d}")
    assert (stay[:, :10] == 1.0).all() and (wsc[:, :10] == 0.0).all()


def test_contracts_keep_every_learner_and_the_placements_start(rng):
    wk = work_rows(rng)
    oao, soa = rng.uniform(0, 5, (KD, INNER)), rng.uniform(0, 5, (KD, INNER))
    acc = np.full((NACC, INNER), 7.0)  # stale values: the step must reset its rows
    acc[A.placed] = rng.uniform(0, 2, INNER)
    ti = np.ones((len(R), INNER))
    before = oao.sum() + soa.sum() + acc[A.placed].sum()
    contracts(oao, soa, 0.25, ti, FRONT_LOAD, np.zeros((KD, INNER)), np.zeros((KD, INNER)),
              acc, wk)
    out = acc[A.terminated].sum() + acc[A.refused].sum() + acc[A.t_unq_left].sum()
    assert oao.sum() + soa.sum() + out == pytest.approx(before, rel=1e-13)
    np.testing.assert_allclose(oao[0], 0.25 * acc[A.placed], rtol=1e-15)
    np.testing.assert_allclose(soa[0], 0.75 * acc[A.placed], rtol=1e-15)
    assert (acc[A.terminated_early] <= acc[A.terminated] + 1e-12).all()


def test_stocks_sum_each_block_as_the_rows_per_stratum_would(rng):
    nd, gua = rng.uniform(0, 3, INNER), rng.uniform(0, 1, INNER)
    kw, ka, kg = 5, 4, 30
    srch = rng.uniform(0, 1, (kw + 2, INNER))
    srch[kw:] = 99.0  # bins past those in use are not counted
    oao, soa = rng.uniform(0, 1, (KD, INNER)), rng.uniform(0, 1, (KD, INNER))
    aan, gro = rng.uniform(0, 1, (ka, INNER)), rng.uniform(0, 1, (kg, INNER))
    behind = (rng.uniform(size=INNER) < 0.3).astype(float)
    high = (rng.uniform(size=INNER) < 0.2).astype(float)
    tier = np.zeros((3, INNER))
    tier[rng.integers(0, 3, INNER), np.arange(INNER)] = 1.0
    acc = np.full((NACC, INNER), 3.0)
    sums = np.full((NACC, NE), np.nan)
    active = np.ones(NACC, np.bool_)
    active_rows(active, True, True, True, True)
    reduce_blocks(acc, active, sums)
    stocks(nd, srch, oao, soa, gua, aan, gro, kw, behind, high, tier, acc, sums)

    s_srch, s_oao, s_soa = srch[:kw].sum(0), oao.sum(0), soa.sum(0)
    s_aan, s_gro = aan.sum(0), gro.sum(0)
    route = s_srch + s_oao + s_soa + gua + s_aan + s_gro
    per_stratum = {
        A.non_dual: nd, A.searching: s_srch, A.dual_oao: s_oao, A.dual_soa: s_soa,
        A.guaranteed: gua, A.aanloopfase: s_aan, A.groeifase: s_gro, A.behind: route * behind,
        A.behind_non_dual: nd * behind, A.ready_without_place: s_srch + s_aan * high,
        A.oao_tier_1: (s_oao + gua) * tier[0], A.oao_tier_2: (s_oao + gua) * tier[1],
        A.oao_tier_3: (s_oao + gua) * tier[2],
    }
    for q, row in per_stratum.items():
        want = row.reshape(NE, HALF).sum(1)
        np.testing.assert_allclose(sums[q], want, rtol=1e-13, err_msg=A._fields[q])
    others = [q for q in range(NACC) if q not in per_stratum]
    np.testing.assert_array_equal(sums[others], np.full((len(others), NE), 3.0 * HALF))
