"""The JAX engine's settings (config field ``engine_options``), validated when the config is checked."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import jax

from ...errors import ConfigError

DEVICES = ("cpu", "gpu")
PRNGS = ("threefry", "rbg")


@dataclass(frozen=True)
class JaxOptions:
    """``device``: where the programs run, ``cpu`` or ``gpu`` (None: JAX's default backend, a GPU when the
    accelerator extra ``tpneuro[gpu]`` found one); ``prng``: the ``jax.random`` implementation the training noise
    is drawn with (``threefry``, JAX's default, the same numbers on every device; or ``rbg``, XLA's
    RngBitGenerator, cheaper on a CPU); ``eval_batch_size``: inputs per compiled inference call; ``compile``: False
    runs the same programs op by op, without XLA's compilation (seconds per program): for checks of a few
    minibatches, far slower per epoch."""

    source: ClassVar[str] = "jax engine"

    device: str | None = None
    prng: str = "threefry"
    eval_batch_size: int = 2000
    compile: bool = True

    def __post_init__(self):
        if self.device is not None and self.device not in DEVICES:
            raise ConfigError(self.source, "device", f"unknown device {self.device!r}",
                              f"use one of {', '.join(DEVICES)}, or leave it unset for JAX's default")
        if self.device is not None and not _available(self.device):
            fix = ("install the accelerator extra, pip install 'tpneuro[gpu]', on a machine with an NVIDIA GPU, "
                   "or set engine_options.device: cpu") if self.device == "gpu" else "leave device unset"
            raise ConfigError(self.source, "device", f"JAX finds no {self.device} device here", fix)
        if self.prng not in PRNGS:
            raise ConfigError(self.source, "prng", f"unknown random number generator {self.prng!r}",
                              f"use one of {', '.join(PRNGS)}")
        if not isinstance(self.compile, bool):
            raise ConfigError(self.source, "compile", f"must be true or false (got {self.compile!r})",
                              "give true (compiled programs) or false (op by op, for short checks)")
        if not isinstance(self.eval_batch_size, int) or self.eval_batch_size < 1:
            raise ConfigError(self.source, "eval_batch_size", f"must be a positive integer (got {self.eval_batch_size!r})",
                              "give the number of inputs per inference call, e.g. 2000")

    def jax_device(self) -> jax.Device:
        """The device the programs run on."""
        return jax.devices(self.device)[0] if self.device is not None else jax.devices()[0]


def _available(device: str) -> bool:
    try:
        return bool(jax.devices(device))
    except RuntimeError:
        return False
