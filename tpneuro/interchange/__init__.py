"""Trained networks in other tools' formats: a pickled nengo.Network of a run (``tpneuro export``)."""
