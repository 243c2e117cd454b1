"""How an accumulated weight change is written into a synapse, as brian2 code run by the generated program.

Plastic synapses accumulate their change ``dw`` during a sample's plastic phases; a clock that ticks once per
training sample (a chip's learning epoch, e.g. Loihi's, Davies et al. 2018) writes it. Without a chip, or on
float weights: w <- w + dw. On a chip's weight grid of step s and level range [n_min, n_max]
(tpneuro.hardware.weight_updates.updated_weights, the same arithmetic in numpy)::

    dw_c = clip(r trunc(dw / r), -(2^bits - 1) r, (2^bits - 1) r),   r = s / 2^f  (f = fraction_bits)
    w    <- clip(s R((w + dw_c) / s), s n_min, s n_max),
    R(x) = floor(x + 1/2) (nearest; ties go up, numpy's rint goes to even)  or  floor(x + u), u ~ U[0, 1)
           (stochastic rounding, Gupta et al. 2015: E[w'] = w + dw_c).

A synapse with dw = 0 keeps its stored value (no write happened).
"""
from __future__ import annotations

import math

from ...hardware import ChipInstance


def write_code(var: str, chip: ChipInstance | None, layer: int, pathway: str) -> str:
    """Abstract code applying the accumulated change ``d{var}`` to ``{var}`` and clearing it."""
    grid = chip.weight_grid(layer, pathway) if chip is not None and not chip.is_ideal else None
    if grid is None:
        return f"{var} += d{var}\nd{var} = 0"
    updates = chip.update_format(pathway)
    fraction = 0 if updates.fraction_bits is None else updates.fraction_bits.value
    resolution = grid.step / 2.0 ** fraction
    change = f"d{var}"
    if updates.fraction_bits is not None:
        change = f"({resolution!r}*int(d{var}/{resolution!r}))"
    if updates.bits is not None:
        limit = (2 ** updates.bits.value - 1) * resolution
        change = f"clip({change}, {-limit!r}, {limit!r})"
    offset = "rand()" if updates.rounding.value == "stochastic" else "0.5"
    lower = "-inf" if math.isinf(grid.lower) else repr(grid.lower)
    upper = "inf" if math.isinf(grid.upper) else repr(grid.upper)
    stored = f"clip({grid.step!r}*floor(({var} + {change})/{grid.step!r} + {offset}), {lower}, {upper})"
    return f"{var} += int(d{var} != 0)*({stored} - {var})\nd{var} = 0"
