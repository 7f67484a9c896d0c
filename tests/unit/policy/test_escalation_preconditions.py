"""Edges AWS would refuse are not edges (``policy/escalation/preconditions.py``): for each
precondition, the account where the edge exists beside the nearly identical one where AWS
refuses the call."""

from __future__ import annotations

import dataclasses
from typing import Any

from iamgate.model.snapshot import AccessKeySlot, CredentialRow, Role, Sentinel
from iamgate.policy.catalogue import BY_ID
from iamgate.policy.escalation import Escalation, Graph
from iamgate.policy.escalation.preconditions import PRECONDITIONS
from iamgate.policy.principals import Principals
from testing.factories import ADMIN, ago, arn, group, managed, role, row, snap, user
from testing.policies import allow, doc, trust_aws, trust_service

ROOT = row("<root_account>", password=None, mfa=True)


def _verdict(who: str, *entities: Any, report: tuple[CredentialRow, ...] | None = None,
             policies: tuple[Any, ...] = ()) -> Escalation:  # fmt: skip
    users = tuple(e for e in entities if ":user/" in e.arn)
    roles = tuple(e for e in entities if ":role/" in e.arn)
    groups = tuple(e for e in entities if ":group/" in e.arn)
    fields: dict[str, Any] = {"users": users, "roles": roles, "groups": groups}
    if report is not None:
        fields["credential_report"] = (ROOT, *report)
    s = snap(**fields, policies=(ADMIN, *policies))
    found = Graph(Principals(s)).escalations()
    return next(e for a, e in found.items() if a.endswith(f"/{who}"))


def _key(slot: int, active: bool = True) -> AccessKeySlot:
    return AccessKeySlot(slot, active, ago(3), Sentinel.NA)


BOSS = user("boss", attached=(ADMIN.arn,))


def _on_boss(*actions: str) -> Any:
    return user("u", inline={"p": doc(allow(list(actions), BOSS.arn, "Creds"))})


# --- login profiles: UpdateLoginProfile needs a password, CreateLoginProfile needs none ------


def test_update_login_profile_reaches_a_user_with_a_password_only() -> None:
    u = _on_boss("iam:UpdateLoginProfile")
    has = _verdict("u", u, BOSS, report=(row("u"), row("boss", password=True)))
    assert has.status == "escalates", has.message
    assert has.path[0].method == "update-login-profile"
    assert "not known" not in has.message
    none = _verdict("u", u, BOSS, report=(row("u"), row("boss", password=False)))
    assert none.status == "none", none.message  # NoSuchEntity: nothing to update


def test_create_login_profile_reaches_a_user_without_a_password_only() -> None:
    u = _on_boss("iam:CreateLoginProfile")
    none = _verdict("u", u, BOSS, report=(row("u"), row("boss", password=False)))
    assert none.status == "escalates", none.message
    has = _verdict("u", u, BOSS, report=(row("u"), row("boss", password=True)))
    assert has.status == "none", has.message  # EntityAlreadyExists


def test_a_password_may_be_deleted_first() -> None:
    u = _on_boss("iam:CreateLoginProfile", "iam:DeleteLoginProfile")
    found = _verdict("u", u, BOSS, report=(row("u"), row("boss", password=True)))
    assert found.status == "escalates", found.message
    hop = found.path[0]
    assert [d.action for d in hop.decisions] == ["iam:DeleteLoginProfile", "iam:CreateLoginProfile"]
    assert "(the user has a password: iam:DeleteLoginProfile first)" in hop.how


def test_without_a_report_row_the_edge_stays_and_says_so() -> None:
    """The conservative reading: the report (or this user's row) is missing."""
    u = _on_boss("iam:UpdateLoginProfile")
    for report in (None, (row("u"),)):
        found = _verdict("u", u, BOSS, report=report)
        assert found.status == "escalates", found.message
        assert "(its password not known: no credential report row)" in found.message


# --- access keys: at most two per user ----------------------------------------------------------


