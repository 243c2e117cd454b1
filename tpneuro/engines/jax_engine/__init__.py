"""The compiled engine: the rules' own arithmetic (tpneuro.rules, tpneuro.hardware, tpneuro.engines.minibatch)
traced by JAX into one XLA program per epoch (``jax.lax.scan`` over the minibatches), for one network or, with
``jax.vmap``, for many networks of one shape at once, on a CPU or a GPU.

Importing this package imports JAX and switches on its 64-bit types (float64 networks need them; float32 networks
stay float32). The registry imports it only when the engine ``jax`` is asked for.
"""
from .engine import JaxEngine
from .options import JaxOptions

__all__ = ["JaxEngine", "JaxOptions"]
