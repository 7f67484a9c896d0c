"""The one matcher of ``*``-only globs, shared by baseline resources, IAM globs without ``?``,
CloudWatch Logs filter patterns and EventBridge wildcards.

A glob is cut at each ``*`` into literal pieces. The first piece is anchored at the start, the
last at the end, and each middle piece is found at its leftmost place after the previous one:
for globs whose only wildcard is ``*`` the leftmost place is always a safe choice, so nothing is
retried and a match is one pass of ``str.find`` over the text (no backtracking, no regex built
from attacker-chosen text: a regex of many stars backtracks catastrophically).
"""

from __future__ import annotations


def pieces_match(pieces: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` matches the glob whose literal pieces (``glob.split("*")``) are
    ``pieces``; one piece is an exact match."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, last = pieces[0], pieces[-1]
    if len(text) < len(first) + len(last):
        return False
    if not (text.startswith(first) and text.endswith(last)):
        return False
    at, end = len(first), len(text) - len(last)
    for piece in pieces[1:-1]:
        found = text.find(piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True
