"""The keys an edge fixes (``policy/escalation/edge_keys.py``): each rule asks its actions with
the values of the edge (the service a role is passed to, the policy an attach attaches, the
boundary a create sets) and of its target (tags, account). A near-miss pair per key: the
condition that lets the edge through beside the nearly identical one that stops it."""

from __future__ import annotations

import dataclasses
from typing import Any

from iamgate.model.snapshot import Organization, Role, Tag, User
from iamgate.policy.escalation import Escalation, Graph
from iamgate.policy.principals import Principals
from testing.factories import ADMIN, arn, managed, role, snap, user
from testing.policies import allow, deny, doc, trust_aws, trust_service

LAMBDA, EC2 = "lambda.amazonaws.com", "ec2.amazonaws.com"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _verdict(who: str, *entities: Any, policies: tuple[Any, ...] = ()) -> Escalation:
    users = tuple(e for e in entities if isinstance(e, User))
    roles = tuple(e for e in entities if isinstance(e, Role))
    s = snap(users=users, roles=roles, policies=(ADMIN, *policies))
    found = Graph(Principals(s)).escalations()
    return next(e for a, e in found.items() if a.endswith(f"/{who}"))


def _tagged(entity: Any, **tags: str) -> Any:
    return dataclasses.replace(entity, tags=tuple(Tag(k, v) for k, v in tags.items()))


LAMBDA_ADMIN = role("fn-admin", trust_service(LAMBDA), attached=(ADMIN.arn,))
FUNCTIONS = allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*", "Fn")


def _deployer(*statements: dict[str, Any]) -> User:
    return user("deployer", inline={"p": doc(FUNCTIONS, *statements)})


# --- iam:PassedToService ------------------------------------------------------------------------


def _passed_to(service: str) -> dict[str, Any]:
    return {"StringEquals": {"iam:PassedToService": service}}


def test_passrole_only_to_ec2_does_not_reach_through_lambda() -> None:
    to_ec2 = _deployer(allow("iam:PassRole", "*", "Pass", Condition=_passed_to(EC2)))
    assert _verdict("deployer", to_ec2, LAMBDA_ADMIN).status == "none"
    to_lambda = _deployer(allow("iam:PassRole", "*", "Pass", Condition=_passed_to(LAMBDA)))
    found = _verdict("deployer", to_lambda, LAMBDA_ADMIN)
    assert found.status == "escalates", found.message
    assert found.path[0].method == "passrole-lambda"
    assert "iam:PassedToService" in found.path[0].decisions[0].met  # decided, not assumed
    assert not found.path[0].decisions[0].conditioned


def test_a_deny_of_passing_to_lambda_removes_the_lambda_edge() -> None:
    pass_any = allow("iam:PassRole", "*", "Pass")
    to_lambda = deny("iam:PassRole", "*", "NoLambda", Condition=_passed_to(LAMBDA))
    assert _verdict("deployer", _deployer(pass_any, to_lambda), LAMBDA_ADMIN).status == "none"
    to_ec2 = deny("iam:PassRole", "*", "NoEc2", Condition=_passed_to(EC2))
    found = _verdict("deployer", _deployer(pass_any, to_ec2), LAMBDA_ADMIN)
    assert found.status == "escalates", found.message


# --- iam:PolicyARN ---------------------------------------------------------------------------


def _attacher(policy: str) -> User:
    """May assume a weak role, and attach to it only ``policy``."""
    condition = {"ArnEquals": {"iam:PolicyARN": policy}}
    return user(
        "attacher",
        inline={"p": doc(allow("iam:AttachRolePolicy", "*", "Attach", Condition=condition))},
    )


WEAK = role("weak", trust_aws(arn("user", "attacher")), inline={"w": doc(allow("s3:Get*"))})


