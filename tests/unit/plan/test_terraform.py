"""Terraform plans -> the account after: each resource type as the AWS provider documents it,
values known only after apply traced through the configuration, and near-miss pairs (the
exclusive kinds beside their non-exclusive twins, configured beside not configured)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamgate.model.change import Assumed, Attach, ExclusiveAttachments, PutRole, Unresolved
from iamgate.model.snapshot import Source
from testing.factories import ACCOUNT, ADMIN, arn, group, managed, role, row, snap, user
from testing.plans import (
    POLICY_UNKNOWN,
    ROLE_UNKNOWN,
    after_plan,
    allow,
    change,
    create,
    delete,
    doc,
    ops_of,
    plan,
    refs,
    role_values,
    trust,
    update,
)

LAMBDA = trust({"Service": "lambda.amazonaws.com"})
READ = managed("read", doc(allow("s3:GetObject")))
WRITE = managed("write", doc(allow("s3:PutObject")))
P = f"arn:aws:iam::{ACCOUNT}:policy"


def attached(entity: Any) -> set[str]:
    return {a.arn for a in entity.attached}


def by_name(items: Any) -> dict[str, Any]:
    return {i.name: i for i in items}


# --- principals and policies ---------------------------------------------------------------------


def test_a_new_role_with_a_literal_trust_and_its_attachment_by_name() -> None:
    data = plan(
        create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN),
        create(
            "aws_iam_role_policy_attachment.ci",
            {"role": "ci", "policy_arn": READ.arn},
            {"id": True},
        ),
    )
    after = after_plan(snap(policies=(READ,)), data)
    ci = by_name(after.roles)["ci"]
    assert ci.arn == arn("role", "ci")
    assert ci.trust_policy == LAMBDA
    assert attached(ci) == {READ.arn}
    assert by_name(after.policies)["read"].attachment_count == 2  # IAM's AttachmentCount
    assert after.projection is not None
    assert after.projection.changes == 2


def test_an_unknown_policy_arn_is_traced_to_the_new_policy_it_references() -> None:
    """``policy_arn = aws_iam_policy.p.arn`` is known only after apply: the configuration's
    references say it is the new policy's, whose ARN follows from its name and path."""
    data = plan(
        create(
            "aws_iam_policy.p",
            {"name": "deploy", "path": "/ci/", "policy": json.dumps(doc(allow("iam:PassRole")))},
            POLICY_UNKNOWN,
        ),
        create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN),
        create(
            "aws_iam_role_policy_attachment.a",
            {"role": "ci"},
            {"id": True, "policy_arn": True},
        ),
        resources=[
            refs(
                "aws_iam_role_policy_attachment.a",
                policy_arn=["aws_iam_policy.p.arn", "aws_iam_policy.p"],
            )
        ],
    )
    after = after_plan(snap(), data)
    assert attached(by_name(after.roles)["ci"]) == {f"{P}/ci/deploy"}
    assert f"{P}/ci/deploy" in {p.arn for p in after.policies}


def test_an_unknown_value_that_cannot_be_traced_is_unresolved_never_dropped() -> None:
    data = plan(
        create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN),
        create(
            "aws_iam_role_policy_attachment.a", {"role": "ci"}, {"id": True, "policy_arn": True}
        ),
        resources=[refs("aws_iam_role_policy_attachment.a", policy_arn=["local.policy_arn"])],
    )
    ops = ops_of(data).ops
    unresolved = [op for op in ops if isinstance(op, Unresolved)]
    assert len(unresolved) == 1
    assert "aws_iam_role_policy_attachment.a.policy_arn is known only after apply" in (
        unresolved[0].reason
    )
    assert unresolved[0].origin.address == "aws_iam_role_policy_attachment.a"


