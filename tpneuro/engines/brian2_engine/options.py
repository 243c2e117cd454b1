"""Settings of the brian2 engine: code-generation target, neuron model, time step, phase durations and the
in-simulation learning rates.

In-simulation plasticity replaces the Adam optimizers of the rate engine (a config's ``optimizer`` and
``feedback_optimizer`` are not used by this engine):

- forward weights: one nudged phase is one SGD step of size ``learning_rate / beta`` on the local loss
  ||t_i - h_i||^2 (Meulemans et al. 2020, arXiv 2006.14331, Eq. 5; ``learning_rate`` is the paper's effective
  step lr/beta): dW_i/dt = kappa s'(J_i) (t_i - h_i) h_{i-1}^T with kappa = 2 learning_rate / (beta T) and
  T = nudge_integral() (tpneuro.engines.spiking_schedule.forward_rate_constant);
- feedback weights: dQ_i/dt = (feedback_learning_rate / p) (u_i - Q_i dr_L) dr_L^T in the gated part of the
  noise windows (normalised LMS on the difference reconstruction loss; see plasticity.py), each ON and OFF
  synapse with its own weight (``feedback_pairs``: untied, or tied as a non-local shortcut; ``coder_baseline``:
  push-pull coders in the noise windows, a local way to keep untied halves together), normalised by
  the power of the neuron's own presynaptic signals (``feedback_normaliser``: neuron, or one sum per layer
  broadcast to its neurons).

The weight changes accumulate in the synapses and are written once per sample (a chip's learning epoch),
rounded onto the chip's grid when a hardware profile is set.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from ...errors import ConfigError
from ...hardware.profile import NEURON_MODELS as PROFILE_NEURON_MODELS
from ..spiking_options import STEP_BOUNDED, SpikingOptions
from .plasticity import FEEDBACK_NORMALISERS, FEEDBACK_PAIRS

TARGETS = ("cpp_standalone", "cython", "numpy")

# Settings for long online runs (benchmarks/bench_brian2.py --fashion-mnist): a 0.5 ms time step (LIF spike
# times on a 0.5 ms grid; error_rate * dt = 0.5, the limit) and 105 ms instead of 175 ms per training sample:
# settle 30 | average 20 | one noise window 10 + 15 | resettle 10 | nudge 20 ms. The feedback learning rate is
# scaled by the gated time per sample (40 ms -> 15 ms), so Q moves as far per sample as with the defaults.
# The 20 ms average (10 ms before) is for the readout: on Fashion-MNIST 784-256-10 (init_gain 3) its free-phase
# logits correlate with the rate engine's at 0.992 and pick the same class on 94 % of samples (0.972 and 82 %
# with 10 ms).
FAST: dict = {"dt": 5e-4, "settle": 0.03, "average": 0.02, "noise_windows": 1, "noise_settle": 0.01,
              "noise_learn": 0.015, "resettle": 0.01, "nudge": 0.02, "feedback_learning_rate": 8.0,
              "samples_per_run": 64}
NEURON_MODELS = ("auto",) + PROFILE_NEURON_MODELS


@dataclass(frozen=True)
class Brian2Options(SpikingOptions):
    """The shared spiking settings (tpneuro.engines.spiking_options) at brian2's defaults, and brian2's own."""

    source: ClassVar[str] = "brian2 engine"
    step_bounded: ClassVar[tuple[str, ...]] = STEP_BOUNDED + ("synapse", "feedback_synapse", "readout_synapse")

    dt: float = 1e-4                     # s; LIF spike times are quantised to dt
    learning_rate: float = 0.2           # SGD step per sample on the local losses, times beta
    target: str = "cpp_standalone"       # brian2 code generation: cpp_standalone | cython | numpy
    neuron_model: str = "auto"           # lif | loihi_cuba | auto (the chip profile's units.neuron_model, else lif)
    samples_per_run: int = 32            # training samples per compiled run (the binary's capacity)
    directory: str = ""                  # cpp_standalone project root ("" = a temporary directory)
    feedback_pairs: str = "untied"       # untied: ON and OFF feedback synapses learn their own weights (local);
                                         # tied: both read the pair's summed trace, ON copied over OFF (non-local)
    coder_baseline: float | None = None  # Hz of every ON/OFF coder at zero signal in the noise windows (push-pull
                                         # pairs: both halves see every sample); None: rectified, silent at zero
    feedback_normaliser: str = "neuron"  # neuron: each neuron sums its own synapses' presynaptic power;
                                         # layer: one sum per coder population, linked to every neuron (non-local)

    def __post_init__(self):
        for name, value, choices in (("target", self.target, TARGETS), ("neuron_model", self.neuron_model, NEURON_MODELS),
                                     ("feedback_pairs", self.feedback_pairs, FEEDBACK_PAIRS),
                                     ("feedback_normaliser", self.feedback_normaliser, FEEDBACK_NORMALISERS)):
            if value not in choices:
                what = {"target": "target", "neuron_model": "neuron model"}.get(name, "value")
                raise ConfigError(self.source, name, f"unknown {what} {value!r}", f"use one of {', '.join(choices)}")
        super().__post_init__()
        if self.coder_baseline is not None and self.coder_baseline > self.error_rate / 2:
            raise ConfigError(self.source, "coder_baseline", f"{self.coder_baseline} Hz is above error_rate / 2 = "
                              f"{self.error_rate / 2} Hz", "give a lower rate, or leave it unset for rectified coders")
        if self.error_rate * self.dt > 0.5:
            raise ConfigError(self.source, "error_rate", f"{self.error_rate} Hz fires more than once per two steps "
                              f"at dt = {self.dt} s", "lower error_rate or dt")

    def build_options(self) -> Brian2Options:
        """These options less the ones that are values of a run (learning rates, noise size, project root):
        builds that differ only in those share one compiled program."""
        return replace(self, learning_rate=1.0, hidden_learning_rate=None, feedback_learning_rate=1.0, noise_current=1.0,
                       reconstruction_learning_rate=1.0, directory="")
