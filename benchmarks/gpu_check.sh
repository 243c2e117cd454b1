#!/usr/bin/env bash
# The JAX engine's GPU checks as one script, for a machine with an NVIDIA GPU (targets set for an H100):
#
#   bash benchmarks/gpu_check.sh
#
# It installs the accelerator extra (tpneuro[gpu]: jax with CUDA 12) into .venv, prints the GPU, and runs
# bench_jax with the JAX engine on the GPU (the numpy engine on the CPU, in the same command): DDTP-linear and DRL in
# float32, one Fashion-MNIST epoch each (targets: under 0.5 s and under 1 s), and 32 seeds of DDTP-linear as one
# vmapped job (target: under 5 s per epoch). The results file, benchmarks/results/bench_jax--device-gpu-....json,
# records the GPU, the JAX version, the load average and the figures. Needs Fashion-MNIST in
# /usr/share/datasets/fashion-mnist (./setup.sh installs it as root with apt-get) and network access for pip.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || ./setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[gpu]'
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
.venv/bin/python -c "import jax; print('jax', jax.__version__, jax.devices('gpu'))"
.venv/bin/python benchmarks/bench_jax.py --device gpu --rules ddtp_linear,drl --dtypes float32 --repeats 3 --seeds 32
