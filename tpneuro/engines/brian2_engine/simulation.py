"""One built brian2 network on one code-generation target, run many times with new values.

- ``numpy`` / ``cython`` (brian2 runtime mode): the network is built once and stored at t = 0; every run
  restores it, writes the new TimedArray values in place and the new initial values, and runs. cython
  compiles each code object once (cached in ~/.cython across processes).
- ``cpp_standalone``: the network is built once into a C++ project with ``build(run=False)`` and compiled
  once; every run calls ``device.run(run_args=...)``, which starts the compiled binary with new TimedArray
  values and initial values of variables (brian2 >= 2.6) and no recompilation. brian2 compiles a seed into
  the program (or seeds from std::random_device); this one reseeds its generators at start from the
  environment variable ``TPNEURO_RUN_SEED`` that every run sets (SEED_FROM_ENVIRONMENT), so its random
  numbers (stochastic units, stochastic rounding) follow the trainer's generator as on the runtime targets.

Compiled projects are cached in ``$TPNEURO_BRIAN2_CACHE`` (default ~/.cache/tpneuro/brian2), one per build and Python
environment; processes that build the same project at once take turns under a file lock. Each Simulation runs the
program in a run directory of its own inside the project (the binary and the build's static arrays linked into
it): brian2 writes a run's values into ``static_arrays`` under names made from their content, so two processes
running the same project with equal values (the schedule's gates) would share a file, and the one that removes
its run's files afterwards would pull it from under the other.

brian2's devices are process-global. Each standalone Simulation owns its own CPPStandaloneDevice instance and
activates it only while it builds, runs or reads results, then restores the device that was active before;
runtime Simulations activate brian2's runtime device the same way. So several builds, other brian2 users and
the other engines do not see each other's state.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from filelock import FileLock

from .network_builder import Brian2Network, BuildSpec, build_network
from .options import Brian2Options
from .schedule import Layout

# C++ inserted into the standalone program's main, after brian_start() has created the generators (one per
# OpenMP thread) and before the network runs: generator k is seeded with TPNEURO_RUN_SEED + k
SEED_VARIABLE = "TPNEURO_RUN_SEED"
SEED_FROM_ENVIRONMENT = (f'if (const char* _seed = std::getenv("{SEED_VARIABLE}")) '
                         "for (size_t _k = 0; _k < brian::_random_generators.size(); _k++) "
                         "brian::_random_generators[_k].seed(std::stoul(_seed) + _k);")
CACHE_ROOT = Path(os.environ.get("TPNEURO_BRIAN2_CACHE", Path.home() / ".cache" / "tpneuro" / "brian2"))
_run_directories = [0]


class Simulation:
    """A built network and the way to run it with new values on its target."""

    def __init__(self, spec: BuildSpec, layout: Layout, options: Brian2Options, fixed_q: dict[str, np.ndarray]):
        import brian2 as b2

        self.options, self.target = options, options.target
        # object names from the build's content: distinct builds in one process get distinct names (brian2
        # numbers clashing names, which would change the code), identical builds in any process the same names,
        # hence identical code (cython's cache, make's up-to-date check of a cached standalone project)
        digest = hashlib.sha1(repr((spec, options.build_options())).encode()).hexdigest()[:16]
        # the standalone project's makefile names this interpreter's include folder: one project per environment
        project = hashlib.sha1(f"{digest}{sys.prefix}".encode()).hexdigest()[:16]
        prefix = f"tp{digest[:8]}"
        self.build_seconds = 0.0
        start = time.perf_counter()
        if self.target == "cpp_standalone":
            from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

            self.device = CPPStandaloneDevice()
            root = Path(options.directory) if options.directory else CACHE_ROOT
            self.directory = str(root / project)
            _run_directories[0] += 1
            run_name = f"run_{os.getpid()}_{_run_directories[0]}"
            self.run_directory: Path | None = None
            atexit.register(self.close)
            with self.active():
                self.net: Brian2Network = build_network(spec, layout, options, fixed_q, prefix)
                self.device.insert_code("main", SEED_FROM_ENVIRONMENT)
                self.net.network.run(self.net.duration * b2.second, namespace={})
                # the results directory name is compiled into the project: build with a fixed one so that
                # identical builds in other processes find nothing to recompile; runs use their own. Processes
                # that build the same project at once take turns (filelock), so none runs a half-written binary
                root.mkdir(parents=True, exist_ok=True)
                with FileLock(root / f"{project}.lock"):
                    self.device.build(directory=self.directory, results_directory="results", compile=True,
                                      run=False, with_output=False)
                    self.run_directory = private_run_directory(Path(self.directory), run_name)
                # brian2 writes run values into its project directory's static_arrays: this Simulation's own
                self.device.project_dir = str(self.run_directory)
        else:
            from brian2.devices.device import all_devices

            self.device = all_devices["runtime"]
            with self.active():
                self.net = build_network(spec, layout, options, fixed_q, prefix)
                self.net.network.store("initial")
        self.build_seconds = time.perf_counter() - start
        self.runs = 0

    @contextmanager
    def active(self):
        """This simulation's device (and code-generation target) active for the duration of the block."""
        import brian2 as b2
        from brian2.devices.device import reset_device, set_device

        previous_target = b2.prefs.codegen.target
        set_device(self.device, build_on_run=False)
        if self.target != "cpp_standalone":
            b2.prefs.codegen.target = self.target
        try:
            yield
        finally:
            b2.prefs.codegen.target = previous_target
            reset_device()

    @property
    def binary(self) -> str | None:
        """Path of the compiled standalone program (None for runtime targets)."""
        return os.path.join(self.directory, "main") if self.target == "cpp_standalone" else None

    def run(self, timed: dict[str, np.ndarray], variables: dict[tuple[object, str], np.ndarray],
            steps: int | None = None, seed: int = 0) -> None:
        """One run of the schedule with TimedArray values ``timed`` (name -> array of the built shape) and
        initial values ``variables`` ((group, name) -> array). Runtime targets stop after ``steps`` time steps
        (the compiled standalone program always runs its whole built duration). Every target draws the run's
        random numbers (stochastic units and rounding) from ``seed``: brian2.seed on the runtime targets, the
        program's reseeding (SEED_FROM_ENVIRONMENT) in cpp_standalone (a different generator: the same seed
        gives other numbers than numpy's)."""
        import brian2 as b2

        with self.active():
            if self.target == "cpp_standalone":
                # a gate no code object reads (e.g. learn_feedback without feedback learning) is not in the
                # compiled program, which refuses to set it; leaving it out changes nothing
                args = {self.net.timed[name]: np.asarray(v, dtype=float) for name, v in timed.items()
                        if self.net.timed[name] in self.device.timed_arrays}
                args.update({getattr(group, name): np.asarray(v, dtype=float) for (group, name), v in variables.items()})
                self.device.run_environment_variables[SEED_VARIABLE] = str(int(seed))
                self.device.run(directory=str(self.run_directory), results_directory="results", run_args=args,
                                with_output=False)
                os.environ.pop(SEED_VARIABLE, None)     # brian2 set it for the program; unset, it logs no overwrite
                self._remove_run_arrays()
            else:
                self.net.network.restore("initial")
                b2.seed(seed)
                for name, v in timed.items():
                    self.net.timed[name].values[...] = np.asarray(v, dtype=float).reshape(self.net.timed[name].values.shape)
                for (group, name), v in variables.items():
                    setattr(group, name, np.asarray(v, dtype=float))
                n = self.net.layout.steps_per_run if steps is None else min(steps, self.net.layout.steps_per_run)
                self.net.network.run(n * self.options.dt * b2.second, namespace={})
        self.runs += 1

    def read(self, group, name: str) -> np.ndarray:
        with self.active():
            return np.array(getattr(group, name)[:], dtype=float)

    def apical_traces(self, layer: int) -> np.ndarray:
        """The recorded apical signal A of hidden layer ``layer``'s first neurons in the last run, shape (steps,
        neurons) (record builds)."""
        with self.active():
            return np.array(self.net.apical_monitors[layer - 1].A[:], dtype=float).T

    def spike_monitor(self, population: str) -> tuple[np.ndarray, np.ndarray]:
        """(neuron indices, spike time steps) recorded in the last run (record builds)."""
        with self.active():
            mon = self.net.monitors[population]
            return np.asarray(mon.i[:], dtype=int), np.rint(np.asarray(mon.t_[:]) / self.options.dt).astype(int)

    def _remove_run_arrays(self) -> None:
        """run_args arrays are written into the run directory's static_arrays; remove them so a long run does not
        fill the disk (brian2 keeps them until device.delete)."""
        for fname in self.device.run_args_arrays:
            path = os.path.join(self.run_directory, "static_arrays", fname)
            for p in (path, path + ".lock"):
                if os.path.exists(p):
                    os.remove(p)
        self.device.run_args_arrays.clear()

    def close(self) -> None:
        """Remove this Simulation's run directory (the compiled project stays in the cache)."""
        if self.target == "cpp_standalone" and self.run_directory is not None:
            shutil.rmtree(self.run_directory, ignore_errors=True)

    def __del__(self):
        try:
            self.close()
        except Exception:   # noqa: BLE001 - interpreter shutdown
            pass


def private_run_directory(project: Path, name: str) -> Path:
    """``project/name``, made afresh: the compiled program ``main`` and every file of the build's static_arrays
    linked into it (hard links, copies where the file system has none), and an empty ``results``."""
    run = project / name
    shutil.rmtree(run, ignore_errors=True)
    (run / "static_arrays").mkdir(parents=True)
    (run / "results").mkdir()
    arrays = [p for p in sorted((project / "static_arrays").iterdir()) if p.suffix != ".lock"]
    for source in [project / "main", *arrays]:
        target = run / source.relative_to(project)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    return run


_BUILDS: dict[tuple, Simulation] = {}


def cached_simulation(spec: BuildSpec, layout: Layout, options: Brian2Options,
                      fixed_q: dict[str, np.ndarray]) -> Simulation:
    """One Simulation per (build spec, options) in this process, shared by all engine instances."""
    key = (spec, options.build_options())
    if key not in _BUILDS:
        _BUILDS[key] = Simulation(spec, layout, options, fixed_q)
    return _BUILDS[key]
