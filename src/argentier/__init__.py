"""Argentier: open, self-hosted AI tools for finance teams."""

from argentier.errors import ArgentierError, InputError

__version__ = "0.1.0"

__all__ = ["ArgentierError", "InputError", "__version__"]
