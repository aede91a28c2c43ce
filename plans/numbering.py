"""Sort plan items the way people read their numbers: "2.10" after "2.9", "a)" before "b)"."""

import re

_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def number_sort_key(number: str) -> str:
    """Return a string that sorts like the item's number, read as numbers and letters."""
    parts = []
    for token in _TOKEN.findall(number or ""):
        parts.append(token.zfill(8) if token.isdigit() else token.lower())
    return ".".join(parts)[:120]
