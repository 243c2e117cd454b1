"""pydantic's first validation error as the pieces of a one-line ConfigError: the dotted field and the message.

A custom validator's ValueError reads as its own sentence ("Value error, " dropped, no echo of the whole
input); other errors end with the offending value, "(got ...)"; a missing field has none.
"""
from __future__ import annotations

from pydantic import ValidationError


def first_error(exc: ValidationError) -> tuple[tuple, str, str]:
    """(loc, dotted field, message) of the first error of ``exc``."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    msg = err["msg"]
    if err["type"] == "value_error":
        msg = msg.removeprefix("Value error, ")
    got = "" if err["type"] in ("missing", "value_error") else f" (got {err.get('input')!r})"
    return loc, ".".join(str(p) for p in loc), msg + got
