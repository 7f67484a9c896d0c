from __future__ import annotations

from datetime import timedelta

from iamgate.model.snapshot import ServerCertificate, Snapshot
from testing.checks import only, run, verdicts
from testing.factories import ADMIN, NOW, arn, doc, group, managed, role, snap, user

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
S3_READ = {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}


def test_direct_policies() -> None:
    s = snap(
        users=(
            user("alice", groups=("devs",)),
            user("bob", attached=(arn("policy", "p"),)),
            user("carol", inline={"mine": doc(S3_READ)}),
        )
    )
    got = verdicts(s, "user-direct-policies")
    assert got == {
        arn("user", "alice"): True,
        arn("user", "bob"): False,
        arn("user", "carol"): False,
    }
    carol = [r for r in run(s, "user-direct-policies") if r.resource == arn("user", "carol")]
    assert "mine (inline)" in carol[0].message


def test_group_admin_access_however_written() -> None:
    readonly = managed("read", doc(S3_READ))
    notaction = managed("most", doc({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}))
    s = snap(
        policies=(ADMIN, readonly, notaction),
        groups=(
            group("admins", attached=(ADMIN.arn,)),
            group("readers", attached=(readonly.arn,)),
            group("inline-admins", inline={"all": doc(ALLOW_ALL)}),
            group("notaction", attached=(notaction.arn,)),
            group(
                "denied",
                attached=(ADMIN.arn,),
                inline={"deny": doc({"Effect": "Deny", "Action": "*", "Resource": "*"})},
            ),
        ),
    )
    assert verdicts(s, "group-admin-access") == {
        arn("group", "admins"): False,
        arn("group", "readers"): True,
        arn("group", "inline-admins"): False,
        # Everything but IAM (PowerUserAccess's shape) is not full administrator...
        arn("group", "notaction"): True,
        arn("group", "denied"): True,
    }
    results = {r.resource: r.message for r in run(s, "group-admin-access")}
    assert "allows every action except iam:*" in results[arn("group", "notaction")]


def test_group_admin_access_by_self_grant() -> None:
    """...but everything but IAM plus the IAM write to grant itself the rest is."""
    grant_self = doc(
        {"Effect": "Allow", "Action": "iam:PutGroupPolicy", "Resource": arn("group", "g")}
    )
    other = doc({"Effect": "Allow", "Action": "iam:PutGroupPolicy", "Resource": arn("group", "x")})
    s = snap(groups=(group("g", inline={"w": grant_self}), group("h", inline={"w": other})))
    assert verdicts(s, "group-admin-access") == {arn("group", "g"): False, arn("group", "h"): True}
    assert "may grant itself anything: iam:PutGroupPolicy" in only_for(s, arn("group", "g"))


def test_group_admin_names_the_policy_and_statement() -> None:
    s = snap(policies=(ADMIN,), groups=(group("admins", attached=(ADMIN.arn,)),))
    result = only(s, "group-admin-access")
    assert "statement #1 of policy/AdministratorAccess (AWS managed)" in result.message


def test_group_with_a_policy_missing_from_the_snapshot_is_an_error() -> None:
    s = snap(groups=(group("g", attached=("arn:aws:iam::aws:policy/Unknown",)),))
    assert only(s, "group-admin-access").passed is None
    # AdministratorAccess is known by its ARN even without its document.
    s = snap(groups=(group("g", attached=(ADMIN.arn,)),))
    assert only(s, "group-admin-access").passed is False


def test_policy_full_admin_covers_managed_and_inline() -> None:
    attached = managed("everything", doc(ALLOW_ALL))
    unattached = managed("unused", doc(ALLOW_ALL), attachments=0)
    fine = managed("fine", doc(S3_READ))
    most = managed("most", doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    own = {"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": arn("role", "r")}
    s = snap(
        policies=(attached, unattached, fine, most, ADMIN),
        roles=(role("r", inline={"star": doc(ALLOW_ALL), "own": doc(own)}),),
        users=(user("u", inline={"own": doc(own)}),),
    )
    assert verdicts(s, "policy-full-admin") == {
        attached.arn: False,
        fine.arn: True,
        most.arn: True,  # every action but IAM: not full administrator
        f"{arn('role', 'r')}#inline/star": False,
        # The role may write its own policy: it can grant itself anything...
        f"{arn('role', 'r')}#inline/own": False,
        # ...the same statement held by a user writes someone else's.
        f"{arn('user', 'u')}#inline/own": True,
    }


def only_for(s: Snapshot, resource: str, check: str = "group-admin-access") -> str:
    return next(r.message for r in run(s, check) if r.resource == resource)


def test_support_role() -> None:
    support = "arn:aws:iam::aws:policy/AWSSupportAccess"
    assert only(snap(), "support-role").passed is False
    s = snap(roles=(role("support", attached=(support,)),))
    result = only(s, "support-role")
    assert result.passed is True
    assert arn("role", "support") in result.message
    # CIS 1.17 asks for a role: a user or a group holding the policy does not satisfy it.
    s = snap(
        users=(user("helpdesk", attached=(support,)),),
        groups=(group("support", attached=(support,)),),
    )
    result = only(s, "support-role")
    assert result.passed is False
    assert "CIS 1.17 asks for a role" in result.message
    assert arn("user", "helpdesk") in result.message


def test_expired_server_certificate() -> None:
    def cert(name: str, days: int) -> ServerCertificate:
        return ServerCertificate(
            name=name, arn=arn("server-certificate", name), expiration=NOW + timedelta(days=days)
        )

    s = snap(server_certificates=(cert("old", -1), cert("new", 30)))
    assert verdicts(s, "server-certificate-expired") == {
        arn("server-certificate", "old"): False,
        arn("server-certificate", "new"): True,
    }


def test_malformed_policy_in_snapshot_is_an_error_not_a_pass() -> None:
    broken = managed("broken", {"iamgate:unparsed": "{not json"})
    s = snap(policies=(broken,))
    result = only(s, "policy-full-admin")
    assert result.passed is None
    assert "malformed policy" in result.message


def test_policy_full_admin_judges_any_user_or_role_holder() -> None:
    user_self = managed(
        "user-self",
        doc(
            {
                "Effect": "Allow",
                "Action": "iam:PutUserPolicy",
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            }
        ),
    )
    role_self = managed(
        "role-self",
        doc(
            {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": "${aws:PrincipalArn}"}
        ),
    )
    named = managed(
        "named",
        doc({"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn("user", "bob")}),
    )
    s = snap(policies=(user_self, role_self, named))
    assert verdicts(s, "policy-full-admin") == {
        user_self.arn: False,  # any user holding it may write itself
        role_self.arn: False,  # any role holding it may attach to itself
        named.arn: True,  # writes bob's policies: bob's holder is judged by principal-admin-access
    }
