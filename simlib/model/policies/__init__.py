"""Policy modules: one per mechanism, each changing named rates from lever values.

A module is a Python module with:

- ``LEVERS``: the lever ids it reads (each lever's ``module`` in the registry names it);
- ``RATES``: the names it may change — kernel rates (:class:`simlib.model.rates.Rate`), monthly
  scalars (arrays over months) or cost series (``cost_*``);
- ``apply(rates, lv, ctx) -> dict``: new values for (some of) ``RATES``, computed from the
  current ``rates``, the lever values ``lv`` (``lv[lever_id]`` is an array over months;
  ``lv.today(lever_id)`` today's value) and ``ctx`` (timeline and cell facts, see
  :class:`simlib.model.simulation.Context`). At today's lever values a module must return its input
  unchanged, so switching it off leaves today's rule.

The engine knows modules only through ``MODULES`` below: add a mechanism with one new module
and one line here, and the shared invariant tests (tests/model/test_policies.py) run on it.
"""

from simlib.model.policies import (
    allowance,
    campaign,
    coaching,
    groeifase,
    guarantee,
    guidance,
    hours,
    information,
    mentor,
    mobility,
    network,
    one_person,
    partial_qualification,
    premium,
    programmatie,
    recognition,
    screening,
    search,
    search_support,
    supply,
)

MODULES = (search, hours, programmatie, guidance, campaign, information, allowance, premium,
           screening, search_support, guarantee, coaching, mentor, recognition, mobility,
           one_person, network, supply, groeifase, partial_qualification)

__all__ = ["MODULES", "module_names"]


def module_names() -> list[str]:
    """Names of the registered policy modules, in the order they are applied."""
    return [m.__name__.rsplit(".", 1)[-1] for m in MODULES]
