"""Every registered engine through the engine contract suite, and every spiking engine through the agreement
suite with the rate engine (tests/engine_contract_suite.py, tests/spiking_agreement_suite.py)."""
from engine_contract_suite import *  # noqa: F401,F403
from spiking_agreement_suite import *  # noqa: F401,F403
