"""The layer-at-a-time exact path (python-flint) behind symprop.gradients; it returns
exactly what the SymPy engine returns. Imports core and below. python-flint is optional:
nothing imported here needs it (symprop.fast.Unsupported, symprop.fast.FlintMissing).
"""

from .base import FlintMissing, Unsupported

__all__ = ["Unsupported", "FlintMissing"]
