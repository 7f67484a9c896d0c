"""Each rule of the escalation graph against its own explanation (``policy/escalation/rules.py``):
its targets are worked out as sets shared between principals, its explanation with ``allows``
for one edge at a time, and the two must agree, both ways, on random accounts. Also the parts
the graph is made of: the sets (``targets.py``), the node space (``nodes.py``), and the trust
answers shared between callers (``admission.py``)."""

from __future__ import annotations

import random
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamgate.model.config import TrustSettings
from iamgate.model.snapshot import Role, Snapshot
from iamgate.policy.catalogue import BY_ID
from iamgate.policy.escalation import RULES, Graph, Rule, Variant
from iamgate.policy.escalation.admission import Admissions, trust_admits
from iamgate.policy.escalation.nodes import LAYOUT, NodeSpace
from iamgate.policy.escalation.rules import Scope
from iamgate.policy.escalation.targets import SPARSE_MAX, Targets
from iamgate.policy.principals import Principals
from iamgate.policy.trust import Assumers, TrustContext, who_can_assume
from testing.escalation_accounts import random_account

ACCOUNTS = range(60)


def _targets(graph: Graph, index: int) -> dict[Rule, set[int]]:
    """Each rule's edges from ``index`` (its shared and its personal parts), as node indices."""
    view = graph.facts.view(index)
    assert view is not None
    scope = Scope(graph.facts, view)
    parts: dict[Rule, list[object]] = {rule: [] for rule in RULES}
    personal: list = []
    for rule in RULES:
        if rule.personal is not None:
            found = rule.personal(scope, personal)
            personal += found
            parts[rule] += found
    shared: list = []
    for rule in RULES:  # after the personal pass: it tells which shared roles to drop
        found = rule.shared(scope, shared)
        shared += found
        parts[rule] += found
    space = graph.space
    skip = {index}
    principal = space.principal(index)
    if principal >= 0:
        skip.add(space.index(Variant.AS_IS, principal))
    return {
        rule: {space.offset[p.variant] + x for p in found for x in p.targets} - skip  # type: ignore[attr-defined]
        for rule, found in parts.items()
    }


def _sources(graph: Graph) -> list[int]:
    """Every node with edges of its own: known access, not an administrator, not new."""
    graph.build()
    return [
        i
        for i in sorted(graph._parts)
        if graph.facts.view(i) is not None
        and graph.node(i).variant is not Variant.NEW
        and not graph.facts.verdict(i).is_admin
    ]


@pytest.mark.parametrize("block", range(4))
def test_every_rule_explains_each_of_its_targets_and_no_other(block: int) -> None:
    assert _explained([(seed, random_account(seed)) for seed in ACCOUNTS[block::4]]) > 50


@pytest.mark.parametrize("block", range(2))
def test_rules_agree_with_explanations_under_edge_key_conditions(block: int) -> None:
    """The same, on accounts whose statements are also conditioned on the keys an edge or its
    target fixes (``iam:PassedToService``, ``iam:PolicyARN``, ``iam:PermissionsBoundary``,
    tags, ``aws:ResourceAccount``), with tagged principals: the targets read each condition
    per target and per edge (``Facts.allowed``), the explanation asks ``allows`` with
    ``known``; they must agree."""
    accounts = [(seed, random_account(seed, edge_keys=True)) for seed in range(block, 60, 2)]
    assert _explained(accounts) > 50


def _explained(accounts: list[tuple[int, Snapshot]]) -> int:
    """Every edge of every account explained by its rule, and no other; the edges counted."""
    explained = 0
    for seed, snapshot in accounts:
        graph = Graph(Principals(snapshot))
        space = graph.space
        for source in _sources(graph):
            scope = Scope(graph.facts, graph.facts.view(source))  # type: ignore[arg-type]
            by_rule = _targets(graph, source)
            skip = {source, *(by_rule and ())}
            principal = space.principal(source)
            if principal >= 0:
                skip.add(space.index(Variant.AS_IS, principal))
            for rule, targets in by_rule.items():
                candidates = [
                    i
                    for v in rule.reaches
                    for i in range(space.offset[v], space.offset[v] + _size(space, v))
                    if i not in skip
                ]
                for target in candidates:
                    hop = rule.explain(scope, graph.node(target))
                    where = (seed, graph.node(source).name, rule.kinds, graph.node(target).name)
                    if target in targets:
                        assert hop is not None, where
                        assert BY_ID[hop.method.split("+")[0]].kind in rule.kinds, where
                        explained += 1
                    elif not _unnamed_free_admission(graph, scope, by_rule, target, rule):
                        assert hop is None, (*where, hop.how if hop else "")
    return explained


def _unnamed_free_admission(
    graph: Graph, scope: Scope, by_rule: dict[Rule, set[int]], target: int, rule: Rule
) -> bool:
    """The one known difference, kept as the graph has always had it: a trust that admits a
    caller without identity permission although it does not name the caller's ARN exactly
    (``"*"``, ``NotPrincipal``, a name in another case) gives an edge only to a caller that
    also holds ``sts:AssumeRole`` on the role; its explanation says "admitted" all the same
    (and so does the explanation of a policy write on that role, which goes through it)."""
    space = graph.space
    role = space.principal(target)
    if rule.kinds[0] not in ("assume", "modify") or role < graph.index.n_users:
        return False
    as_is = space.index(Variant.AS_IS, role)
    reached = set().union(*(t for r, t in by_rule.items() if Variant.AS_IS in r.reaches))
    if rule.kinds[0] == "modify" and (as_is in reached or role == scope.principal):
        return False  # the write's way in is a real edge
    assume = next(r for r in RULES if r.kinds == ("assume",))
    hop = assume.explain(scope, graph.node(as_is))
    named = graph.index.named.get(scope.principal, []) if scope.principal >= 0 else []
    return hop is not None and not hop.decisions and role not in named


