"""Reading the project's YAML files (configs, hardware profiles, sweep files) with one-line errors that
name the file, the position and the fix (DESIGN.md section 7), and no silently repeated keys."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | os.PathLike, what: str, example: str) -> Any:
    """The parsed content of the YAML file ``path`` (a ``what`` file, e.g. "config"); a missing file or
    malformed YAML raises ConfigError naming the file, the line and column, and the fix."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), "<file>", f"no such {what} file", f"give the path of a YAML file, e.g. {example}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), "<file>", f"is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start})", "save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(str(path), "<file>", f"cannot be read ({exc.strerror})",
                          f"give a readable {what} file") from None
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(str(path), "<yaml>", f"malformed YAML at {where}: {problem}",
                          "fix the YAML syntax (indentation, colons, quotes) there") from None