def test_an_attach_limited_to_read_only_raises_nothing() -> None:
    read_only = managed(
        "ReadOnlyAccess", doc(allow(["s3:Get*", "ec2:Describe*"])), aws_managed=True
    )
    assert read_only.arn == READ_ONLY
    found = _verdict("attacher", _attacher(READ_ONLY), WEAK, policies=(read_only,))
    assert found.status == "none", found.message
    found = _verdict("attacher", _attacher(ADMIN_ARN), WEAK, policies=(read_only,))
    assert found.status == "escalates", found.message
    assert found.path[-1].target.name == "role/weak with policies rewritten"


def test_an_attach_of_a_policy_the_snapshot_lacks_may_lift() -> None:
    """Only attached AWS managed policies are collected: one named in the condition that the
    snapshot lacks (IAMFullAccess, ReadOnlyAccess...) may lift everything, as may any other
    when the condition only excludes some (the safe direction)."""
    assert _verdict("attacher", _attacher(READ_ONLY), WEAK).status == "escalates"
    condition = {"ArnNotEquals": {"iam:PolicyARN": ADMIN_ARN}}
    st = allow("iam:AttachRolePolicy", "*", "Attach", Condition=condition)
    found = _verdict("attacher", user("attacher", inline={"p": doc(st)}), WEAK)
    assert found.status == "escalates", found.message


def test_an_attach_limited_to_a_policy_granting_an_escalation_action_lifts() -> None:
    """A policy of the account that allows an action of the catalogue may lift its holder:
    the attach counts (the raised node assumes it lifts everything)."""
    passer = managed("passer", doc(allow(["iam:PassRole", "lambda:*"])))
    found = _verdict("attacher", _attacher(passer.arn), WEAK, policies=(passer,))
    assert found.status == "escalates", found.message


def test_an_attach_limited_to_an_administrator_policy_of_the_account_raises() -> None:
    spare = managed("spare-admin", doc(allow("*", "*")))
    narrow = managed("narrow", doc(allow("s3:GetObject")))
    found = _verdict("attacher", _attacher(spare.arn), WEAK, policies=(spare, narrow))
    assert found.status == "escalates", found.message
    found = _verdict("attacher", _attacher(narrow.arn), WEAK, policies=(spare, narrow))
    assert found.status == "none", found.message


# --- iam:PermissionsBoundary --------------------------------------------------------------------


def test_a_create_that_must_set_a_boundary_makes_no_unbounded_principal() -> None:
    bound = "arn:aws:iam::123456789012:policy/boundary"
    forced = {"StringEquals": {"iam:PermissionsBoundary": bound}}
    create = ["iam:CreateRole", "iam:PutRolePolicy"]
    with_boundary = user("maker", inline={"p": doc(allow(create, "*", "C", Condition=forced))})
    assert _verdict("maker", with_boundary).status == "none"
    free = user("maker", inline={"p": doc(allow(create, "*", "C"))})
    found = _verdict("maker", free)
    assert found.status == "escalates", found.message
    assert found.path[0].method == "create-role"


# --- aws:ResourceTag / iam:ResourceTag (the target's tags) --------------------------------------


def _on_tagged(key: str, value: str) -> User:
    condition = {"StringEquals": {key: value}}
    st = allow("iam:UpdateAssumeRolePolicy", "*", "Trust", Condition=condition)
    return user("rewriter", inline={"p": doc(st)})


def test_a_trust_rewrite_limited_by_the_role_tag() -> None:
    target = role("admin", trust_service(EC2), attached=(ADMIN.arn,))
    for key in ("aws:ResourceTag/team", "iam:ResourceTag/team"):
        dev = _verdict("rewriter", _on_tagged(key, "dev"), _tagged(target, team="dev"))
        assert dev.status == "escalates", (key, dev.message)
        prod = _verdict("rewriter", _on_tagged(key, "dev"), _tagged(target, team="prod"))
        assert prod.status == "none", (key, prod.message)
        untagged = _verdict("rewriter", _on_tagged(key, "dev"), _tagged(target))
        assert untagged.status == "none", key  # no tag: StringEquals fails
        # Tags not collected (an older snapshot): unknown, the conservative reading.
        unknown = _verdict("rewriter", _on_tagged(key, "dev"), target)
        assert unknown.status == "escalates", key
        assert unknown.path[0].decisions[0].conditioned


