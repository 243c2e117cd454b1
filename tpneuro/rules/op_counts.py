"""Operation counts of one training sample under each rule, for speed (GFLOP/s) and energy estimates."""
from __future__ import annotations


def matmul_macs_per_sample(rule: str, sizes: list[int], rhl: int, extra_fb: int) -> float:
    """Multiply-accumulates of the matrix products one training sample costs in one epoch (training pass
    plus ``extra_fb`` feedback-only passes), counted from the equations each rule implements."""
    L = len(sizes) - 1
    layer = [0] + [sizes[i] * sizes[i - 1] for i in range(1, L + 1)]       # layer[i] = n_i n_{i-1}
    fwd = sum(layer)
    above = lambda i: sum(layer[i + 1:])                                    # noqa: E731  forward from h_i to h_L
    n_out = sizes[-1]
    if rule in ("bp", "fa", "gnt"):   # GNT's per-sample solves are not matrix products of the network: left out
        return fwd + fwd + (fwd - layer[1])
    if rule == "dfa":
        return fwd + fwd + sum(sizes[i] * n_out for i in range(1, L))
    if rule == "ddtp_linear":
        targets = sum(sizes[i] * n_out for i in range(1, L))
        feedback = sum(above(i) + 2 * sizes[i] * n_out for i in range(1, L))
    elif rule in ("dtp", "tp"):
        targets = sum(2 * layer[i] for i in range(2, L + 1))
        feedback = sum(3 * layer[i] for i in range(2, L + 1))
    elif rule == "drl":
        targets = sum(2 * layer[i] for i in range(2, L + 1))
        feedback = sum(layer[i] for i in range(2, L + 1)) + sum(
            above(i - 1) + sum(layer[k] for k in range(i + 1, L + 1)) + 3 * layer[i] for i in range(2, L + 1))
    elif rule == "ddtp_rhl":
        z = n_out * rhl
        q = lambda i: sizes[i] * (rhl if i < L - 1 else n_out)               # noqa: E731
        targets = 2 * z + sum(2 * q(i) for i in range(1, L))
        feedback = z + sum(above(i) + z + 4 * q(i) for i in range(1, L))
    else:
        raise ValueError(rule)
    return fwd + targets + fwd + feedback + extra_fb * (fwd + feedback)
