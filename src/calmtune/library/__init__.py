"""The SQLite library index: the only package that runs SQL."""

from calmtune.library.index import Library

__all__ = ["Library"]
