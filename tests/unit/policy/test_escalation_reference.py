"""No change of verdict: the escalation graph (``iamgate.policy.escalation``) against the graph it
replaced, kept verbatim as the slow reference (``testing/reference_graph.py``), on random
accounts that exercise every edge kind (``testing/escalation_accounts.py``). Every principal's
status, message (its whole path, hop by hop, and its prize), prize and path must be the same;
and so must every administrator verdict, shared between principals or not."""

from __future__ import annotations

import pytest

from iamgate.policy.admin import admin
from iamgate.policy.escalation import Graph
from iamgate.policy.principals import Principals
from testing.escalation_accounts import random_account
from testing.reference_graph import Graph as Reference

SEEDS = range(240)  # about 6 s of CPU: small accounts, every pair of nodes


def _verdicts(graph: Graph | Reference) -> dict[str, tuple[object, ...]]:
    return {
        arn: (
            str(e.status),
            e.message,
            e.prize,
            len(e.path),
            tuple(h.method for h in e.path),
            tuple(h.target.name for h in e.path),
            tuple(h.how for h in e.path),
        )
        for arn, e in graph.escalations().items()
    }


@pytest.mark.parametrize("block", range(8))
def test_the_graph_gives_the_reference_verdicts(block: int) -> None:
    statuses: set[str] = set()
    for seed in SEEDS[block::8]:
        snapshot = random_account(seed)
        new = _verdicts(Graph(Principals(snapshot)))
        old = _verdicts(Reference(Principals(snapshot)))
        assert new.keys() == old.keys()
        for arn, found in new.items():
            assert found == old[arn], (seed, arn)
        statuses.update(str(v[0]) for v in new.values())
    # The accounts are varied enough to matter: every status shows up in each block.
    assert statuses >= {"admin", "escalates", "none", "unknown"}


@pytest.mark.parametrize("block", range(4))
def test_shared_admin_verdicts_equal_the_verdict_of_each(block: int) -> None:
    """``Principals.verdict`` shares a verdict between principals whose policies decide it
    alike (``admin.verdict_key``); each must equal :func:`admin` asked of that principal."""
    for seed in SEEDS[block::4]:
        snapshot = random_account(seed)
        principals = Principals(snapshot)
        for entity in (*snapshot.users, *snapshot.groups, *snapshot.roles):
            access = principals.access(entity).access
            shared = principals.verdict(entity)
            if access is None:
                assert shared is None
                continue
            assert shared == admin(access), (seed, entity.arn)


def test_the_accounts_exercise_every_edge_kind() -> None:
    """Not a tautology check of the generator's names: the edges the reference graph explains
    on these accounts cover every kind of rule."""
    methods: set[str] = set()
    for seed in SEEDS:
        for esc in Reference(Principals(random_account(seed))).escalations().values():
            methods.update(m for hop in esc.path for m in hop.method.split("+"))
    wanted = {
        "assume-role",
        "create-access-key",
        "update-assume-role-policy",
        "add-user-to-group",
        "passrole-lambda",
        "lambda-update-code",
        "create-role",
        "put-user-policy",
        "put-role-policy",
        "put-group-policy",
        "create-policy-version",
    }
    assert wanted <= methods, wanted - methods
