"""``python -m tpneuro.cli``: the ``tpneuro`` command."""
from . import main

if __name__ == "__main__":      # importing the module (as the API reference's generator does) runs nothing
    main()
