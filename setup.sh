#!/usr/bin/env bash
# Sets up tpneuro in ./.venv: finds Python 3.13, installs the package (editable) with its dependencies and
# the extras the README's commands need (sweeps: Ray; test: pytest; docs: Sphinx, as the tests build the
# documentation), and (as root, with apt-get) the Debian Fashion-MNIST dataset. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")"

find_python() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
    for cand in python3.13 "$(command -v pyenv >/dev/null && pyenv root 2>/dev/null)/versions/"3.13*/bin/python3.13 \
                /root/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do
        if "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then echo "$cand"; return; fi
    done
    echo "setup.sh: Python 3.13 not found; install it (e.g. 'pyenv install 3.13') or set PYTHON=/path/to/python3.13" >&2
    exit 1
}

if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[sweeps,test,docs,nir,spyx]"

if [ ! -d /usr/share/datasets/fashion-mnist ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null) \
        || echo "setup.sh: could not install dataset-fashion-mnist; Fashion-MNIST configs need dataset.path" >&2
fi
