"""Principals' effective access as built from a snapshot: who each is, which policies apply
(its own, its groups', its boundary), and why access is unknown when the snapshot lacks one."""

from __future__ import annotations

from typing import Any

from iamgate.policy.evaluate import Identity, allows
from iamgate.policy.principals import HOLDER, Principals
from testing.factories import ACCOUNT, ADMIN, arn, doc, group, managed, role, snap, user

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
WRITES = ["iam:Put*", "iam:Attach*", "iam:CreatePolicyVersion", "iam:Detach*"]


def guard(*actions: str) -> dict[str, Any]:
    return doc({"Effect": "Deny", "Action": [*WRITES, *actions], "Resource": "*"})


def test_who_each_principal_is() -> None:
    s = snap(
        users=(user("alice"),),
        groups=(group("ops"),),
        roles=(role("deployer"),),
    )
    p = Principals(s)
    # The snapshot read the organization (none): aws:PrincipalOrgID is known to be absent.
    known = {"org": None, "org_known": True}
    alice = Identity(arn("user", "alice"), "user", "alice", ACCOUNT, **known)
    assert p.identity(s.users[0]) == alice
    deployer = Identity(arn("role", "deployer"), "role", "deployer", ACCOUNT, **known)
    assert p.identity(s.roles[0]) == deployer
    member = p.identity(s.groups[0])
    assert (member.kind, member.account, member.own_values) == ("user", ACCOUNT, False)
    # A managed policy judged on its own: a hypothetical user and role of the account, whose
    # name, ARN and tags are anyone's.
    (u, u_via), (r, r_via) = p.holders(None)
    assert u == Identity(arn("user", HOLDER), "user", HOLDER, ACCOUNT, **known, own_values=False)
    assert r == Identity(arn("role", HOLDER), "role", HOLDER, ACCOUNT, **known, own_values=False)
    assert (u_via, r_via) == (u.arn, r.arn)


def test_own_account_variable_for_each_kind() -> None:
    """``${aws:PrincipalAccount}`` is the snapshot's account for users, roles and group members."""
    own = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${aws:PrincipalAccount}"}
    s = snap(
        users=(user("alice", inline={"p": doc(own)}),),
        groups=(group("ops", inline={"p": doc(own)}),),
        roles=(role("deployer", inline={"p": doc(own)}),),
    )
    p = Principals(s)
    for entity in (s.users[0], s.groups[0], s.roles[0]):
        acc = p.access(entity).access
        assert acc is not None
        assert allows(acc, "s3:GetObject", f"arn:aws:s3:::{ACCOUNT}").allowed
        assert not allows(acc, "s3:GetObject", "arn:aws:s3:::210987654321").allowed


def test_a_role_name_variable() -> None:
    """``${aws:username}`` has no value for a role; a default stands in
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)."""
    home = "arn:aws:s3:::home/${aws:username, 'shared'}/*"
    s = snap(roles=(role("deployer", inline={"p": doc({**ALLOW_ALL, "Resource": home})}),))
    acc = Principals(s).access(s.roles[0]).access
    assert acc is not None
    assert allows(acc, "s3:GetObject", "arn:aws:s3:::home/shared/k").allowed
    assert not allows(acc, "s3:GetObject", "arn:aws:s3:::home/deployer/k").allowed


def test_what_the_snapshot_lacks_is_named() -> None:
    s = snap(
        users=(
            user(
                "alice",
                groups=("gone", "ops", "also-gone"),
                attached=(arn("policy", "missing"),),
                boundary=arn("policy", "fence"),
            ),
        ),
        groups=(group("ops", attached=(arn("policy", "lost"),)),),
    )
    got = Principals(s).access(s.users[0])
    assert got.access is None
    assert got.problem == (
        f"not evaluated: the snapshot lacks policy {arn('policy', 'missing')}, group gone, "
        f"policy {arn('policy', 'lost')}, group also-gone, "
        f"permissions boundary {arn('policy', 'fence')}"
    )
    assert Principals(s).verdict(s.users[0]) is None


