"""An engine defined here, in the test only, is registered and runs through the whole engine contract suite
(tests/engine_contract_suite.py) with nothing else edited: the suite takes every engine-specific setting from the
engine's own declarations.

The toy is the rate engine's arithmetic behind narrower declarations (direct feedback only, soft-LIF hidden units,
chips with a weight grid and no other feature), as a new engine would start out.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from engine_contract_suite import *  # noqa: F401,F403
from tpneuro.engines import ENGINES, EngineCapabilities, register_engine
from tpneuro.engines.rate_engine import RateEngine


class ToyDirectEngine(RateEngine):
    name = "toy_direct"
    capabilities = replace(EngineCapabilities(), wirings=frozenset({"direct"}),
                           hidden_activations=frozenset({"soft_lif"}), profile_features=frozenset({"weight_grid"}),
                           why="the toy engine")


@pytest.fixture
def engine_name():
    """The toy engine, registered for the test and removed again."""
    register_engine(ToyDirectEngine.name, ToyDirectEngine)
    yield ToyDirectEngine.name
    del ENGINES[ToyDirectEngine.name]
