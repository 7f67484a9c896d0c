"""Sets of positions in one universe (users and roles, groups, or policies) whose cost follows
what they hold: a bitset (a Python ``int``) for what many principals share, and a small
frozenset for what is one principal's own.

Why two parts: a set shared by every holder of a policy ("the roles ``role/team-*`` names") is
worked out once and is best held as a bitset (one C-level operation per union or
intersection). A set that is one principal's alone ("its own user", from
``user/${aws:username}``) has a member or two; as a bitset it would cost as many words as the
account has principals, for every principal: the square of the account. So a :class:`Targets`
is ``bits | extra`` and keeps small sets small.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# A set of at most this many members is kept as a frozenset (sparse); above, as a bitset.
SPARSE_MAX = 64
_NONE: frozenset[int] = frozenset()


def bit_positions(bits: int) -> Iterator[int]:
    """The set bits of ``bits``, lowest first. Read from the binary text (one C-level pass):
    clearing the lowest bit again and again would copy the whole int each time, the square of
    the account for a set of many principals. Searched from the text's end (bit 0), not
    reversed: a reversed copy would cost a second pass over every bit."""
    if not bits:
        return
    text = format(bits, "b")
    last = len(text) - 1
    at = text.rfind("1")
    while at >= 0:
        yield last - at
        at = text.rfind("1", 0, at)


def _bits_of(positions: Iterable[int]) -> int:
    """A bitset from positions: one byte array, one conversion (not one shift per member)."""
    found = sorted(positions)
    if not found:
        return 0
    array = bytearray(found[-1] // 8 + 1)
    for p in found:
        array[p >> 3] |= 1 << (p & 7)
    return int.from_bytes(array, "little")


@dataclass(frozen=True, slots=True)
class Targets:
    """``bits | extra``: positions in one universe."""

    bits: int = 0
    extra: frozenset[int] = _NONE
    # The bitset as bytes, made on the first membership test: a test is then one index, not a
    # shift of the whole bitset.
    _bytes: list[bytes] = field(default_factory=list, compare=False, hash=False, repr=False)
    _hash: list[int] = field(default_factory=list, compare=False, hash=False, repr=False)

    @staticmethod
    def of(positions: Iterable[int]) -> Targets:
        """Sparse when small, a bitset when large."""
        found = frozenset(positions)
        if len(found) <= SPARSE_MAX:
            return Targets(0, found) if found else EMPTY
        return Targets(_bits_of(found))

    def __hash__(self) -> int:
        """Hashed once: a bitset of many principals is a long int whose hash reads all of it,
        and a Targets is a key of the facts' memos, looked up again and again."""
        if not self._hash:
            self._hash.append(hash((self.bits, self.extra)))
        return self._hash[0]

    def __bool__(self) -> bool:
        return bool(self.bits) or bool(self.extra)

    def __contains__(self, position: int) -> bool:
        if position in self.extra:
            return True
        bits = self.bits
        if not bits:
            return False
        if not self._bytes:
            self._bytes.append(bits.to_bytes((bits.bit_length() + 7) // 8, "little"))
        array = self._bytes[0]
        at = position >> 3
        return at < len(array) and bool(array[at] >> (position & 7) & 1)

    def __iter__(self) -> Iterator[int]:
        """Every member once, in no particular order."""
        yield from bit_positions(self.bits)
        bits = self.bits
        for p in self.extra:
            if not (bits >> p) & 1:
                yield p

    def sorted(self) -> list[int]:
        return sorted(self)

    def __or__(self, other: Targets) -> Targets:
        if not other:
            return self
        if not self:
            return other
        extra = self.extra | other.extra
        bits = self.bits | other.bits
        if len(extra) > SPARSE_MAX:
            bits |= _bits_of(extra)
            extra = _NONE
        return Targets(bits, extra)

    def __and__(self, other: Targets) -> Targets:
        if not self or not other:
            return EMPTY
        bits = self.bits & other.bits
        extra = [p for p in self.extra if p in other]
        extra += [p for p in other.extra if p in self]
        return Targets(bits) | Targets.of(extra)

    def __sub__(self, other: Targets) -> Targets:
        if not self or not other:
            return self
        bits = self.bits ^ (self.bits & other.bits)  # not ``& ~``: that is slow on big ints
        for p in other.extra:
            if (bits >> p) & 1:
                bits ^= 1 << p
        extra = frozenset(p for p in self.extra if p not in other)
        if bits == self.bits and len(extra) == len(self.extra):
            return self  # nothing removed: keep the (shared) object
        return Targets(bits, extra)


EMPTY = Targets()


def every(first: int, count: int) -> Targets:
    """The positions ``first .. first + count - 1``."""
    return Targets(((1 << count) - 1) << first) if count else EMPTY