def test_a_deny_on_a_protected_tag_removes_the_edge() -> None:
    boss = user("boss", attached=(ADMIN.arn,))
    protect = {"StringEquals": {"aws:ResourceTag/protected": "true"}}
    keys = doc(
        allow("iam:CreateAccessKey", "*", "Keys"),
        deny("iam:CreateAccessKey", "*", "Guard", Condition=protect),
    )
    u = user("u", inline={"p": keys})
    assert _verdict("u", u, _tagged(boss, protected="true")).status == "none"
    assert _verdict("u", u, _tagged(boss, protected="false")).status == "escalates"


# --- aws:ResourceAccount -----------------------------------------------------------------------


def test_resource_account_is_the_account() -> None:
    target = role("admin", trust_service(EC2), attached=(ADMIN.arn,))
    for account, status in (("123456789012", "escalates"), ("210987654321", "none")):
        condition = {"StringEquals": {"aws:ResourceAccount": account}}
        st = allow("iam:UpdateAssumeRolePolicy", "*", "Trust", Condition=condition)
        found = _verdict("rewriter", user("rewriter", inline={"p": doc(st)}), target)
        assert found.status == status, (account, found.message)


def test_a_boundary_put_limited_to_one_boundary_lifts_nothing() -> None:
    """Replacing a boundary lifts it only if the new one may be an administrator policy."""
    bound = managed("bound", doc(allow("s3:*")))
    capped = role(
        "capped", trust_aws(arn("user", "putter")), attached=(ADMIN.arn,), boundary=bound.arn
    )
    for allowed, status in ((bound.arn, "none"), (ADMIN_ARN, "escalates")):
        condition = {"ArnEquals": {"iam:PermissionsBoundary": allowed}}
        st = allow("iam:PutRolePermissionsBoundary", "*", "Put", Condition=condition)
        found = _verdict("putter", user("putter", inline={"p": doc(st)}), capped, policies=(bound,))
        assert found.status == status, (allowed, found.message)


# --- aws:ResourceOrgID ---------------------------------------------------------------------------


def test_resource_org_id_is_the_accounts_organization() -> None:
    target = role("admin", trust_service(EC2), attached=(ADMIN.arn,))
    for org, status in (("o-abc", "escalates"), ("o-other", "none")):
        condition = {"StringEquals": {"aws:ResourceOrgID": org}}
        st = allow("iam:UpdateAssumeRolePolicy", "*", "Trust", Condition=condition)
        s = snap(
            users=(user("rewriter", inline={"p": doc(st)}),),
            roles=(target,),
            policies=(ADMIN,),
            organization=Organization("o-abc"),
        )
        found = Graph(Principals(s)).escalations()[arn("user", "rewriter")]
        assert str(found.status) == status, (org, found.message)


def test_a_create_whose_forced_boundary_may_lift_still_makes_a_principal() -> None:
    """The boundary a create must set may itself lift everything (a pattern admitting any
    policy, or an administrator policy): then the new principal is not held back."""
    create = ["iam:CreateRole", "iam:PutRolePolicy"]
    for boundary, status in (
        ("arn:aws:iam::123456789012:policy/boundary", "none"),  # s3:* only: lifts nothing
        (ADMIN_ARN, "escalates"),
        ("arn:aws:iam::*:policy/*", "escalates"),
    ):
        forced = {"ArnLike": {"iam:PermissionsBoundary": boundary}}
        maker = user("maker", inline={"p": doc(allow(create, "*", "C", Condition=forced))})
        bound = managed("boundary", doc(allow("s3:*")))
        found = _verdict("maker", maker, policies=(bound,))
        assert found.status == status, (boundary, found.message)
