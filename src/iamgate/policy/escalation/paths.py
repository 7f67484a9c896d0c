"""Shortest paths to a prize, over edges held as shared parts.

A node's edges are the union of its parts (:class:`~.rules.Part`) less itself and the
principal it is a variant of. Many nodes share a part (the roles a service can carry), so the
search runs over parts as well as nodes: backwards from the prizes, a part is reached when one
of its members is, and then every node holding it is one hop further. Each node and each
(node, part) pair is visited once per search: the cost follows the edges that exist.

Ties go to the lowest node index (as they always have): for each part the search keeps the two
lowest members of each level, enough to skip the one member a node may not count (the
principal it is a variant of).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

_NONE = -1


@dataclass
class Hypergraph:
    """Nodes and the parts that hold their edges: ``members[p]`` (node indices, sorted),
    ``holders[p]`` (the nodes whose edges include part ``p``), ``within[v]`` (the parts that
    have ``v`` as a member), ``parts[u]`` (the parts of node ``u``), and ``excluded[u]`` (the
    one member ``u`` may not count: the principal it is a variant of, or -1)."""

    members: list[list[int]] = field(default_factory=list)
    holders: list[list[int]] = field(default_factory=list)
    within: dict[int, list[int]] = field(default_factory=dict)
    parts: dict[int, list[int]] = field(default_factory=dict)
    excluded: dict[int, int] = field(default_factory=dict)

    def add_part(self, members: list[int]) -> int:
        part = len(self.members)
        self.members.append(members)
        self.holders.append([])
        for v in members:
            self.within.setdefault(v, []).append(part)
        return part

    def hold(self, node: int, part: int) -> None:
        self.parts.setdefault(node, []).append(part)
        self.holders[part].append(node)


@dataclass
class Levels:
    """One backward search: each node's distance to the nearest prize, and for each part the
    two lowest members of each distance it has members at."""

    graph: Hypergraph
    depth: dict[int, int] = field(default_factory=dict)
    hits: dict[int, dict[int, list[int]]] = field(default_factory=dict)

    def next_hop(self, at: int) -> int:
        """The lowest node one hop from ``at`` and one step nearer a prize."""
        want = self.depth[at] - 1
        skip = self.graph.excluded.get(at, _NONE)
        best = _NONE
        for part in self.graph.parts.get(at, ()):
            for v in self.hits.get(part, {}).get(want, ()):
                if v != skip and v != at:
                    if best == _NONE or v < best:
                        best = v
                    break
        return best


def search(graph: Hypergraph, prizes: Iterable[int]) -> Levels:
    """Distances to the nearest prize, backwards over the parts (see the module docstring)."""
    found = Levels(graph)
    frontier = sorted(set(prizes))
    for v in frontier:
        found.depth[v] = 0
    pending: dict[int, list[int]] = {}  # part -> holders that may count only later members
    level = 0
    while frontier:
        touched = _hit(graph, found, frontier, level)
        frontier = []
        for part, first in touched:
            lowest = found.hits[part][level]
            holders = graph.holders[part] if first else pending.pop(part, [])
            waiting = []
            for u in holders:
                if u in found.depth:
                    continue
                skip = graph.excluded.get(u, _NONE)
                if any(v != skip for v in lowest):
                    found.depth[u] = level + 1
                    frontier.append(u)
                else:
                    waiting.append(u)
            if waiting:
                pending[part] = waiting
        level += 1
    return found


def _hit(
    graph: Hypergraph, found: Levels, frontier: list[int], level: int
) -> list[tuple[int, bool]]:
    """Record the frontier in the parts that hold it; the parts touched at this level, and
    whether it is the first level each is touched at."""
    touched: list[tuple[int, bool]] = []
    for v in frontier:
        for part in graph.within.get(v, ()):
            per = found.hits.get(part)
            if per is None:
                per = found.hits[part] = {}
            lowest = per.get(level)
            if lowest is None:
                per[level] = [v]
                touched.append((part, len(per) == 1))
            elif len(lowest) < 2:
                lowest.append(v)
                lowest.sort()
            elif v < lowest[1]:
                lowest[1] = v
                lowest.sort()
    return touched