def test_create_access_key_needs_a_free_slot() -> None:
    u = _on_boss("iam:CreateAccessKey")
    one = _verdict("u", u, BOSS, report=(row("u"), row("boss", keys=(_key(1),))))
    assert one.status == "escalates", one.message
    assert "not known" not in one.message
    two = _verdict("u", u, BOSS, report=(row("u"), row("boss", keys=(_key(1), _key(2)))))
    assert two.status == "none", two.message  # LimitExceeded


def test_an_inactive_key_takes_its_slot() -> None:
    u = _on_boss("iam:CreateAccessKey")
    keys = (_key(1), _key(2, active=False))
    assert _verdict("u", u, BOSS, report=(row("u"), row("boss", keys=keys))).status == "none"


def test_a_key_may_be_deleted_first() -> None:
    u = _on_boss("iam:CreateAccessKey", "iam:DeleteAccessKey")
    full = (row("u"), row("boss", keys=(_key(1), _key(2))))
    found = _verdict("u", u, BOSS, report=full)
    assert found.status == "escalates", found.message
    assert "(the user has two access keys: iam:DeleteAccessKey first)" in found.message
    # The Delete on another user clears nothing here.
    elsewhere = doc(allow("iam:CreateAccessKey", BOSS.arn), allow("iam:DeleteAccessKey", "x"))
    other = user("u", inline={"p": elsewhere})
    assert _verdict("u", other, BOSS, report=full).status == "none"


# --- service-linked roles: UnmodifiableEntity -------------------------------------------------


def _linked(r: Role) -> Role:
    """The same role, service-linked (its path and ARN under ``/aws-service-role/``)."""
    path = "/aws-service-role/ec2.amazonaws.com/"
    return dataclasses.replace(r, path=path, arn=arn("role", f"{path[1:]}{r.name}"))


def test_no_trust_rewrite_into_a_service_linked_role() -> None:
    plain = role("admin", trust_service("ec2.amazonaws.com"), attached=(ADMIN.arn,))
    for target, status in ((plain, "escalates"), (_linked(plain), "none")):
        u = user("u", inline={"p": doc(allow("iam:UpdateAssumeRolePolicy", "*"))})
        found = _verdict("u", u, target)
        assert found.status == status, (target.arn, found.message)


def test_no_policy_write_into_a_service_linked_role() -> None:
    """A role the writer can act as (a snapshot may say its trust names the writer) and whose
    policy it may write: an edge, unless the role is service-linked."""
    for write in ("iam:PutRolePolicy", "iam:AttachRolePolicy"):
        u = user("u", inline={"p": doc(allow(write, "*"))})
        plain = role("weak", trust_aws(arn("user", "u")), inline={"w": doc(allow("s3:Get*"))})
        assert _verdict("u", u, plain).status == "escalates", write
        assert _verdict("u", u, _linked(plain)).status == "none", write


def test_no_boundary_removal_on_a_service_linked_role() -> None:
    bound = managed("bound", doc(allow("s3:*")))
    u = user("u", inline={"p": doc(allow("iam:DeleteRolePermissionsBoundary", "*"))})
    plain = role("capped", trust_aws(arn("user", "u")), attached=(ADMIN.arn,), boundary=bound.arn)
    assert _verdict("u", u, plain, policies=(bound,)).status == "escalates"
    assert _verdict("u", u, _linked(plain), policies=(bound,)).status == "none"


# --- groups: only users join -----------------------------------------------------------------


def test_only_a_user_joins_a_group() -> None:
    admins = group("admins", attached=(ADMIN.arn,))
    join = {"p": doc(allow("iam:AddUserToGroup", admins.arn))}
    u = user("u", inline=join)
    r = role("r", trust_service("ec2.amazonaws.com"), inline=join)
    assert _verdict("u", u, admins).status == "escalates"
    assert _verdict("r", r, admins).status == "none"


# --- the table ---------------------------------------------------------------------------------


def test_every_precondition_names_catalogue_methods_and_the_api_docs() -> None:
    for found in PRECONDITIONS:
        assert found.methods
        assert all(m in BY_ID for m in found.methods), found.methods
        assert all(d.startswith("https://docs.aws.amazon.com/") for d in found.docs)
        assert found.decided.startswith(("decided", "not decided")), found.decided
