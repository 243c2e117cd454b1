"""Trained networks in other tools' formats, and networks from other tools onto tpneuro's chips.

- a pickled nengo.Network of a run (``tpneuro export``; nengo_network.py);
- NIR, the Neuromorphic Intermediate Representation (Pedersen et al. 2024, Nat. Commun. 15:8122; the optional
  ``nir`` package: ``pip install tpneuro[nir]``): :func:`export_nir` writes a trained run's inference path as
  Affine and CubaLIF nodes (nir_export.py; the mapping of tpneuro's LIF onto NIR's equations and its time step
  in nir_mapping.py); :func:`read_nir` reads a graph into a layered network, refusing what it cannot map
  (nir_import.py); :func:`deploy_nir` deploys a graph onto modeled chips (nir_deployment.py), simulating graphs
  from other tools step by step (nir_simulation.py).

Importing this package imports neither ``nir`` nor ``nengo``; the functions do when called.
"""
from .nir_deployment import deploy_nir, predict_nir
from .nir_export import export_nir
from .nir_import import NirImportError, NirNetwork, read_nir
from .nir_mapping import SpikingMapping, regular_spike_trains

__all__ = ["NirImportError", "NirNetwork", "SpikingMapping", "deploy_nir", "export_nir", "predict_nir", "read_nir",
           "regular_spike_trains"]
