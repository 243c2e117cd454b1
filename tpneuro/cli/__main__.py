"""``python -m tpneuro.cli``: the ``tpneuro`` command."""
from . import main

main()
