"""Policy modules: one per mechanism, each changing named rates from lever values.

A module is a Python module with:

- ``LEVERS``: the lever ids it reads (each lever's ``module`` in the registry names it);
- ``RATES``: the rate names it may change;
- ``apply(rates, lv, ctx) -> dict``: returns new arrays for (some of) ``RATES``, computed
  from the current ``rates`` and the lever values ``lv`` (``lv[lever_id]`` is an array over
  months; ``lv.today(lever_id)`` is today's value). At today's lever values a module must
  return its input rates unchanged, so switching it off leaves today's rule.

The engine knows modules only through ``MODULES`` below: add a mechanism with one new
module and one line here, and the shared invariant tests (tests/test_policies.py) run on it.
"""

from simlib.policies import coaching, premium, search

MODULES = (search, premium, coaching)

__all__ = ["MODULES", "module_names"]


def module_names() -> list[str]:
    """Names of the registered policy modules, in the order they are applied."""
    return [m.__name__.rsplit(".", 1)[-1] for m in MODULES]
