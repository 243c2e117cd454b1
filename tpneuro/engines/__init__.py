"""Engines run a network description: the rate engine (reference) and the spiking engines."""
from .protocol import BatchResult, Engine, Evaluation
from .registry import ENGINES, get_engine
from .train_state import TrainState

__all__ = ["BatchResult", "ENGINES", "Engine", "Evaluation", "TrainState", "get_engine"]
