"""``*`` wildcards of CloudWatch Logs filter patterns and EventBridge event patterns.

Not :mod:`iamgate.policy.wildcard`: IAM globs also have ``?`` and match actions without regard to
case, while here ``*`` is the only wildcard, case always matters, and EventBridge escapes ``\\*``
and ``\\\\``. One module serves both pattern languages.

A glob is cut at each ``*`` into literal pieces. Matching anchors the first piece at the start,
the last at the end, and finds each middle piece at its leftmost place after the previous one:
for ``*``-only globs the leftmost place is always a safe choice, so nothing is retried and a
match is one pass over the text (no backtracking, no regex built from account data).
"""

from __future__ import annotations

from iamgate.globs import pieces_match as match  # the one ``*``-piece matcher

__all__ = ["escaped_segments", "match", "segments"]


def segments(pattern: str) -> tuple[str, ...]:
    """The literal pieces between ``*`` (CloudWatch Logs has no escape for ``*``)."""
    return tuple(pattern.split("*"))


def escaped_segments(pattern: str) -> tuple[str, ...] | str:
    """Pieces of an EventBridge ``wildcard`` value, or why it is invalid.

    EventBridge (aws/event-ruler): ``\\*`` is a literal star, ``\\\\`` a literal backslash, any
    other escape is invalid, and two consecutive wildcards are not allowed.
    """
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    previous_star = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in "*\\":
                return f"invalid escape at character {i + 1} (only \\* and \\\\ are allowed)"
            current.append(pattern[i + 1])
            i += 2
            previous_star = False
            continue
        if char == "*":
            if previous_star:
                return "consecutive wildcard characters are not allowed"
            pieces.append("".join(current))
            current = []
            previous_star = True
        else:
            current.append(char)
            previous_star = False
        i += 1
    pieces.append("".join(current))
    return tuple(pieces)
