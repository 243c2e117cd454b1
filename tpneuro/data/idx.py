"""Reader for the IDX file format of MNIST and Fashion-MNIST (plain or gzip-compressed).

Format (LeCun, Cortes & Burges, "The MNIST database", http://yann.lecun.com/exdb/mnist/): a 4-byte
magic number ``0x00 0x00 TT DD`` where ``TT`` codes the element type and ``DD`` the number of
dimensions, then ``DD`` big-endian unsigned 32-bit sizes, then the elements in C order, big-endian.
Xiao, Rasul & Vollgraf 2017 (arXiv 1708.07747) ship Fashion-MNIST in the same format.
"""
from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from ..errors import DatasetError

IDX_ELEMENT_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
"""Element type code ``TT`` of the magic number -> big-endian numpy dtype."""

_GZIP_MAGIC = b"\x1f\x8b"
REPLACE_FIX = "replace the file with an intact copy (for Fashion-MNIST: apt-get install --reinstall dataset-fashion-mnist)"
_MAGIC_BYTES = 4
_SIZE_BYTES = 4


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (plain, or gzip-compressed, recognised by its content) into a new array.

    The array has the file's shape and element type in native byte order, is C-contiguous and
    writable. A malformed magic number, a truncated header, a body whose length differs from the one
    the sizes declare, or a corrupt gzip stream raises a one-line DatasetError (a ValueError) whose message
    starts with the path and ends with the fix.
    """
    path = Path(path)
    content = _decompressed_bytes(path)
    if len(content) < _MAGIC_BYTES:
        raise DatasetError(f"{path}: truncated IDX file: {len(content)} bytes, shorter than the "
                           f"{_MAGIC_BYTES}-byte magic number; fix: {REPLACE_FIX}")
    type_code, ndim = content[2], content[3]
    if content[0] != 0 or content[1] != 0 or type_code not in IDX_ELEMENT_TYPES or ndim == 0:
        codes = ", ".join(f"{c:02x}" for c in IDX_ELEMENT_TYPES)
        raise DatasetError(f"{path}: bad IDX magic number 0x{content[:_MAGIC_BYTES].hex()} (expected "
                           f"0x0000TTDD with element type TT in {{{codes}}} and DD >= 1 dimensions); fix: "
                           f"{REPLACE_FIX}")
    header_bytes = _MAGIC_BYTES + _SIZE_BYTES * ndim
    if len(content) < header_bytes:
        raise DatasetError(f"{path}: truncated IDX header: {len(content)} bytes, the {ndim} sizes "
                           f"need {header_bytes}; fix: {REPLACE_FIX}")
    shape = tuple(int(s) for s in np.frombuffer(content, dtype=">u4", count=ndim, offset=_MAGIC_BYTES))
    element_type = IDX_ELEMENT_TYPES[type_code]
    n_elements = math.prod(shape)
    expected_bytes = header_bytes + n_elements * element_type.itemsize
    if len(content) != expected_bytes:
        kind = "truncated" if len(content) < expected_bytes else "trailing bytes in"
        raise DatasetError(f"{path}: {kind} IDX file: the header declares shape {shape} of "
                           f"{element_type.name} ({expected_bytes} bytes in all), the file holds "
                           f"{len(content)} bytes; fix: {REPLACE_FIX}")
    elements = np.frombuffer(content, dtype=element_type, count=n_elements, offset=header_bytes)
    return elements.reshape(shape).astype(element_type.newbyteorder("="), order="C", copy=True)


def _decompressed_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when they start with the gzip magic number."""
    content = path.read_bytes()
    if not content.startswith(_GZIP_MAGIC):
        return content
    try:
        return gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as err:
        raise DatasetError(f"{path}: corrupt or truncated gzip stream ({err}); fix: {REPLACE_FIX}") from None
