"""What lets one piece of arithmetic run on numpy and on jax.numpy: the array namespace of its inputs, and the
interface of a source of random draws (DESIGN.md section 8, "a compiled engine")."""
from .draws import DrawSource
from .namespace import float64_array, namespace

__all__ = ["DrawSource", "float64_array", "namespace"]
