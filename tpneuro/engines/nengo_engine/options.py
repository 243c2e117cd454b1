"""Settings of the nengo engine: time step, synapses, phase durations and the in-simulation learning rates.

In-simulation plasticity replaces the Adam optimizers of the rate engine (``optimizer`` and
``feedback_optimizer`` of a config are not used by this engine):

- forward weights: each presented sample is one SGD step of size ``learning_rate / beta`` on the local
  losses ||t_i - h_i||^2 (Meulemans et al. 2020, arXiv 2006.14331, Eq. 5; t_i - h_i scales with beta, so
  ``learning_rate`` is the paper's effective step lr/beta), spread over the nudged phase:
  dW_i/dt = (2 learning_rate / (beta T)) s'(J_i) (t_i - h_i) h_{i-1}^T with T = nudge_integral() (about the
  nudged phase less the rise time of the apical trace);
  the default 0.1 is half the brian2 engine's 0.2: on digits (64-64-10, benchmarks/bench_nengo.py, seed 0)
  0.2 peaked at 70.8 % test accuracy after 2 epochs and fell to 53-57 % by epochs 4-6 (presumably per-sample
  steps near the LMS stability limit of the readout; not measured), 0.1 reached 85.6 % after 3 epochs, 0.05
  rose to ~80 % and stayed there (74-81 % over epochs 4-7);
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
    learning_rate: float = 0.1           # see the module docstring for why 0.1
    progress_bar: bool = False           # nengo's progress bars (build; samples per call): False, True or a ProgressBar
