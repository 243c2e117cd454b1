"""Settings of the nengo engine: time step, synapses, phase durations and the in-simulation learning rates.

In-simulation plasticity replaces the Adam optimizers of the rate engine (``optimizer`` and
``feedback_optimizer`` of a config are not used by this engine):

- forward weights: each presented sample is one SGD step of size ``learning_rate / beta`` on the local
  losses ||t_i - h_i||^2 (Meulemans et al. 2020, arXiv 2006.14331, Eq. 5; t_i - h_i scales with beta, so
  ``learning_rate`` is the paper's effective step lr/beta), spread over the nudged phase:
  dW_i/dt = (2 learning_rate / (beta T)) s'(J_i) (t_i - h_i) h_{i-1}^T with T = nudge_integral() (about the
  nudged phase less the rise time of the apical trace);
  the defaults, measured on digits (64-64-10, benchmarks/bench_nengo.py's config, seed 0): with one step for
  every layer, 0.2 peaked at 70.8 % test accuracy after 2 epochs and fell to 53-57 % by epochs 4-6, 0.1
  reached 85.6 % after 3 epochs and then stalled at a train loss of ~0.7 (an inverse-time decay 1/(1 + (e -
  1)/3) from 0.1 gave 79-84 % over epochs 4-9), 0.05 rose to ~80 % and stayed there (74-81 % over epochs 4-7).
  Presumably the hidden layer learns too slowly (its local error s'(J_1) (t_1 - h_1) is smaller than the
  readout's, and no Adam normalises each parameter's step as on the rate engine; not measured), so the hidden
  layers have their own step, ``hidden_learning_rate``: hidden 0.4 with the readout's ``learning_rate`` 0.05
  reached 89.4 % test after 2 epochs, hidden 0.4 with the readout at 0.1 83.6 %. The defaults are 0.05 and 0.4
  (benchmarks/bench_nengo.py reports what they reach);
- feedback weights: dQ_i/dt = (feedback_learning_rate / p) (u_i - Q_i dr_L) dr_L^T in the gated part of the
  noise phase, where u_i is the rate deviation the noise current causes in layer i and p the running power
  ||dr_L||^2 (normalised LMS; see feedback_rule.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..spiking_options import SpikingOptions


@dataclass(frozen=True)
class NengoOptions(SpikingOptions):
    """The shared spiking settings (tpneuro.engines.spiking_options) at nengo's defaults, and nengo's own."""

    source: ClassVar[str] = "nengo engine"

    dt: float = 0.001                    # nengo's default time step
    learning_rate: float = 0.05          # the readout's step; see the module docstring
    hidden_learning_rate: float | None = 0.4   # the hidden layers' step; see the module docstring
    progress_bar: bool = False           # nengo's progress bars (build; samples per call): False, True or a ProgressBar