def test_references_are_followed_into_a_module_and_to_the_same_for_each_key() -> None:
    data = plan(
        create(
            'module.ci.aws_iam_role.r["prod"]',
            role_values("ci-prod", LAMBDA),
            ROLE_UNKNOWN,
        ),
        create(
            'module.ci.aws_iam_role.r["dev"]',
            role_values("ci-dev", LAMBDA),
            ROLE_UNKNOWN,
        ),
        create(
            'module.ci.aws_iam_role_policy_attachment.a["prod"]',
            {"policy_arn": WRITE.arn},
            {"id": True, "role": True},
        ),
        module_calls={
            "ci": {
                "module": {
                    "resources": [
                        refs(
                            "aws_iam_role_policy_attachment.a",
                            role=["aws_iam_role.r", "each.key"],
                        )
                    ]
                }
            }
        },
    )
    after = after_plan(snap(policies=(WRITE,)), data)
    roles = by_name(after.roles)
    assert attached(roles["ci-prod"]) == {WRITE.arn}  # the instance with the same key
    assert attached(roles["ci-dev"]) == set()


def test_a_module_output_is_followed_to_the_resource_behind_it() -> None:
    data = plan(
        create(
            "module.policies.aws_iam_policy.p",
            {"name": "shared", "path": "/", "policy": json.dumps(doc(allow("s3:ListBucket")))},
            POLICY_UNKNOWN,
        ),
        create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN),
        create(
            "aws_iam_role_policy_attachment.a", {"role": "ci"}, {"id": True, "policy_arn": True}
        ),
        resources=[
            refs(
                "aws_iam_role_policy_attachment.a",
                policy_arn=["module.policies.arn", "module.policies"],
            )
        ],
        module_calls={
            "policies": {
                "module": {
                    "resources": [],
                    "outputs": {"arn": {"expression": {"references": ["aws_iam_policy.p.arn"]}}},
                }
            }
        },
    )
    assert attached(by_name(after_plan(snap(), data).roles)["ci"]) == {f"{P}/shared"}


def test_a_generated_name_is_a_placeholder_named_after_the_address() -> None:
    values = role_values("ci", LAMBDA)
    del values["name"]
    values["name_prefix"] = "ci-"
    unknown = {**ROLE_UNKNOWN, "name": True, "name_prefix": False}
    data = plan(create("aws_iam_role.ci", values, unknown))
    names = [r.name for r in after_plan(snap(), data).roles]
    assert names == ["ci-(aws_iam_role.ci)"]


def test_a_policy_document_known_only_after_apply_is_unresolved() -> None:
    """``jsonencode({... Resource = aws_s3_bucket.b.arn})``: the plan holds no structure."""
    data = plan(
        create("aws_iam_policy.p", {"name": "p", "path": "/"}, {**POLICY_UNKNOWN, "policy": True}),
        resources=[refs("aws_iam_policy.p", policy=["aws_s3_bucket.b.arn", "aws_s3_bucket.b"])],
    )
    (op,) = ops_of(data).ops
    assert isinstance(op, Unresolved)
    assert "the policy document aws_iam_policy.p.policy" in op.reason
    assert "aws_s3_bucket.b.arn" in op.reason


def test_a_deleted_role_goes_with_its_attachments() -> None:
    before = snap(roles=(role("old", attached=(READ.arn,)),), policies=(READ,))
    data = plan(delete("aws_iam_role.old", role_values("old", LAMBDA)))
    after = after_plan(before, data)
    assert after.roles == ()
    assert by_name(after.policies)["read"].attachment_count == 0


def test_a_replaced_role_keeps_its_name_but_not_its_old_attachments() -> None:
    """``["delete", "create"]``: IAM deletes the role first (detaching what is on it), then
    creates it; an attachment the plan does not recreate is gone."""
    before = snap(roles=(role("ci", attached=(READ.arn,)),), policies=(READ,))
    data = plan(
        change(
            "aws_iam_role.ci",
            ["delete", "create"],
            role_values("ci", LAMBDA),
            role_values("ci", LAMBDA, path="/new/"),
            ROLE_UNKNOWN,
        )
    )
    (ci,) = after_plan(before, data).roles
    assert (ci.path, attached(ci)) == ("/new/", set())