def _size(space: NodeSpace, variant: Variant) -> int:
    at = LAYOUT.index(variant)
    end = space.offset[LAYOUT[at + 1]] if at + 1 < len(LAYOUT) else space.size
    return end - space.offset[variant]


# --- the sets --------------------------------------------------------------------------------

_POSITIONS = st.one_of(
    st.frozensets(st.integers(0, 300), max_size=12),  # one principal's own: sparse
    # Shared sets, a bitset: drawn as (seed, size), cheaper for hypothesis than 100 integers.
    st.builds(
        lambda seed, size: frozenset(random.Random(seed).sample(range(301), size)),
        st.integers(0, 2**16),
        st.integers(SPARSE_MAX + 1, 250),
    ),
)


def _mixed(positions: frozenset[int], split: int) -> Targets:
    """The same set as a bitset part and a small part (as shared sets with additions are)."""
    below = sorted(p for p in positions if p < split)
    bits = sum(1 << p for p in positions if p >= split) | sum(1 << p for p in below[SPARSE_MAX:])
    return Targets(bits, frozenset(below[:SPARSE_MAX]))


@settings(max_examples=120, deadline=None)
@given(_POSITIONS, _POSITIONS, st.integers(0, 300), st.integers(0, 300))
def test_targets_are_sets(a: frozenset[int], b: frozenset[int], cut: int, probe: int) -> None:
    x, y = _mixed(a, cut), Targets.of(b)
    assert set(x) == a
    assert sorted(x) == sorted(a)
    assert bool(x) == bool(a)
    assert set(x | y) == a | b
    assert set(x & y) == a & b
    assert set(x - y) == a - b
    assert set(y - x) == b - a
    assert (probe in x) == (probe in a)
    assert (x == Targets.of(a)) == (x.extra == Targets.of(a).extra)  # equal only as stored


def test_the_node_space_maps_both_ways() -> None:
    rng = random.Random(7)
    for principals, groups in ((0, 0), (3, 0), (0, 2), (5, 4)):
        space = NodeSpace([f"p{i}" for i in range(principals)], [f"g{i}" for i in range(groups)])
        seen = set()
        for variant in LAYOUT:
            for position in range(_size(space, variant)):
                index = space.index(variant, position)
                assert space.locate(index) == (variant, position)
                seen.add(index)
        assert seen == set(range(space.size))
        if space.size > 1:
            index = rng.randrange(space.size - 1)
            node = space.node(index)
            assert node.variant is space.locate(index)[0]


# --- trust answers shared between callers ------------------------------------------------------


def _assumers(role: Role, context: TrustContext) -> Assumers:
    return who_can_assume(role.trust_policy, context)


@pytest.mark.parametrize("block", range(2))
def test_shared_trust_answers_equal_each_callers_own(block: int) -> None:
    """``Admissions`` answers callers a trust cannot tell apart once per kind; each answer
    must be the trust model's own for that caller, whoever was asked first."""
    for seed in range(block, 120, 2):
        snapshot = random_account(seed)
        context = TrustContext.of(snapshot, TrustSettings())
        shared = Admissions(trust_admits(partial(_assumers, context=context)))
        callers = [e.arn for e in (*snapshot.users, *snapshot.roles)]
        callers += [
            f"arn:aws:iam::{snapshot.account_id}:user/(member)",
            f"arn:aws:iam::{snapshot.account_id}:role/someone-else",
            f"arn:aws:iam::{snapshot.account_id}:user/U0",
        ]
        random.Random(seed).shuffle(callers)
        for role in snapshot.roles:
            direct = who_can_assume(role.trust_policy, context)
            for caller in callers:
                assert shared.admit(role, caller) == direct.admits(caller), (seed, role, caller)


def test_a_chain_longer_than_python_recursion_is_followed_to_its_end() -> None:
    """Each role trusts the one before it by ARN; the last is an administrator. The path is
    found and written hop by hop without recursion (Python stops at 1,000 frames)."""
    from testing.factories import ADMIN, arn, role, snap, user
    from testing.policies import allow, doc, trust_aws

    hops = 1100
    assume = {"a": doc(allow("sts:AssumeRole", arn("role", "c*")))}
    roles = [role("c0000", trust_aws(arn("user", "start")), inline=assume)]
    for i in range(1, hops):
        last = i == hops - 1
        roles.append(
            role(
                f"c{i:04d}",
                trust_aws(arn("role", f"c{i - 1:04d}")),
                inline={} if last else assume,
                attached=(ADMIN.arn,) if last else (),
            )
        )
    s = snap(users=(user("start"),), roles=tuple(roles), policies=(ADMIN,))
    found = Graph(Principals(s)).escalations()[arn("user", "start")]
    assert str(found.status) == "escalates"
    assert len(found.path) == hops
    assert found.path[-1].target.name == f"role/c{hops - 1:04d}"
    assert found.message.endswith("(full administrator)")
