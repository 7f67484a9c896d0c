"""``apply_changes`` as properties: an empty change is the snapshot itself, and the operations
between two accounts turn the first into the second (whatever order they are listed in)."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from iamgate.model.change import ChangeSet
from iamgate.model.snapshot import Snapshot
from iamgate.plan import apply_changes
from testing.factories import doc, group, managed, role, snap, user
from testing.plans import allow, changes_between

EXAMPLES = 40  # each example is a pair of small accounts
NAMES = ("a", "b", "c")
POLICIES = tuple(managed(f"p{i}", doc(allow(f"s3:Get{i}"))) for i in range(3))


@hs.composite
def accounts(draw: Any) -> Snapshot:
    """A small account: users in groups, roles, customer policies attached here and there."""
    chosen = draw(hs.lists(hs.sampled_from(range(len(POLICIES))), unique=True, max_size=3))
    policies = [POLICIES[i] for i in sorted(chosen)]
    arns = [p.arn for p in policies]
    pick = hs.lists(hs.sampled_from(arns), unique=True, max_size=2) if arns else hs.just([])
    inline = hs.dictionaries(
        hs.sampled_from(("x", "y")),
        hs.sampled_from([doc(allow("sqs:*")), doc(allow("sns:*"))]),
        max_size=2,
    )
    group_names = draw(hs.lists(hs.sampled_from(NAMES), unique=True, max_size=3))
    groups = tuple(
        group(f"g{n}", attached=tuple(draw(pick)), inline=draw(inline)) for n in group_names
    )
    member = (
        hs.lists(hs.sampled_from([g.name for g in groups]), unique=True, max_size=2)
        if groups
        else hs.just([])
    )
    users = tuple(
        user(f"u{n}", groups=tuple(draw(member)), attached=tuple(draw(pick)), inline=draw(inline))
        for n in draw(hs.lists(hs.sampled_from(NAMES), unique=True, max_size=3))
    )
    roles = tuple(
        role(f"r{n}", attached=tuple(draw(pick)), inline=draw(inline))
        for n in draw(hs.lists(hs.sampled_from(NAMES), unique=True, max_size=3))
    )
    held = [a.arn for e in (*users, *groups, *roles) for a in e.attached]
    counted = tuple(dataclasses.replace(p, attachment_count=held.count(p.arn)) for p in policies)
    return snap(users=users, groups=groups, roles=roles, policies=counted, credential_report=())


def _shape(s: Snapshot) -> dict[str, Any]:
    """What IAM would answer: each entity's ARN, attachments, inline documents, groups, trust."""

    def entity(e: Any) -> tuple[Any, ...]:
        inline = sorted((p.name, repr(p.document)) for p in e.inline)
        return (e.arn, sorted(a.arn for a in e.attached), inline, sorted(getattr(e, "groups", ())))

    return {
        "users": sorted(entity(u) for u in s.users),
        "groups": sorted(entity(g) for g in s.groups),
        "roles": sorted((*entity(r), repr(r.trust_policy)) for r in s.roles),
        "policies": sorted((p.arn, repr(p.document)) for p in s.policies),
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(accounts())
def test_an_empty_change_returns_the_snapshot_unchanged(before: Snapshot) -> None:
    assert apply_changes(before, []) is before
    assert apply_changes(before, [ChangeSet("plan.json", (), 0)]) is before


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(accounts(), accounts(), hs.randoms(use_true_random=False))
def test_the_change_between_two_accounts_turns_the_first_into_the_second(
    before: Snapshot, after: Snapshot, rng: random.Random
) -> None:
    change = changes_between(before, after)
    ops = list(change.ops)
    rng.shuffle(ops)  # a plan lists resources by address, not in the order IAM needs
    got = apply_changes(before, [dataclasses.replace(change, ops=tuple(ops))])
    assert _shape(got) == _shape(after)
    assert (got.projection is not None) == bool(change.ops)  # a projection says so
    # IAM's AttachmentCount of each customer policy: the principals holding it.
    holders = [a.arn for e in (*after.users, *after.groups, *after.roles) for a in e.attached]
    assert {
        p.arn: p.attachment_count for p in got.policies if p.arn in {x.arn for x in before.policies}
    } == {
        p.arn: holders.count(p.arn)
        for p in got.policies
        if p.arn in {x.arn for x in before.policies}
    }
