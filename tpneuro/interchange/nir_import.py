"""Read a NIR graph into the layered network that tpneuro can simulate and deploy.

tpneuro maps feed-forward chains: ``Input -> Affine|Linear -> neuron -> ... -> Affine|Linear [-> neuron] ->
Output`` with neuron nodes ``CubaLIF``, ``LIF`` or ``IF`` (nir 1.0 nodes; Pedersen et al. 2024) and ``Flatten``
of a 1-D input as a no-op. Any other node type, a branch, a recurrent edge or two neuron nodes in a row is
refused with one line that names the file, the node and its type.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .nir_mapping import SpikingMapping

NEURON_TYPES = ("CubaLIF", "LIF", "IF")
DENSE_TYPES = ("Affine", "Linear")
SUPPORTED_TYPES = ("Input", "Output", "Flatten") + DENSE_TYPES + NEURON_TYPES
TPNEURO_PRODUCER = "tpneuro"


class NirImportError(ConfigError):
    """A NIR graph has a node, edge or parameter tpneuro cannot map."""


@dataclass(frozen=True)
class DenseStage:
    """y = weight x + bias (NIR Affine; Linear has a zero bias)."""

    name: str
    weight: np.ndarray       # (n_out, n_in)
    bias: np.ndarray         # (n_out,)


@dataclass(frozen=True)
class NeuronStage:
    """A layer of NIR neurons: ``kind`` is CubaLIF, LIF or IF; ``params`` the node's per-neuron arrays
    (tau_syn, tau_mem, w_in for CubaLIF; tau for LIF; r, v_leak, v_threshold, v_reset)."""

    name: str
    kind: str
    params: dict


@dataclass
class NirNetwork:
    """A NIR chain as layers: ``dense[i - 1]`` feeds ``neurons[i - 1]`` (None for a non-spiking output layer)."""

    dense: list[DenseStage]
    neurons: list[NeuronStage | None]
    metadata: dict = field(default_factory=dict)
    source: str = "NIR graph"

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        return (self.dense[0].weight.shape[1],) + tuple(d.weight.shape[0] for d in self.dense)

    @property
    def spiking_output(self) -> bool:
        """True when the last layer is a neuron layer (prediction = its spike counts), not a linear readout."""
        return self.neurons[-1] is not None

    @property
    def tpneuro_metadata(self) -> dict | None:
        """The ``tpneuro`` metadata that tpneuro's exporter writes (None for graphs from elsewhere)."""
        raw = self.metadata.get(TPNEURO_PRODUCER)
        return json.loads(raw) if isinstance(raw, str) else None

    def dt(self) -> float | None:
        """The time step the graph was written for: tpneuro's metadata, else tau / r of its LIF and CubaLIF
        nodes when every node agrees (the convention of snnTorch's exporter, r = tau_mem / dt); else None."""
        meta = self.tpneuro_metadata
        if meta is not None:
            return float(meta["mapping"]["dt"])
        ratios = []
        for n in self.neurons:
            if n is not None and n.kind in ("LIF", "CubaLIF"):
                tau = n.params["tau"] if n.kind == "LIF" else n.params["tau_mem"]
                ratios.append(np.asarray(tau, dtype=np.float64) / np.asarray(n.params["r"], dtype=np.float64))
        if not ratios:
            return None
        all_ratios = np.concatenate([np.ravel(r) for r in ratios])
        return float(all_ratios[0]) if np.allclose(all_ratios, all_ratios[0], rtol=1e-6) else None

    def mapping(self) -> SpikingMapping | None:
        meta = self.tpneuro_metadata
        return SpikingMapping.from_metadata(meta["mapping"]) if meta is not None else None

    def with_weights(self, weights: list[np.ndarray]) -> "NirNetwork":
        """The same network with the dense stages' weights replaced (e.g. as a chip stores them)."""
        dense = [DenseStage(d.name, np.asarray(w, dtype=d.weight.dtype), d.bias) for d, w in zip(self.dense, weights)]
        return NirNetwork(dense, self.neurons, self.metadata, self.source)


def _node_params(node, kind: str) -> dict:
    keys = {"CubaLIF": ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
            "LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
            "IF": ("r", "v_threshold", "v_reset")}[kind]
    out = {}
    for k in keys:
        value = getattr(node, k, None)
        if value is None and k in ("v_reset", "v_leak"):
            out[k] = np.zeros_like(np.asarray(node.v_threshold, dtype=np.float64))
        else:
            out[k] = np.ravel(np.asarray(value, dtype=np.float64))
    return out


