"""Case-insensitive search that works for every alphabet on SQLite too.

SQLite's LIKE folds case for ASCII letters only, so "коваленко" would not find "Коваленко"
(PostgreSQL compares UPPER() of both sides and has no such gap). Each new SQLite connection
gets a LIKE of its own with Unicode case folding; Django's `icontains` keeps its meaning.
"""

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _like_regex(pattern: str, escape: str | None) -> re.Pattern:
    parts = []
    chars = iter(pattern)
    for char in chars:
        if escape and char == escape:
            parts.append(re.escape(next(chars, "")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(pattern, value, escape=None):
    """SQLite's like(X, Y[, Z]) for `Y LIKE X ESCAPE Z`."""
    if pattern is None or value is None:
        return None
    return _like_regex(str(pattern), escape).fullmatch(str(value)) is not None


def install_unicode_like(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    for arity in (2, 3):
        connection.connection.create_function("like", arity, unicode_like, deterministic=True)
