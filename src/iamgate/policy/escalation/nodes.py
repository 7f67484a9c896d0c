"""The graph's nodes, and the one map between a node's index and what it stands for.

Every user and role *as it is*; every group (a member holding only the group's policies,
reached by adding oneself to it); the variants a writer can turn a principal into (``raised``:
any policy added, boundary kept; ``unbounded``: boundary removed; ``raised-unbounded``) and a
group's ``raised`` variant; and one ``new`` principal created with any policy.

Indices follow :data:`LAYOUT`: all principals (users, then roles, each sorted by ARN), all
groups, then each variant's block. Shortest paths break ties by the lowest index, so this
order is part of what a message says (it is the order the graph has always used).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import StrEnum

from iamgate.policy.document import short_name


class Variant(StrEnum):
    AS_IS = "as-is"
    GROUP = "group"
    RAISED = "raised"
    GROUP_RAISED = "group-raised"
    UNBOUNDED = "unbounded"
    RAISED_UNBOUNDED = "raised-unbounded"
    NEW = "new"


LAYOUT = (
    Variant.AS_IS,
    Variant.GROUP,
    Variant.RAISED,
    Variant.GROUP_RAISED,
    Variant.UNBOUNDED,
    Variant.RAISED_UNBOUNDED,
    Variant.NEW,
)
# The variants that stand for a principal (their position is the principal's), and for a group.
OF_PRINCIPALS = frozenset(
    {Variant.AS_IS, Variant.RAISED, Variant.UNBOUNDED, Variant.RAISED_UNBOUNDED}
)
OF_GROUPS = frozenset({Variant.GROUP, Variant.GROUP_RAISED})
# The variants whose policies were rewritten (an allow-all policy added), or boundary removed.
RAISED = frozenset({Variant.RAISED, Variant.RAISED_UNBOUNDED, Variant.GROUP_RAISED})
UNBOUNDED = frozenset({Variant.UNBOUNDED, Variant.RAISED_UNBOUNDED})

_TEXT = {
    Variant.RAISED: " with policies rewritten",
    Variant.UNBOUNDED: " without its permissions boundary",
    Variant.RAISED_UNBOUNDED: " with policies rewritten and no boundary",
    Variant.GROUP_RAISED: " with policies rewritten",
}


@dataclass(frozen=True, slots=True)
class Node:
    index: int
    variant: Variant
    arn: str  # the principal's or group's ARN ("" for the new principal)
    name: str = field(init=False, compare=False)  # "role/x with policies rewritten"

    def __post_init__(self) -> None:
        base = short_name(self.arn) if self.arn else "a new principal"
        object.__setattr__(self, "name", base + _TEXT.get(self.variant, ""))


class NodeSpace:
    """(variant, position) <-> index. A principal's position is its place among users then
    roles; a group's, among groups; the new principal's is 0."""

    def __init__(self, principals: list[str], groups: list[str]) -> None:
        self.principals = principals  # ARNs: users, then roles
        self.groups = groups
        sizes = {v: len(principals) for v in OF_PRINCIPALS}
        sizes.update({v: len(groups) for v in OF_GROUPS})
        sizes[Variant.NEW] = 1
        self.offset: dict[Variant, int] = {}
        start = 0
        for variant in LAYOUT:
            self.offset[variant] = start
            start += sizes[variant]
        self.size = start
        self._starts = [self.offset[v] for v in LAYOUT]
        self._nodes: dict[int, Node] = {}

    def index(self, variant: Variant, position: int = 0) -> int:
        return self.offset[variant] + position

    def locate(self, index: int) -> tuple[Variant, int]:
        """The variant and position of a node index."""
        # The last block starting at or before the index: an empty block starts where the next
        # one does, so it is never the last.
        at = bisect.bisect_right(self._starts, index) - 1
        return LAYOUT[at], index - self._starts[at]

    def node(self, index: int) -> Node:
        found = self._nodes.get(index)
        if found is None:
            variant, position = self.locate(index)
            arns = self.groups if variant in OF_GROUPS else self.principals
            arn = "" if variant is Variant.NEW else arns[position]
            found = self._nodes[index] = Node(index, variant, arn)
        return found

    def principal(self, index: int) -> int:
        """The principal a node stands for (-1 for groups and the new principal)."""
        variant, position = self.locate(index)
        return position if variant in OF_PRINCIPALS else -1

    def group(self, index: int) -> int:
        """The group a node stands for (-1 for principals and the new principal)."""
        variant, position = self.locate(index)
        return position if variant in OF_GROUPS else -1
