"""Engines run a network description: the rate engine (reference) and the spiking engines, all through one
contract (tpneuro.engines.protocol) and declared capabilities (tpneuro.engines.capabilities)."""
from .capabilities import EngineCapabilities, check_capabilities
from .protocol import BatchResult, Engine, Evaluation, SpikeRecording, SpikingEngine
from .registry import ENGINES, engine_settings, get_engine, get_engine_class, register_engine
from .train_state import TrainState

__all__ = ["BatchResult", "ENGINES", "Engine", "EngineCapabilities", "Evaluation", "SpikeRecording", "SpikingEngine",
           "TrainState", "check_capabilities", "engine_settings", "get_engine", "get_engine_class", "register_engine"]