def network_from_graph(graph, source: str = "NIR graph") -> NirNetwork:
    """The chain of ``graph`` (a nir.NIRGraph) as a NirNetwork; refuses what it cannot map (module docstring)."""
    names = {name: type(node).__name__ for name, node in graph.nodes.items()}
    for name, kind in names.items():
        if kind not in SUPPORTED_TYPES:
            raise NirImportError(source, f"node {name!r}", f"has type {kind}, which tpneuro cannot map",
                                 f"use a chain of {', '.join(SUPPORTED_TYPES)} nodes")
    successors: dict[str, list[str]] = {name: [] for name in graph.nodes}
    for a, b in graph.edges:
        for end in (a, b):
            if end not in graph.nodes:
                raise NirImportError(source, "edges", f"edge ({a!r}, {b!r}) names an unknown node {end!r}",
                                     "write every edge between nodes of the graph")
        successors[a].append(b)
    inputs = [n for n, k in names.items() if k == "Input"]
    if len(inputs) != 1:
        raise NirImportError(source, "nodes", f"{len(inputs)} Input nodes", "give the graph exactly one Input node")
    chain, seen, node = [], set(), inputs[0]
    while names[node] != "Output":
        if len(successors[node]) != 1:
            raise NirImportError(source, f"node {node!r}", f"({names[node]}) has {len(successors[node])} outgoing "
                                 "edges; tpneuro maps feed-forward chains only", "give every node one successor")
        seen.add(node)
        node = successors[node][0]
        if node in seen:
            raise NirImportError(source, f"node {node!r}", f"({names[node]}) is on a cycle; tpneuro maps "
                                 "feed-forward chains only", "remove the recurrent edge")
        chain.append(node)
    dense, neurons = [], []
    for name in chain[:-1]:
        node, kind = graph.nodes[name], names[name]
        if kind == "Flatten":
            continue
        if kind in DENSE_TYPES:
            w = np.asarray(node.weight, dtype=np.float64)
            if w.ndim != 2:
                raise NirImportError(source, f"node {name!r}", f"({kind}) has a weight of shape {w.shape}",
                                     "give dense layers a 2-D weight (n_out, n_in)")
            bias = np.asarray(node.bias, dtype=np.float64) if kind == "Affine" else np.zeros(w.shape[0])
            if len(dense) > len(neurons):
                neurons.append(None)        # two dense layers in a row: a linear layer between them
            dense.append(DenseStage(name, w, bias))
            continue
        if len(dense) <= len(neurons):
            raise NirImportError(source, f"node {name!r}", f"({kind}) does not follow an Affine or Linear node",
                                 "put a dense layer before every neuron layer")
        params = _node_params(node, kind)
        size = dense[-1].weight.shape[0]
        if any(np.size(v) != size for v in params.values()):
            raise NirImportError(source, f"node {name!r}", f"({kind}) has parameters of another size than the "
                                 f"{size} outputs of {dense[-1].name!r}", "give one value per neuron")
        neurons.append(NeuronStage(name, kind, params))
    if not dense:
        raise NirImportError(source, "nodes", "no Affine or Linear node between Input and Output",
                             "export a network with at least one dense layer")
    if len(neurons) < len(dense):
        neurons.append(None)
    for (a, b) in zip(dense, dense[1:]):
        if a.weight.shape[0] != b.weight.shape[1]:
            raise NirImportError(source, f"node {b.name!r}", f"takes {b.weight.shape[1]} inputs but {a.name!r} "
                                 f"gives {a.weight.shape[0]}", "make consecutive layer sizes match")
    if any(n is None for n in neurons[:-1]):
        first = next(d for d, n in zip(dense, neurons[:-1]) if n is None)
        raise NirImportError(source, f"node {first.name!r}", "is followed by another dense node without neurons "
                             "in between", "put a CubaLIF, LIF or IF node between dense layers")
    meta = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in (graph.metadata or {}).items()}
    return NirNetwork(dense, neurons, meta, source)


def read_nir(path: str | Path) -> NirNetwork:
    """Read the NIR file ``path`` (nir.read) as a NirNetwork; errors name the file."""
    import nir

    path = Path(path)
    if not path.is_file():
        raise NirImportError(str(path), "file", "does not exist", "give the path of a .nir file (HDF5)")
    try:
        graph = nir.read(str(path))
    except Exception as exc:   # h5py and nir raise many kinds of errors for a bad file
        raise NirImportError(str(path), "file", f"is not a readable NIR graph ({type(exc).__name__}: {exc})",
                             "write it with nir.write") from None
    return network_from_graph(graph, str(path))


def tpneuro_weights(net: NirNetwork) -> dict[str, np.ndarray]:
    """W_i, b_i of tpneuro's network model from a graph tpneuro wrote (the inverse of the Affine scales of
    tpneuro.interchange.nir_mapping); refuses a graph whose neurons are not tpneuro's LIF mapping."""
    mapping = net.mapping()
    if mapping is None:
        raise NirImportError(net.source, "metadata", "has no tpneuro mapping (the graph was written elsewhere)",
                             "deploy it with its own neuron model (tpneuro.interchange.deploy_nir)")
    L = len(net.dense)
    params = {}
    for i, d in enumerate(net.dense, start=1):
        w_scale, b_scale = mapping.layer_scales(i, L)
        params[f"W{i}"] = d.weight / w_scale
        params[f"b{i}"] = d.bias / b_scale
    return params