def test_a_users_own_policies_are_not_labelled_as_a_groups() -> None:
    s = snap(users=(user("alice", attached=(ADMIN.arn,)),), policies=(ADMIN,))
    p = Principals(s)
    acc = p.access(s.users[0]).access
    assert acc is not None
    assert acc.groups == ()
    d = allows(acc, "ec2:RunInstances", "*")
    assert d.grant is not None
    assert acc.label(d.grant) == "statement #1 of policy/AdministratorAccess (AWS managed)"


def test_an_inline_guard_the_user_may_delete() -> None:
    """A Deny in the user's own inline policy, which it may delete (``iam:DeleteUserPolicy`` on
    itself), takes nothing away for good: full administrator by the self-grant route."""
    s = snap(users=(user("alice", inline={"all": doc(ALLOW_ALL), "guard": guard()}),))
    verdict = Principals(s).verdict(s.users[0])
    assert verdict is not None
    assert verdict.is_admin, verdict.why
    assert "iam:DeleteUserPolicy" in verdict.why
    stuck = snap(
        users=(user("alice", inline={"all": doc(ALLOW_ALL), "guard": guard("iam:Delete*")}),)
    )
    verdict = Principals(stuck).verdict(stuck.users[0])
    assert verdict is not None
    assert not verdict.is_admin, verdict.why


def test_customer_policies_and_their_holders() -> None:
    pol = managed("deploy", doc(ALLOW_ALL))
    s = snap(users=(user("alice", inline={"p": doc(ALLOW_ALL)}),), policies=(pol, ADMIN))
    found = Principals(s).customer_policies(attached_only=True)
    assert [(policy.id, policy.kind) for policy, _ in found] == [
        (pol.arn, "managed"),
        (f"{arn('user', 'alice')}#inline/p", "inline"),
    ]
    assert [who.name for who, _ in found[0][1]] == [HOLDER, HOLDER]
    assert found[1][1] == [(Principals(s).identity(s.users[0]), arn("user", "alice"))]


# --- users of one profile share what they hold ---------------------------------------------------


def test_members_of_one_group_share_its_policies_as_read() -> None:
    """Users with no policy of their own, in the same groups, share one attachments tuple (what
    the graph and the admin verdict key on); each still evaluates as itself."""
    s = snap(
        users=(user("alice", groups=("ops",)), user("bob", groups=("ops",))),
        groups=(
            group("ops", inline={"p": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})}),
        ),
    )
    p = Principals(s)
    alice, bob = (p.access(u).access for u in s.users)
    assert alice is not None
    assert bob is not None
    assert alice.attachments is bob.attachments
    assert (alice.who.name, bob.who.name) == ("alice", "bob")
    assert alice.groups == bob.groups == (arn("group", "ops"),)
    verdict = p.verdict(s.users[0])
    assert verdict is not None
    assert not verdict.is_admin
    assert p.verdict(s.users[1]) is verdict  # worked out once for the profile


def test_a_group_policy_decided_per_member_is_not_shared() -> None:
    """The near miss: a condition on the member's own name reads differently for each member,
    so each gets its own reading (alice may, bob may not)."""
    own = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:username": "alice"}},
    }
    s = snap(
        users=(user("alice", groups=("ops",)), user("bob", groups=("ops",))),
        groups=(group("ops", inline={"p": doc(own)}),),
    )
    p = Principals(s)
    alice, bob = (p.access(u).access for u in s.users)
    assert alice is not None
    assert bob is not None
    assert alice.attachments is not bob.attachments
    assert allows(alice, "s3:GetObject", "arn:aws:s3:::b/k").allowed
    assert not allows(bob, "s3:GetObject", "arn:aws:s3:::b/k").allowed


def test_a_member_whose_group_is_missing_says_so_like_any_other() -> None:
    """A shared profile whose group the snapshot lacks: access unknown, in the same words as a
    user with policies of its own."""
    s = snap(
        users=(user("alice", groups=("gone",)), user("bob", groups=("gone",), inline={})),
    )
    p = Principals(s)
    found = p.access(s.users[0])
    assert found.access is None
    assert found.problem == "not evaluated: the snapshot lacks group gone"
