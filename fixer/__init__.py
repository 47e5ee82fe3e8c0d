"""guardfix: find and fix scripts that start processes without a ``__main__`` guard."""

from __future__ import annotations

__version__ = "0.1.0"