@pytest.mark.parametrize("actions", [["no-op"], ["read"], ["forget"]])
def test_actions_that_change_nothing_in_the_account(actions: list[str]) -> None:
    before = snap(roles=(role("ci"),))
    data = plan(change("aws_iam_role.ci", actions, role_values("ci", LAMBDA), None))
    assert after_plan(before, data).roles == before.roles


# --- the exclusive kinds, beside their non-exclusive twins ----------------------------------------


def test_policy_attachment_is_exclusive_across_the_account() -> None:
    """aws_iam_policy_attachment: every principal holding the policy must be listed."""
    before = snap(
        users=(user("a", attached=(READ.arn,)), user("b", attached=(READ.arn,))),
        roles=(role("r"),),
        policies=(READ,),
    )
    exclusive = plan(
        create(
            "aws_iam_policy_attachment.read",
            {"name": "read", "policy_arn": READ.arn, "users": ["a"], "roles": ["r"], "groups": []},
        )
    )
    after = after_plan(before, exclusive)
    users, roles = by_name(after.users), by_name(after.roles)
    assert (attached(users["a"]), attached(users["b"]), attached(roles["r"])) == (
        {READ.arn},
        set(),
        {READ.arn},
    )
    # The non-exclusive twin leaves b's attachment alone.
    one = plan(create("aws_iam_role_policy_attachment.r", {"role": "r", "policy_arn": READ.arn}))
    users = by_name(after_plan(before, one).users)
    assert attached(users["b"]) == {READ.arn}


def test_role_policy_attachments_exclusive_detaches_the_rest_but_its_destroy_detaches_nothing() -> (
    None
):
    before = snap(roles=(role("r", attached=(READ.arn, WRITE.arn)),), policies=(READ, WRITE))
    put = plan(
        create(
            "aws_iam_role_policy_attachments_exclusive.r",
            {"role_name": "r", "policy_arns": [READ.arn]},
        )
    )
    assert attached(after_plan(before, put).roles[0]) == {READ.arn}
    gone = plan(
        delete(
            "aws_iam_role_policy_attachments_exclusive.r",
            {"role_name": "r", "policy_arns": [READ.arn]},
        )
    )
    assert attached(after_plan(before, gone).roles[0]) == {READ.arn, WRITE.arn}
    # While destroying a plain attachment detaches it.
    detach = plan(
        delete("aws_iam_role_policy_attachment.w", {"role": "r", "policy_arn": WRITE.arn})
    )
    assert attached(after_plan(before, detach).roles[0]) == {READ.arn}


def test_role_policies_exclusive_deletes_unlisted_inline_policies() -> None:
    before = snap(roles=(role("r", inline={"keep": doc(allow("s3:*")), "drop": doc(allow("*"))}),))
    data = plan(
        create("aws_iam_role_policies_exclusive.r", {"role_name": "r", "policy_names": ["keep"]})
    )
    assert [p.name for p in after_plan(before, data).roles[0].inline] == ["keep"]


@pytest.mark.parametrize("configured", [True, False])
def test_a_roles_managed_policy_arns_are_exclusive_only_when_configured(configured: bool) -> None:
    """The provider ignores ``managed_policy_arns`` (and ``inline_policy``) unless the
    configuration sets them; then they are the role's exact set."""
    before = snap(roles=(role("r", attached=(READ.arn,)),), policies=(READ, WRITE))
    values = role_values("r", LAMBDA, managed_policy_arns=[WRITE.arn])
    expressions = {"managed_policy_arns": [WRITE.arn]} if configured else {"name": "r"}
    data = plan(
        update("aws_iam_role.r", role_values("r", LAMBDA), values),
        resources=[refs("aws_iam_role.r", **expressions)],
    )
    got = attached(after_plan(before, data).roles[0])
    assert got == ({WRITE.arn} if configured else {READ.arn})


