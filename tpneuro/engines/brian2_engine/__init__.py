"""The brian2 spiking engine (DESIGN.md section 4): ``--engine brian2``.

``Brian2Engine`` runs DDTP-linear and DFA (direct feedback from the output) and DRL (layer-wise feedback) with
in-simulation local plasticity written as brian2 equations, on
the numpy, cython or cpp_standalone target (``Brian2Options.target``); a compiled standalone network is re-run
with new inputs and weights through ``device.run(run_args=...)``. brian2 is imported only inside this package.
"""
from .engine import Brian2Engine
from .options import Brian2Options

__all__ = ["Brian2Engine", "Brian2Options"]
