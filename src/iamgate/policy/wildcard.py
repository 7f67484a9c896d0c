"""IAM wildcard matching: ``*`` any run, ``?`` one character."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(glob: str, value: str) -> bool:
    """IAM wildcard match: ``*`` any run, ``?`` one character, case-insensitive."""
    return _pattern(glob).fullmatch(value) is not None