def test_a_roles_inline_policy_blocks_replace_its_inline_policies() -> None:
    before = snap(roles=(role("r", inline={"old": doc(allow("*"))}),))
    block = {"name": "new", "policy": json.dumps(doc(allow("s3:GetObject")))}
    values = role_values("r", LAMBDA, inline_policy=[block])
    data = plan(
        update("aws_iam_role.r", role_values("r", LAMBDA), values),
        resources=[refs("aws_iam_role.r", inline_policy=[{"name": "new", "policy": "x"}])],
    )
    assert [p.name for p in after_plan(before, data).roles[0].inline] == ["new"]


def test_group_membership_is_exclusive_on_update_user_group_membership_is_not() -> None:
    before = snap(
        users=(user("a", groups=("devs",)), user("b", groups=("devs",)), user("c")),
        groups=(group("devs"), group("ops")),
    )
    exclusive = plan(
        update(
            "aws_iam_group_membership.devs",
            {"name": "m", "group": "devs", "users": ["a", "b"]},
            {"name": "m", "group": "devs", "users": ["a", "c"]},
        )
    )
    users = by_name(after_plan(before, exclusive).users)
    assert [u for u in ("a", "b", "c") if "devs" in users[u].groups] == ["a", "c"]
    additive = plan(
        create("aws_iam_user_group_membership.c", {"user": "c", "groups": ["devs", "ops"]})
    )
    users = by_name(after_plan(before, additive).users)
    assert [u for u in ("a", "b", "c") if "devs" in users[u].groups] == ["a", "b", "c"]
    assert users["c"].groups == ("devs", "ops")


def test_a_membership_listed_before_the_user_it_adds_is_applied_after_it() -> None:
    """resource_changes are sorted by address, not by dependency."""
    data = plan(
        create("aws_iam_group.devs", {"name": "devs", "path": "/"}, {"arn": True}),
        create("aws_iam_group_membership.m", {"name": "m", "group": "devs", "users": ["zed"]}),
        create("aws_iam_user.zed", {"name": "zed", "path": "/"}, {"arn": True}),
    )
    assert by_name(after_plan(snap(), data).users)["zed"].groups == ("devs",)


def test_an_attachment_to_a_principal_that_is_nowhere_is_unresolved() -> None:
    from iamgate.plan import project

    data = plan(
        create("aws_iam_role_policy_attachment.a", {"role": "ghost", "policy_arn": READ.arn})
    )
    projected = project(snap(policies=(READ,)), [ops_of(data)])
    assert [u.reason for u in projected.unresolved] == [
        "role ghost is neither in the snapshot nor created by the change"
    ]


# --- account settings and credentials ------------------------------------------------------------


def test_the_password_policy_as_get_account_password_policy_answers() -> None:
    values = {
        "minimum_password_length": 14,
        "require_symbols": True,
        "require_numbers": True,
        "require_uppercase_characters": True,
        "require_lowercase_characters": True,
        "allow_users_to_change_password": True,
        "hard_expiry": False,
        "max_password_age": 0,
        "password_reuse_prevention": 24,
    }
    data = plan(
        create("aws_iam_account_password_policy.strict", values, {"expire_passwords": True})
    )
    policy = after_plan(snap(password_policy=None), data).password_policy
    assert policy is not None
    assert "MaxPasswordAge" not in policy  # 0: not set
    assert policy["ExpirePasswords"] is False
    assert (policy["MinimumPasswordLength"], policy["PasswordReusePrevention"]) == (14, 24)
    gone = plan(delete("aws_iam_account_password_policy.strict", values))
    assert after_plan(snap(), gone).password_policy is None


