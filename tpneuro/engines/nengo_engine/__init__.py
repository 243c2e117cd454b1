"""The nengo spiking engine (DESIGN.md section 4): ``--engine nengo``.

``NengoEngine`` runs DDTP-linear and DFA with in-simulation local plasticity on nengo's reference simulator;
``build_nengo_network(state)`` returns the nengo.Network of a TrainState for users to probe and run;
``tpneuro.interchange.nengo_network.network_from_run(run_dir)`` that of a trained run directory (``tpneuro export
RUN_DIR`` pickles it).
"""
from .engine import NengoEngine
from .feedback_rule import NoiseReconstructionRule
from .forward_rule import LocalTargetRule
from .network_builder import build_nengo_network
from .options import NengoOptions
from .presentation import Phase, Presentation

__all__ = ["LocalTargetRule", "NengoEngine", "NengoOptions", "NoiseReconstructionRule", "Phase", "Presentation",
           "build_nengo_network"]
