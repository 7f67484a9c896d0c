"""The account's escalation graph: every node's edges (from :mod:`.rules`), reached from the
principals and groups, and each one's verdict with its shortest path to a prize.

A prize is a node that is full administrator, holds an IAM write (:data:`IAM_WRITE`) the
source lacks, or whose access is unknown. Sources with the same IAM writes share one backward
search (:mod:`.paths`); each path found is then explained hop by hop with
:func:`iamgate.policy.evaluate.allows` (:func:`.rules.explain`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from iamgate.model.snapshot import Group, Role, User
from iamgate.policy.catalogue import IAM_WRITE
from iamgate.policy.document import short_name
from iamgate.policy.escalation.admission import Admits, default_admits
from iamgate.policy.escalation.facts import Facts, View
from iamgate.policy.escalation.index import AccountIndex
from iamgate.policy.escalation.nodes import OF_PRINCIPALS, Node, Variant
from iamgate.policy.escalation.paths import Hypergraph, Levels, search
from iamgate.policy.escalation.rules import (
    PERSONAL_ACTIONS,
    Hop,
    Part,
    Scope,
    explain,
    personal_parts,
    shared_parts,
)
from iamgate.policy.escalation.targets import bit_positions
from iamgate.policy.principals import Principals, is_service_linked


class Status(StrEnum):
    ADMIN = "admin"
    ESCALATES = "escalates"
    NONE = "none"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Escalation:
    """The verdict for one user, role or group."""

    principal: str
    status: Status
    path: tuple[Hop, ...] = ()
    prize: str = ""  # what the last node holds that the principal lacks
    message: str = ""


_NO_PATH = "no privilege-escalation path"
# The path from a node to its prize: (hops, their text, status, prize, what the message ends in).
_Tail = tuple[tuple[Hop, ...], str, Status, str, str]


class Graph:
    """The account's escalation graph; :meth:`escalations` gives every verdict."""

    def __init__(self, principals: Principals, admits: Admits | None = None) -> None:
        self.principals = principals
        self.index = AccountIndex(principals, admits or default_admits(principals.snapshot))
        self.facts = Facts(self.index)
        self.space = self.index.space
        self._parts: dict[int, tuple[Part, ...]] = {}
        self._profiles: dict[tuple[object, ...], tuple[Part, ...]] = {}
        self._explained: dict[tuple[object, ...], Hop] = {}
        self._graph = Hypergraph()
        self._part_ids: dict[tuple[Variant, int], tuple[int, Part]] = {}
        self._pids: dict[int, list[int]] = {}  # by the id of a node's parts tuple
        self._built = False
        self._principals = self.index.n_users + self.index.n_roles

    def node(self, index: int) -> Node:
        return self.space.node(index)

    # --- edges --------------------------------------------------------------------------------

    def parts(self, index: int) -> tuple[Part, ...]:
        """The node's edges, as the parts the rules found (memoised)."""
        found = self._parts.get(index)
        if found is None:
            found = self._parts[index] = self._find_parts(index)
        return found

    def _find_parts(self, index: int) -> tuple[Part, ...]:
        facts = self.facts
        view = facts.view(index)
        if view is None or view.variant is Variant.NEW or facts.verdict(index).is_admin:
            return ()  # unknown, or an administrator: it already has everything
        key = view.shared
        shared = self._profiles.get(key) if key is not None else None
        if shared is None:
            shared = tuple(shared_parts(Scope(facts, view)))
            if key is not None:
                self._profiles[key] = shared
        named = view.variant in OF_PRINCIPALS and view.position in self.index.named
        if not named and not view.mentions & PERSONAL_ACTIONS:
            return shared
        scope = Scope(facts, view)
        personal = personal_parts(scope)
        if scope.drop:  # a trust names this node and does not admit it: no sharing
            return (*shared_parts(scope), *personal)
        # Nothing of its own (most nodes): its profile's tuple, whose part ids ``build`` has.
        return (*shared, *personal) if personal else shared

    def out_edges(self, index: int) -> list[int]:
        """The node's edges as node indices, sorted (for tests and explanations)."""
        skip = self._excluded(index)
        found = {v for part in self.parts(index) for v in self._members(part)}
        return sorted(found - {index, skip})

    def _members(self, part: Part) -> list[int]:
        first = self.space.offset[part.variant]
        return sorted(first + p for p in part.targets)

    def _excluded(self, index: int) -> int:
        """The as-is principal a variant stands for (its edge to it does not count), or -1."""
        if index < self._principals:  # a principal as is (they come first): itself
            return index
        principal = self.space.principal(index)
        if principal < 0:
            return -1
        return self.space.index(Variant.AS_IS, principal)

    def build(self) -> None:
        """Edges of every principal and group, then of every node those edges reach. Each
        part's members are looked at once, when it first appears."""
        if self._built:
            return
        graph = self._graph
        seen = set(range(self.index.n_users + self.index.n_roles))
        seen.update(self.space.index(Variant.GROUP, g) for g in range(len(self.index.groups)))
        pending = sorted(seen, reverse=True)
        excluded = graph.excluded
        as_is = self.space.offset[Variant.RAISED]  # the as-is principals and groups come first
        while pending:
            index = pending.pop()
            skip = self._excluded(index) if index >= as_is else -1
            if skip >= 0:
                excluded[index] = skip
            parts = self.parts(index)
            pids = self._pids.get(id(parts))  # kept alive by ``_parts``
            if pids is None:  # the first node with these parts registers them
                pids = self._pids[id(parts)] = self._register_all(parts, index, skip, seen, pending)
            for pid in pids:
                if self._counts(pid, index, skip):
                    graph.hold(index, pid)
        self._built = True

    def _register_all(
        self, parts: tuple[Part, ...], index: int, skip: int, seen: set[int], pending: list[int]
    ) -> list[int]:
        """The parts' ids (empty ones left out); the members of each new part that counts
        for ``index`` are queued. Nodes holding the same parts tuple (most share their
        profile's) reuse the ids."""
        pids: list[int] = []
        for part in parts:
            pid, new = self._register(part)
            if pid < 0:
                continue
            pids.append(pid)
            if new and self._counts(pid, index, skip):
                for v in self._graph.members[pid]:
                    if v not in seen:
                        seen.add(v)
                        pending.append(v)
        return pids

    def _register(self, part: Part) -> tuple[int, bool]:
        """The part's id in the hypergraph (one per distinct set object; -1 when empty), and
        whether it is new."""
        key = (part.variant, id(part.targets))
        found = self._part_ids.get(key)
        if found is not None:
            return found[0], False
        members = self._members(part)
        pid = self._graph.add_part(members) if members else -1
        self._part_ids[key] = (pid, part)  # the part keeps the id's object alive
        return pid, True

    def _counts(self, pid: int, index: int, skip: int) -> bool:
        """Whether part ``pid`` holds a member other than the node and its principal."""
        members = self._graph.members[pid]
        return len(members) > 2 or any(v != index and v != skip for v in members)

    def has_edges(self, index: int) -> bool:
        skip = self._excluded(index)
        for part in self._graph.parts.get(index, ()):
            for v in self._graph.members[part]:
                if v != index and v != skip:
                    return True
        return False

    # --- verdicts -----------------------------------------------------------------------------

    def escalations(self) -> dict[str, Escalation]:
        """The verdict for every user, role and group (by ARN)."""
        self.build()
        result: dict[str, Escalation] = {}
        sources: dict[int, list[int]] = defaultdict(list)
        entities: list[tuple[int, User | Group | Role]] = list(enumerate(self.index.entities))
        entities += [
            (self.space.index(Variant.GROUP, g), group) for g, group in enumerate(self.index.groups)
        ]
        for index, entity in entities:
            found = self._judge(index, entity)
            if found is None:
                sources[self.facts.write_mask(index)].append(index)
            else:
                result[entity.arn] = found
        prizes = self._prizes()
        for mask, members in sources.items():
            levels = search(self._graph, prizes.among(mask))
            tails: dict[int, _Tail] = {}  # the path from a node on, the same for every source
            for index in members:
                esc = self._path(index, mask, levels, tails)
                result[esc.principal] = esc
        return result

    def _judge(self, index: int, entity: User | Group | Role) -> Escalation | None:
        """The verdict of a principal or group that needs no search; None for a source."""
        if is_service_linked(entity):
            message = "service-linked role: AWS owns its policies"
            return Escalation(entity.arn, Status.SKIPPED, message=message)
        if self.facts.is_unknown(index):
            return Escalation(entity.arn, Status.UNKNOWN, message=self.index.problems[entity.arn])
        if self.facts.verdict(index).is_admin:
            other = "group-admin-access" if isinstance(entity, Group) else "principal-admin-access"
            name = short_name(entity.arn)
            message = f"{name} is already full administrator (see {other})"
            return Escalation(entity.arn, Status.ADMIN, message=message)
        if self.has_edges(index):
            return None
        return Escalation(entity.arn, Status.NONE, message=_NO_PATH)

    def _prizes(self) -> Prizes:
        """Every node some edge reaches, by what makes it a prize."""
        found = Prizes()
        facts = self.facts
        for v in sorted(self._graph.within):
            if facts.is_unknown(v) or facts.verdict(v).is_admin:
                found.always.append(v)
            else:
                found.by_mask[facts.write_mask(v)].append(v)
        return found

    def _path(self, index: int, mask: int, levels: Levels, tails: dict[int, _Tail]) -> Escalation:
        depth = levels.depth.get(index, -1)
        if depth <= 0:  # its ARN alone: no node (and its name) made
            arn = self.space.principals[index] if index < self._principals else self.node(index).arn
            return Escalation(arn, Status.NONE, message=_NO_PATH)
        # A source is a principal as is or a group: its node's name is short_name(arn).
        node = self.node(index)
        hops, text, status, prize, why = self._tail(index, mask, levels, tails)
        return Escalation(node.arn, status, hops, prize, f"{node.name}{text} ({why})")

    def _tail(self, start: int, mask: int, levels: Levels, tails: dict[int, _Tail]) -> _Tail:
        """The shortest path from ``start`` on (its hops and their text) and what it ends in;
        sources whose paths meet share the rest of it. Walked forward to the first node whose
        path is known (or the prize), then filled in backward: no recursion, however long."""
        walked: list[tuple[int, Hop]] = []
        at = start
        while at not in tails and levels.depth.get(at, -1) > 0:
            nxt = levels.next_hop(at)
            walked.append((at, self.explain(at, nxt)))
            at = nxt
        if at not in tails:  # the prize
            tails[at] = self._end(at, mask)
        hops, text, status, prize, why = tails[at]
        for node, hop in reversed(walked):
            hops = (hop, *hops)
            text = f" → {hop.how} → {hop.target.name}{text}"
            tails[node] = (hops, text, status, prize, why)
        return tails[start]

    def _end(self, at: int, mask: int) -> _Tail:
        """A path's last node: what it holds (or that its access is unknown)."""
        if self.facts.is_unknown(at):
            why = self.index.problems.get(self.node(at).arn, "its policies are not in the snapshot")
            return ((), "", Status.UNKNOWN, "unknown", why)
        prize = self._describe_prize(at, mask)
        return ((), "", Status.ESCALATES, prize, prize)

    def _describe_prize(self, index: int, mask: int) -> str:
        if self.facts.verdict(index).is_admin:
            return "full administrator"
        names = [IAM_WRITE[i] for i in bit_positions(self.facts.write_mask(index) & ~mask)]
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return f"holds {', '.join(names[:3])}{more}"

    def explain(self, source: int, target: int) -> Hop:
        """Why ``source`` has an edge to ``target``, with the statements that grant it. The
        same for every node whose explanations read alike (:attr:`.facts.View.labels`)."""
        view = self.facts.view(source)
        assert view is not None
        node = self.node(target)
        key = self._explanation_key(view, node)
        found = self._explained.get(key) if key is not None else None
        if found is None:
            hop = explain(Scope(self.facts, view), node)
            if hop is None:
                source_name = self.node(source).name
                raise LookupError(f"no edge from {source_name} to {node.name}")
            if key is not None:
                self._explained[key] = hop
            return hop
        return Hop(self.node(source), node, found.method, found.decisions, found.how)

    def _explanation_key(self, view: View, node: Node) -> tuple[object, ...] | None:
        """What the explanation of an edge from ``view`` to ``node`` depends on, or None when
        it is the node's own (a raised variant, or a trust that reads who the caller is)."""
        if view.labels is None or node.variant not in _SHARED_EXPLANATIONS:
            return None
        caller = ""
        principal = self.space.principal(node.index)
        if principal >= self.index.n_users:  # a role: whom its trust admits
            role = self.index.entities[principal]
            assert isinstance(role, Role)
            caller = self.index.admissions.caller_key(role, view.access.who.arn)
        return (view.labels, node.index, caller)


_SHARED_EXPLANATIONS = frozenset({Variant.AS_IS, Variant.GROUP, Variant.NEW})


@dataclass
class Prizes:
    """The reached nodes that are a prize for every source (administrators, unknown access),
    and the others by the IAM writes they hold."""

    always: list[int] = field(default_factory=list)
    by_mask: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))

    def among(self, mask: int) -> list[int]:
        """The prizes for sources that hold the IAM writes ``mask``."""
        found = list(self.always)
        for held, nodes in self.by_mask.items():
            if held & ~mask:
                found += nodes
        return found