def test_a_new_user_has_a_credential_report_row_with_its_password_and_key() -> None:
    data = plan(
        create("aws_iam_user.dev", {"name": "dev", "path": "/"}, {"arn": True}),
        create("aws_iam_user_login_profile.dev", {"user": "dev"}, {"password": True}),
        create("aws_iam_access_key.dev", {"user": "dev", "status": "Active"}, {"id": True}),
    )
    after = after_plan(snap(), data)
    (dev,) = [r for r in after.credential_report if r.user == "dev"]
    assert dev.password_enabled
    assert not dev.mfa_active
    assert dev.user_creation_time == after.collected_at == dev.password_last_changed
    assert [(k.active, k.last_rotated == after.collected_at) for k in dev.keys] == [
        (True, True),
        (False, False),
    ]


def test_an_access_key_is_found_by_its_creation_time_to_be_deleted() -> None:
    from iamgate.plan import project
    from testing.factories import ago, key

    before = snap(
        credential_report=(
            row("<root_account>", password=None, mfa=True),
            row("ci", keys=(key(1, rotated=30), key(2, rotated=5))),
        )
    )
    created = f"{ago(5):%Y-%m-%dT%H:%M:%SZ}"
    data = plan(
        delete(
            "aws_iam_access_key.second", {"user": "ci", "status": "Active", "create_date": created}
        )
    )
    (ci,) = [r for r in after_plan(before, data).credential_report if r.user == "ci"]
    assert [k.active for k in ci.keys] == [True, False]
    # A creation time that matches no key cannot say which key goes: unresolved.
    wrong = plan(
        delete(
            "aws_iam_access_key.x",
            {"user": "ci", "status": "Active", "create_date": "2020-01-01T00:00:00Z"},
        )
    )
    projected = project(before, [ops_of(wrong)])
    assert projected.unresolved[0].touches == (Source.CREDENTIAL_REPORT,)


def test_a_third_access_key_is_refused_as_iam_refuses_it() -> None:
    from iamgate.plan import project
    from testing.factories import key

    before = snap(credential_report=(row("ci", keys=(key(1), key(2))),))
    data = plan(create("aws_iam_access_key.third", {"user": "ci", "status": "Active"}))
    assert "already has two access keys" in project(before, [ops_of(data)]).unresolved[0].reason


# --- aws_iam_policy_document rendered when the plan could not ------------------------------------


def _deferred_document(statement: dict[str, Any], unknown: dict[str, Any]) -> dict[str, Any]:
    return change(
        "data.aws_iam_policy_document.d",
        ["read"],
        None,
        {
            "statement": [statement],
            "version": None,
            "source_policy_documents": None,
            "override_policy_documents": None,
        },
        {"id": True, "json": True, "statement": [unknown]},
    )


def _with_document(document_change: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
    return plan(
        document_change,
        create("aws_iam_policy.p", {"name": "p", "path": "/"}, {**POLICY_UNKNOWN, "policy": True}),
        resources=[
            refs(
                "aws_iam_policy.p",
                policy=["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"],
            ),
            *more,
        ],
    )


def test_a_deferred_document_is_rendered_with_a_foreign_arn_as_a_placeholder() -> None:
    statement = {
        "effect": None,
        "actions": ["s3:GetObject"],
        "resources": [None],
        "principals": [],
        "condition": [],
    }
    data = _with_document(
        _deferred_document(statement, {"resources": [True]}),
        refs(
            "data.aws_iam_policy_document.d",
            statement=[{"resources": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]}],
        ),
    )
    (policy,) = after_plan(snap(), data).policies
    (st,) = policy.document["Statement"]
    assert st == {
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": ["(known after apply: aws_s3_bucket.b.arn)"],
    }


def test_an_untraceable_allow_resource_grants_and_says_so() -> None:
    statement = {
        "effect": "Allow",
        "actions": ["iam:PassRole"],
        "resources": [None],
        "condition": [],
    }
    data = _with_document(_deferred_document(statement, {"resources": [True]}))
    changes = ops_of(data)
    (policy,) = apply_policies(changes)
    assert policy.document["Statement"][0]["Resource"] == ["*"]
    notes = [op.note for op in changes.ops if isinstance(op, Assumed)]
    assert notes
    assert "read as granting (an Allow grants)" in notes[0]


