"""IAM wildcard matching without backtracking.

A policy author controls every glob, so matching must not be exploitable: a regex such as
``a.*b.*c`` backtracks polynomially (exponentially with nested groups) in the number of stars.
Here a glob is run as a bit-parallel NFA (the Shift-And technique): one pass over the text,
one big-int ``<<``/``&``/``|`` per character, so the cost is O(len(text) * ceil(states / 64))
machine words, which is linear in the text for any real IAM glob (a managed policy is at most
6,144 characters). The common shapes (``*``, a literal, ``prefix*``) skip the NFA entirely.

Three dialects (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):

- actions: ``*`` any run, ``?`` one character, case-insensitive (``iam:*Policy*``);
- text (condition values under ``StringLike``): ``*`` any run, ``?`` one character,
  case-sensitive;
- resources (ARNs): case-sensitive; "wildcards within the individual segments of an ARN (the
  parts separated by colons)": ``?`` is one character other than ``:``, a ``*`` stays inside its
  segment, except that "if the ``*`` wildcard is the last character of a resource ARN segment,
  it can expand to match beyond the colon boundaries". So in ``arn:aws:s3:::a*b`` the star cannot
  swallow a colon, while in ``arn:aws:iam::*:role/x`` or ``arn:*`` it can.

Literal ``*``/``?``/``$`` produced by the policy-variable escapes ``${*}``, ``${?}``, ``${$}`` are
passed in as :data:`LITERAL_STAR` / :data:`LITERAL_QMARK` (private-use code points) so that a
compiled glob never confuses them with wildcards.

``covers(general, specific)`` decides glob *inclusion* (every string ``specific`` matches,
``general`` matches too) with the same NFA run over the specific glob's symbols. It is sound
(True means included) and complete for the shapes policies use; the admin and "on every role"
questions rely on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from iamgate.globs import pieces_match

Dialect = Literal["action", "resource", "text"]

LITERAL_STAR = "\ue000"
LITERAL_QMARK = "\ue001"

# Symbols of a glob read as text (for ``covers``): chosen outside anything an ARN can hold.
_SYM_QMARK = "\ue010"  # the specific glob's '?'
_SYM_STAR_ANY = "\ue011"  # its '*' that may cross ':'
_SYM_STAR_SEG = "\ue012"  # its '*' confined to a segment


@dataclass(frozen=True, slots=True)
class Glob:
    """A compiled IAM glob. Build with :func:`compile_glob` (cached)."""

    pattern: str
    dialect: Dialect
    # Fast paths: "all" (only stars), "literal", "prefix" (literal + one crossing star).
    shape: str
    literal: str  # the literal text for "literal"/"prefix" shapes
    # Bit-parallel NFA: state i = "the first i non-star tokens matched".
    accept: int = 0
    char_masks: dict[str, int] = field(default_factory=dict)  # char -> states entered on it
    qmark_mask: int = 0  # states entered on any character that '?' accepts
    star_any: int = 0  # states with a self-loop on any character
    star_seg: int = 0  # states with a self-loop on any character but ':'
    qmark_token_mask: int = 0  # states entered by a '?' token (accepts a '?' symbol)
    # The literal pieces between stars when the glob has no '?': a C-speed pre-filter that
    # treats every star as crossing (a superset of the glob), exact when every star crosses.
    pieces: tuple[str, ...] = ()
    exact_pieces: bool = False

    def matches(self, text: str) -> bool:
        """Whether the glob matches ``text`` entirely."""
        return self.matches_lowered(text.lower() if self.dialect == "action" else text)

    def matches_lowered(self, text: str) -> bool:
        """:meth:`matches` for text already lower-cased (actions) or an ARN."""
        if self.shape == "all":
            return True
        if self.shape == "literal":
            return text == self.literal
        if self.shape == "prefix":
            return text.startswith(self.literal)
        if self.pieces:
            if not pieces_match(self.pieces, text):
                return False
            if self.exact_pieces:
                return True
        return self._run(text)

    def _run(self, text: str) -> bool:
        masks = self.char_masks
        qmask = self.qmark_mask
        star_any = self.star_any
        star_all = star_any | self.star_seg
        resource = self.dialect == "resource"
        state = 1
        for ch in text:
            if resource and ch == ":":
                entered = masks.get(ch, 0)  # '?' never takes a colon in an ARN
                loops = star_any
            else:
                entered = masks.get(ch, qmask)
                loops = star_all
            state = ((state << 1) & entered) | (state & loops)
            if not state:
                return False
        return bool(state & self.accept)

    def covers(self, specific: str) -> bool:
        """Whether every string matched by glob ``specific`` is matched by this glob."""
        if self.shape == "all":
            return True
        symbols = _symbols(specific, self.dialect)
        if self.shape == "literal":  # only a literal (or nothing) is inside a literal
            return all(s < "\ue010" for s in symbols) and "".join(symbols) == self.literal
        if self.shape == "prefix":  # every string of `specific` starts with its literal prefix
            head = []
            for s in symbols:
                if s >= "\ue010":
                    break
                head.append(s)
            return "".join(head).startswith(self.literal)
        masks = self.char_masks
        qmask = self.qmark_mask
        star_any = self.star_any
        star_all = star_any | self.star_seg
        resource = self.dialect == "resource"
        state = 1
        for sym in symbols:
            if sym == _SYM_QMARK:
                entered, loops = self.qmark_token_mask, star_all
            elif sym == _SYM_STAR_ANY:
                entered, loops = 0, star_any
            elif sym == _SYM_STAR_SEG:
                entered, loops = 0, star_all
            elif resource and sym == ":":
                entered, loops = masks.get(sym, 0), star_any
            else:
                entered, loops = masks.get(sym, qmask), star_all
            state = ((state << 1) & entered) | (state & loops)
            if not state:
                return False
        return bool(state & self.accept)


def _star_crosses(pattern: str, i: int, dialect: Dialect) -> bool:
    """A resource star crosses ':' only as the last character of its segment."""
    return dialect != "resource" or i + 1 == len(pattern) or pattern[i + 1] == ":"


def _symbols(specific: str, dialect: Dialect) -> list[str]:
    """A glob as text for the inclusion test: its wildcards become reserved symbols."""
    if dialect == "action":
        specific = specific.lower()
    out = []
    for i, ch in enumerate(specific):
        if ch == "*":
            out.append(_SYM_STAR_ANY if _star_crosses(specific, i, dialect) else _SYM_STAR_SEG)
        elif ch == "?":
            out.append(_SYM_QMARK)
        elif ch == LITERAL_STAR:
            out.append("*")
        elif ch == LITERAL_QMARK:
            out.append("?")
        else:
            out.append(ch)
    return out


@lru_cache(maxsize=65536)
def compile_glob(pattern: str, dialect: Dialect) -> Glob:
    source = pattern
    if dialect == "action":
        pattern = pattern.lower()
    stars = [i for i, ch in enumerate(pattern) if ch == "*"]
    plain = pattern.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?")
    if "?" not in pattern:
        if len(stars) == len(pattern):
            return Glob(source, dialect, "all" if stars else "literal", "")
        if not stars:
            return Glob(source, dialect, "literal", plain)
        if stars == [len(pattern) - 1]:  # a trailing star always crosses
            return Glob(source, dialect, "prefix", plain[:-1])
    masks: dict[str, int] = {}
    qmark = star_any = star_seg = 0
    state = 0  # tokens consumed so far
    for i, ch in enumerate(pattern):
        if ch == "*":
            if _star_crosses(pattern, i, dialect):
                star_any |= 1 << state
            else:
                star_seg |= 1 << state
            continue
        state += 1
        bit = 1 << state
        if ch == "?":
            qmark |= bit
        else:
            literal = "*" if ch == LITERAL_STAR else "?" if ch == LITERAL_QMARK else ch
            masks[literal] = masks.get(literal, 0) | bit
    pieces: tuple[str, ...] = ()
    if "?" not in pattern:
        pieces = tuple(
            p.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?") for p in pattern.split("*")
        )
    # A '?' token also accepts every character that some literal token names (except ':').
    char_masks = {
        ch: m | (0 if dialect == "resource" and ch == ":" else qmark) for ch, m in masks.items()
    }
    return Glob(
        source,
        dialect,
        "nfa",
        "",
        accept=1 << state,
        char_masks=char_masks,
        qmark_mask=qmark,
        star_any=star_any,
        star_seg=star_seg & ~star_any,
        qmark_token_mask=qmark,
        pieces=pieces,
        exact_pieces=bool(pieces) and not star_seg & ~star_any,
    )


def match_action(pattern: str, action: str) -> bool:
    return compile_glob(pattern, "action").matches(action)


def matches(glob: str, value: str) -> bool:
    """IAM action match: ``*`` any run, ``?`` one character, case-insensitive."""
    return match_action(glob, value)


def match_text(pattern: str, value: str) -> bool:
    """``StringLike``: ``*`` any run, ``?`` one character, case-sensitive."""
    return compile_glob(pattern, "text").matches(value)


def match_resource(pattern: str, arn: str) -> bool:
    return compile_glob(pattern, "resource").matches(arn)


@lru_cache(maxsize=65536)
def covers_action(general: str, specific: str) -> bool:
    return compile_glob(general, "action").covers(specific)


@lru_cache(maxsize=65536)
def covers_resource(general: str, specific: str) -> bool:
    return compile_glob(general, "resource").covers(specific)


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def literal_prefix(pattern: str) -> str:
    """The text before the first wildcard (for range look-ups in sorted ARN lists)."""
    cut = len(pattern)
    for wild in ("*", "?"):
        at = pattern.find(wild)
        if at != -1:
            cut = min(cut, at)
    return pattern[:cut].replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?")


def may_overlap(a: str, b: str, dialect: Dialect) -> bool:
    """Whether two globs may match a common string (sound for "no": False means disjoint).

    Used where exactness would need a product automaton and a wrong "yes" only costs a
    conservative answer: literal prefixes that disagree prove the globs disjoint, and so do
    literal suffixes; otherwise inclusion either way proves overlap, and anything else is
    assumed to overlap.
    """
    if dialect == "action":
        a, b = a.lower(), b.lower()
    pa, pb = literal_prefix(a), literal_prefix(b)
    if not (pa.startswith(pb) or pb.startswith(pa)):
        return False
    sa, sb = literal_prefix(a[::-1])[::-1], literal_prefix(b[::-1])[::-1]
    if not (sa.endswith(sb) or sb.endswith(sa)):
        return False
    if not has_wildcard(a):
        return compile_glob(b, dialect).matches(a)
    if not has_wildcard(b):
        return compile_glob(a, dialect).matches(b)
    return True