def test_an_untraceable_deny_is_left_out_a_deny_removes_nothing() -> None:
    deny = {"effect": "Deny", "actions": ["iam:*"], "resources": [None], "condition": []}
    data = _with_document(_deferred_document(deny, {"resources": [True]}))
    (policy,) = apply_policies(ops_of(data))
    assert policy.document["Statement"] == []


def test_an_untraceable_condition_of_an_allow_is_dropped() -> None:
    statement = {
        "effect": "Allow",
        "actions": ["sts:AssumeRoleWithWebIdentity"],
        "resources": ["*"],
        "condition": [{"test": "StringLike", "variable": "x:sub", "values": [None]}],
    }
    data = _with_document(
        _deferred_document(statement, {"condition": [{"values": [True]}]}),
    )
    changes = ops_of(data)
    (policy,) = apply_policies(changes)
    assert "Condition" not in policy.document["Statement"][0]
    assert any("the condition 1" in op.note for op in changes.ops if isinstance(op, Assumed))


def apply_policies(changes: Any) -> Any:
    from iamgate.plan import apply_changes

    return apply_changes(snap(), [changes]).policies


# --- what is not modelled ------------------------------------------------------------------------


def test_iam_resources_no_check_reads_change_nothing_others_are_unresolved() -> None:
    data = plan(
        create(
            "aws_iam_user_ssh_key.k",
            {"username": "a", "public_key": "ssh-rsa AAAA", "encoding": "SSH"},
        ),
        create("aws_iam_server_certificate.c", {"name": "c"}, {"expiration": True}),
        create(
            "aws_iam_service_linked_role.es",
            {"aws_service_name": "es.amazonaws.com"},
            {"name": True},
        ),
        create("aws_s3_bucket.b", {"bucket": "b"}),  # not IAM: outside what the checks judge
    )
    ops = ops_of(data)
    assert ops.resources == 3
    assert [(op.origin.address, op.touches) for op in ops.ops if isinstance(op, Unresolved)] == [
        ("aws_iam_server_certificate.c", (Source.SERVER_CERTIFICATES,)),
        ("aws_iam_service_linked_role.es", (Source.AUTHORIZATION_DETAILS,)),
    ]


def test_an_empty_plan_and_a_plan_of_no_ops_leave_the_snapshot_as_it_was() -> None:
    before = snap(users=(user("a", attached=(ADMIN.arn,)),), policies=(ADMIN,))
    assert after_plan(before, plan()) is before
    assert (
        after_plan(before, plan(change("aws_iam_user.a", ["no-op"], {"name": "a"}, {"name": "a"})))
        is before
    )


def test_every_mapped_type_names_its_origin() -> None:
    data = plan(create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN))
    (op,) = ops_of(data).ops
    assert isinstance(op, PutRole)
    assert op.origin.address == "aws_iam_role.ci"


def test_a_deposed_object_is_deleted_by_its_own_name() -> None:
    before = snap(roles=(role("ci-old"), role("ci")))
    data = plan(
        change(
            "aws_iam_role.ci", ["delete"], role_values("ci-old", LAMBDA), None, deposed="00000001"
        ),
    )
    assert [r.name for r in after_plan(before, data).roles] == ["ci"]


def test_exclusive_attachments_op_for_a_principal_and_attach_op_shapes() -> None:
    data = plan(
        create(
            "aws_iam_user_policy_attachments_exclusive.u",
            {"user_name": "u", "policy_arns": [READ.arn]},
        ),
        create("aws_iam_group_policy_attachment.g", {"group": "g", "policy_arn": READ.arn}),
    )
    ops = ops_of(data).ops
    assert ops[0] == ExclusiveAttachments(ops[0].origin, "user", "u", (READ.arn,))
    assert ops[1] == Attach(ops[1].origin, "group", "g", READ.arn)


# --- a user or group renamed in place ------------------------------------------------------------


def test_a_user_renamed_in_place_keeps_its_policies_groups_and_credentials() -> None:
    """``name`` of ``aws_iam_user`` is updated with UpdateUser NewUserName, not replaced: the
    user keeps everything, under its new name and ARN (and so do its report row and groups)."""
    from testing.factories import key

    before = snap(
        credential_report=(
            row("<root_account>", password=None, mfa=True),
            row("ana", keys=(key(1),)),
        ),
        users=(
            user("ana", groups=("ops",), attached=(ADMIN.arn,), inline={"x": doc(allow("s3:*"))}),
        ),
        groups=(group("ops", attached=(READ.arn,)),),
        policies=(ADMIN, READ),
    )
    data = plan(
        update("aws_iam_user.ana", {"name": "ana", "path": "/"}, {"name": "ana.m", "path": "/"})
    )
    after = after_plan(before, data)
    (renamed,) = after.users
    assert (renamed.name, renamed.arn) == ("ana.m", arn("user", "ana.m"))
    assert (attached(renamed), renamed.groups, [p.name for p in renamed.inline]) == (
        {ADMIN.arn},
        ("ops",),
        ["x"],
    )
    (report,) = [r for r in after.credential_report if not r.is_root]
    assert (report.user, report.arn, report.keys[0].active) == ("ana.m", renamed.arn, True)
    assert by_name(after.policies)["AdministratorAccess"].attachment_count == 1


def test_the_same_name_change_as_a_replacement_loses_what_the_plan_does_not_recreate() -> None:
    """The near miss: ``["delete", "create"]`` deletes the old user (and what is on it)."""
    before = snap(users=(user("ana", attached=(ADMIN.arn,)),), policies=(ADMIN,))
    data = plan(
        change(
            "aws_iam_user.ana",
            ["delete", "create"],
            {"name": "ana", "path": "/"},
            {"name": "ana.m", "path": "/"},
        )
    )
    (created,) = after_plan(before, data).users
    assert (created.name, attached(created)) == ("ana.m", set())


def test_operations_that_still_name_the_old_user_find_it_renamed() -> None:
    """Terraform replaces what references the user by name (its attachment is ForceNew on
    ``user``): the detach names the old name, the attach the new one; a detach that is not
    recreated detaches."""
    before = snap(users=(user("ana", attached=(ADMIN.arn, READ.arn)),), policies=(ADMIN, READ))
    rename = update(
        "aws_iam_user.ana", {"name": "ana", "path": "/"}, {"name": "ana.m", "path": "/"}
    )
    moved = change(
        "aws_iam_user_policy_attachment.read",
        ["delete", "create"],
        {"user": "ana", "policy_arn": READ.arn},
        {"user": "ana.m", "policy_arn": READ.arn},
    )
    dropped = delete(
        "aws_iam_user_policy_attachment.admin", {"user": "ana", "policy_arn": ADMIN.arn}
    )
    (renamed,) = after_plan(before, plan(rename, moved, dropped)).users
    assert attached(renamed) == {READ.arn}


def test_a_group_renamed_in_place_keeps_its_members_and_policies() -> None:
    before = snap(
        users=(user("ana", groups=("ops",)), user("bo", groups=("ops",))),
        groups=(group("ops", attached=(ADMIN.arn,)),),
        policies=(ADMIN,),
    )
    data = plan(
        update("aws_iam_group.ops", {"name": "ops", "path": "/"}, {"name": "platform", "path": "/"})
    )
    after = after_plan(before, data)
    (platform,) = after.groups
    assert (platform.arn, attached(platform)) == (arn("group", "platform"), {ADMIN.arn})
    assert {u.name: u.groups for u in after.users} == {"ana": ("platform",), "bo": ("platform",)}
