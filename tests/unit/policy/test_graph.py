"""The escalation graph: expected shortest paths (multi-hop), the issue's false failures and false
passes, the trust adapter, the catalogue's coverage of its sources, and the vectorised
evaluation held equal to ``allows``."""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from iamgate.model.snapshot import Role, Snapshot
from iamgate.policy.escalation import Escalation, Graph, Variant, trust_admits
from iamgate.policy.evaluate import allows
from iamgate.policy.principals import Principals
from iamgate.policy.trust import Admission, TrustContext, who_can_assume
from testing.factories import ADMIN, arn, group, managed, role, snap, user
from testing.policies import (
    ACCOUNT,
    OWN_CREDENTIALS,
    POWER_USER,
    allow,
    deny,
    doc,
    trust_aws,
    trust_service,
)

POWER = managed("PowerUserAccess", POWER_USER, aws_managed=True)
LAMBDA = "lambda.amazonaws.com"


def graph(s: Snapshot) -> Graph:
    return Graph(Principals(s))


def verdicts(*entities: Any, policies: tuple[Any, ...] = ()) -> dict[str, Escalation]:
    """name -> verdict, for an account of these users, roles and groups."""
    users = tuple(e for e in entities if e.arn.split(":")[5].startswith("user/"))
    roles = tuple(e for e in entities if e.arn.split(":")[5].startswith("role/"))
    groups = tuple(e for e in entities if e.arn.split(":")[5].startswith("group/"))
    s = snap(users=users, roles=roles, groups=groups, policies=(ADMIN, POWER, *policies))
    return {e.principal.rsplit("/", 1)[-1]: e for e in graph(s).escalations().values()}


def admin_role(name: str, trust: dict[str, Any]) -> Role:
    return role(name, trust, attached=(ADMIN.arn,))


OPS_ADMIN = admin_role("ops-admin", trust_service(LAMBDA))


# --- the false failures ------------------------------------------------------------------


def test_own_credentials_is_no_escalation() -> None:
    everyone = group("everyone", inline={"own": OWN_CREDENTIALS})
    boss = user("boss", attached=(ADMIN.arn,))
    v = verdicts(user("alice", groups=("everyone",)), boss, everyone)
    assert v["alice"].status == "none", v["alice"].message
    assert v["everyone"].status == "none", v["everyone"].message  # a member: itself only
    assert v["boss"].status == "admin"


def test_passrole_scoped_to_a_logs_role_is_no_escalation() -> None:
    """iamgate's own remediation: PassRole scoped to the one role the job passes."""
    logs = role("logs-writer", trust_service(LAMBDA), inline={"p": doc(allow("logs:PutLogEvents"))})
    ci = user(
        "ci",
        inline={
            "deploy": doc(
                allow("iam:PassRole", logs.arn, "Pass"),
                allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*", "Lambda"),
            )
        },
    )
    v = verdicts(ci, logs, OPS_ADMIN)
    assert v["ci"].status == "none", v["ci"].message
    # The near miss: PassRole on every role reaches the admin role.
    wide = user(
        "ci",
        inline={
            "deploy": doc(
                allow(
                    ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                    "*",
                    "Deploy",
                )
            )
        },
    )
    v = verdicts(wide, logs, OPS_ADMIN)
    assert v["ci"].message == (
        "user/ci → iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction "
        "(statement 'Deploy' of user/ci#inline/deploy) → role/ops-admin (full administrator)"
    )


def test_power_user_is_no_admin_but_escalates_through_lambda() -> None:
    dev = user("dev", attached=(POWER.arn,))
    v = verdicts(dev, OPS_ADMIN)["dev"]
    assert v.status == "escalates", v.message
    assert v.path[0].method == "lambda-update-code"
    assert f"on a resource that runs as it ({LAMBDA}) → role/ops-admin" in v.message
    # A role that only a named user may assume is out of reach.
    named = admin_role("named-admin", trust_aws(arn("user", "boss")))
    assert verdicts(dev, named, user("boss"))["dev"].status == "none"


# --- the false passes --------------------------------------------------------------------


def test_role_writing_its_own_policy_is_already_admin() -> None:
    r = role(
        "self-writer",
        trust_service("ec2.amazonaws.com"),
        inline={"p": doc(allow("iam:PutRolePolicy", arn("role", "self-writer"), "Self"))},
    )
    v = verdicts(r)["self-writer"]
    assert v.status == "admin"
    assert (
        v.message == "role/self-writer is already full administrator (see principal-admin-access)"
    )


def test_may_assume_an_admin_role() -> None:
    admin = admin_role("admin", trust_aws(f"arn:aws:iam::{ACCOUNT}:root"))
    bob = user("bob", inline={"a": doc(allow("sts:AssumeRole", admin.arn, "Assume"))})
    v = verdicts(bob, admin)["bob"]
    assert v.message == (
        "user/bob → sts:AssumeRole (statement 'Assume' of user/bob#inline/a; trust statement #1 "
        f"trusts the account (arn:aws:iam::{ACCOUNT}:root): the caller also needs "
        "sts:AssumeRole) → role/admin (full administrator)"
    )
    # Without sts:AssumeRole of its own, a trust of the account admits nobody.
    assert verdicts(user("bob"), admin)["bob"].status == "none"


def test_trust_naming_the_user_needs_no_permission() -> None:
    admin = admin_role("admin", trust_aws(arn("user", "carol")))
    v = verdicts(user("carol"), admin)["carol"]
    assert v.message == (
        "user/carol → sts:AssumeRole (trust statement #1 names "
        "arn:aws:iam::123456789012:user/carol) → role/admin "
        "(full administrator)"
    )


def test_a_deny_on_assume_role_closes_the_account_path() -> None:
    admin = admin_role("admin", trust_aws(ACCOUNT))
    bob = user("bob", inline={"a": doc(allow("sts:AssumeRole"), deny("sts:AssumeRole", admin.arn))})
    assert verdicts(bob, admin)["bob"].status == "none"


@pytest.mark.parametrize(
    ("service", "actions", "method"),
    [
        (
            "codebuild.amazonaws.com",
            ["codebuild:CreateProject", "codebuild:StartBuild"],
            "passrole-codebuild",
        ),
        ("sagemaker.amazonaws.com", ["sagemaker:CreateTrainingJob"], "passrole-sagemaker"),
        (
            "ecs-tasks.amazonaws.com",
            ["ecs:RegisterTaskDefinition", "ecs:CreateService"],
            "passrole-ecs-task-definition",
        ),
        ("glue.amazonaws.com", ["glue:CreateJob", "glue:StartJobRun"], "passrole-glue-job"),
        ("cloudformation.amazonaws.com", ["cloudformation:CreateStack"], "passrole-cloudformation"),
        (
            "ecs-tasks.amazonaws.com",
            ["batch:RegisterJobDefinition", "batch:SubmitJob"],
            "passrole-batch",
        ),
        ("ec2.amazonaws.com", ["elasticmapreduce:RunJobFlow"], "passrole-emr"),
        (
            "ec2.amazonaws.com",
            ["autoscaling:CreateLaunchConfiguration", "autoscaling:CreateAutoScalingGroup"],
            "passrole-autoscaling",
        ),
        ("ec2.amazonaws.com", ["ec2:RunInstances"], "passrole-ec2"),
        (
            "datapipeline.amazonaws.com",
            ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"],
            "passrole-datapipeline",
        ),
        ("tasks.apprunner.amazonaws.com", ["apprunner:CreateService"], "passrole-apprunner"),
    ],
)
def test_pass_role_families(service: str, actions: list[str], method: str) -> None:
    target = admin_role("svc-admin", trust_service(service))
    u = user("u", inline={"p": doc(allow(["iam:PassRole", *actions], "*", "Run"))})
    v = verdicts(u, target)["u"]
    assert v.status == "escalates", v.message
    assert v.path[0].method == method
    assert "(statement 'Run' of user/u#inline/p) → role/svc-admin (full administrator)" in v.message
    # Without iam:PassRole, this row does not apply (another may: StartBuild runs existing
    # projects, CreateAutoScalingGroup existing launch configurations).
    alone = verdicts(user("u", inline={"p": doc(allow(actions, "*", "Run"))}), target)["u"]
    assert alone.status == "none" or alone.path[0].method != method


@pytest.mark.parametrize(
    ("service", "actions", "method"),
    [
        (LAMBDA, ["lambda:UpdateFunctionCode"], "lambda-update-code"),
        ("ec2.amazonaws.com", ["ssm:SendCommand"], "ssm-command"),
        ("ec2.amazonaws.com", ["ssm:StartSession"], "ssm-command"),
        ("ecs-tasks.amazonaws.com", ["ecs:ExecuteCommand"], "ecs-execute-command"),
        ("ec2.amazonaws.com", ["ec2-instance-connect:SendSSHPublicKey"], "ec2-instance-connect"),
        ("glue.amazonaws.com", ["glue:UpdateDevEndpoint"], "glue-update-dev-endpoint"),
        ("codebuild.amazonaws.com", ["codebuild:StartBuild"], "codebuild-start-build"),
        (
            "cloudformation.amazonaws.com",
            ["cloudformation:UpdateStack"],
            "cloudformation-update-stack",
        ),
        (
            "sagemaker.amazonaws.com",
            ["sagemaker:CreatePresignedNotebookInstanceUrl"],
            "sagemaker-notebook",
        ),
    ],
)
def test_existing_compute(service: str, actions: list[str], method: str) -> None:
    target = admin_role("carrier", trust_service(service))
    u = user("u", inline={"p": doc(allow(actions, "*", "Ops"))})
    v = verdicts(u, target)["u"]
    assert v.status == "escalates", v.message
    assert v.path[0].method == method, v.message
    assert f"on a resource that runs as it ({service}) → role/carrier" in v.message
    # A role trusting another service is out of its reach.
    other = admin_role("other", trust_service("states.amazonaws.com"))
    assert verdicts(u, other)["u"].status == "none"


def test_service_linked_roles_are_neither_judged_nor_reached() -> None:
    slr = dataclasses.replace(
        admin_role("AWSServiceRoleForECS", trust_service("ecs-tasks.amazonaws.com")),
        path="/aws-service-role/ecs.amazonaws.com/",
    )
    v = verdicts(user("u", inline={"p": doc(allow("ecs:ExecuteCommand"))}), slr)
    assert v["AWSServiceRoleForECS"].status == "skipped"
    assert v["u"].status == "none"


# --- multi-hop paths and raised targets ----------------------------------------------------------


def test_multi_hop_assume_then_pass() -> None:
    a = role(
        "A",
        trust_aws(arn("user", "dev")),
        inline={
            "d": doc(
                allow(
                    ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                    "*",
                    "Deploy",
                )
            )
        },
    )
    dev = user("dev", inline={"r": doc(allow("s3:GetObject"))})
    v = verdicts(dev, a, OPS_ADMIN)
    assert v["dev"].message == (
        "user/dev → sts:AssumeRole (trust statement #1 names arn:aws:iam::123456789012:user/dev) "
        "→ role/A → iam:PassRole + "
        "lambda:CreateFunction + lambda:InvokeFunction (statement 'Deploy' of role/A#inline/d) → "
        "role/ops-admin (full administrator)"
    )
    assert [h.method for h in v["dev"].path] == ["assume-role", "passrole-lambda"]
    assert len(v["A"].path) == 1


def test_three_hops_through_existing_compute() -> None:
    """user → (CodeBuild runs as) role/builder → (assume) role/deployer → (pass) role/ops-admin."""
    deployer = role(
        "deployer",
        trust_aws(arn("role", "builder")),
        inline={
            "d": doc(
                allow(
                    ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
                    "*",
                    "Deploy",
                )
            )
        },
    )
    builder = role("builder", trust_service("codebuild.amazonaws.com"))
    ci = user("ci", inline={"b": doc(allow("codebuild:StartBuild", "*", "Build"))})
    v = verdicts(ci, builder, deployer, OPS_ADMIN)["ci"]
    assert [h.target.name for h in v.path] == ["role/builder", "role/deployer", "role/ops-admin"]
    assert [h.method for h in v.path] == ["codebuild-start-build", "assume-role", "passrole-lambda"]
    assert v.prize == "full administrator"


def test_shortest_path_is_chosen() -> None:
    hop = role("hop", trust_aws(arn("user", "eve")), inline={"p": doc(allow("sts:AssumeRole"))})
    admin = admin_role("admin", trust_aws(ACCOUNT))
    eve = user("eve", inline={"p": doc(allow("sts:AssumeRole", admin.arn))})
    assert [h.target.name for h in verdicts(eve, hop, admin)["eve"].path] == ["role/admin"]
    assert [h.target.name for h in verdicts(user("eve"), hop, admin)["eve"].path] == [
        "role/hop",
        "role/admin",
    ]


def test_write_a_role_policy_and_assume_it() -> None:
    t = role("target", trust_aws(ACCOUNT), inline={"p": doc(allow("s3:GetObject"))})
    u = user("u", inline={"p": doc(allow(["iam:PutRolePolicy", "sts:AssumeRole"], t.arn, "Both"))})
    v = verdicts(u, t)["u"]
    assert v.status == "escalates"
    assert v.path[-1].target.variant == "raised"
    assert v.message.startswith(
        "user/u → iam:PutRolePolicy (statement 'Both' of user/u#inline/p), then sts:AssumeRole"
    )
    assert v.message.endswith("→ role/target with policies rewritten (full administrator)")


def test_write_a_role_policy_without_a_way_in_is_no_edge() -> None:
    t = role("target", trust_service("ec2.amazonaws.com"), inline={"p": doc(allow("s3:GetObject"))})
    u = user("u", inline={"p": doc(allow("iam:PutRolePolicy", t.arn))})
    assert verdicts(u, t)["u"].status == "none"


def test_update_trust_then_assume() -> None:
    admin = admin_role("admin", trust_service("ec2.amazonaws.com"))
    u = user("u", inline={"p": doc(allow("iam:UpdateAssumeRolePolicy", admin.arn, "Trust"))})
    assert verdicts(u, admin)["u"].path[0].method == "update-assume-role-policy"


def test_credentials_of_an_admin_user() -> None:
    boss = user("boss", attached=(ADMIN.arn,))
    u = user("u", inline={"p": doc(allow("iam:CreateAccessKey", boss.arn, "Keys"))})
    assert verdicts(u, boss)["u"].message == (
        "user/u → iam:CreateAccessKey (statement 'Keys' of user/u#inline/p) (its access keys "
        "not known: no credential report row) → user/boss (full administrator)"
    )


def test_join_an_admin_group() -> None:
    admins = group("admins", attached=(ADMIN.arn,))
    u = user("u", inline={"p": doc(allow("iam:AddUserToGroup", admins.arn, "Join"))})
    v = verdicts(u, admins)
    assert v["u"].path[0].target.name == "group/admins"
    assert v["admins"].status == "admin"
    assert v["admins"].message.endswith("(see group-admin-access)")


def test_policy_version_of_a_policy_an_admin_role_holds() -> None:
    shared = managed("shared", doc(allow("s3:GetObject")))
    holder = role("holder", trust_aws(arn("user", "u")), attached=(shared.arn,))
    u = user("u", inline={"p": doc(allow("iam:CreatePolicyVersion", shared.arn, "Version"))})
    v = verdicts(u, holder, policies=(shared,))["u"]
    assert v.status == "escalates", v.message
    assert v.path[-1].target.name == "role/holder with policies rewritten"
    assert "iam:CreatePolicyVersion on policy/shared" in v.message


def test_a_boundary_caps_a_self_write() -> None:
    bound = managed("bound", doc(allow("s3:*"), allow("iam:PutUserPolicy", arn("user", "u"))))
    u = user(
        "u", inline={"p": doc(allow("iam:PutUserPolicy", arn("user", "u")))}, boundary=bound.arn
    )
    assert verdicts(u, policies=(bound,))["u"].status == "none"


def test_removing_a_boundary_is_an_edge() -> None:
    bound = managed("bound", doc(allow("s3:*")))
    u = user("u", inline={"p": doc(allow("*", "*", "All"))}, boundary=bound.arn)
    assert verdicts(u, policies=(bound,))["u"].status == "none"
    other = user(
        "v",
        inline={
            "p": doc(
                allow("iam:DeleteUserPermissionsBoundary", u.arn, "Unbound"),
                allow("iam:CreateAccessKey", u.arn, "Keys"),
            )
        },
    )
    got = verdicts(u, other, policies=(bound,))["v"]
    assert got.message == (
        "user/v → iam:DeleteUserPermissionsBoundary (statement 'Unbound' of user/v#inline/p), "
        "then iam:CreateAccessKey (statement 'Keys' of user/v#inline/p) (its access keys not "
        "known: no credential report row) → user/u without its permissions boundary "
        "(full administrator)"
    )


def test_a_boundary_allowing_an_iam_write_on_others_is_a_prize() -> None:
    bound = managed("bound", doc(allow(["s3:*", "iam:PutUserPolicy"])))
    u = user(
        "u",
        inline={"p": doc(allow("iam:PutUserPolicy", arn("user", "u"), "Self"))},
        boundary=bound.arn,
    )
    assert verdicts(u, policies=(bound,))["u"].message == (
        "user/u → iam:PutUserPolicy (statement 'Self' of user/u#inline/p) on itself "
        "→ user/u with policies rewritten (holds iam:PutUserPolicy)"
    )


def test_an_iam_write_it_lacks_is_a_prize() -> None:
    maker = role(
        "maker", trust_aws(arn("user", "u")), inline={"p": doc(allow("iam:CreateUser", "*"))}
    )
    v = verdicts(user("u"), maker)["u"]
    assert v.status == "escalates", v.message
    assert v.prize == "holds iam:CreateUser"


def test_a_new_principal() -> None:
    u = user(
        "u",
        inline={
            "p": doc(allow(["iam:CreateRole", "iam:AttachRolePolicy"], arn("role", "*"), "New"))
        },
    )
    v = verdicts(u)["u"]
    assert v.status == "escalates", v.message
    assert v.path[0].target.name == "a new principal"


def test_group_results() -> None:
    deployers = group(
        "deployers", inline={"d": doc(allow(["iam:PassRole", "lambda:*"], "*", "Deploy"))}
    )
    readers = group("readers", inline={"r": doc(allow("s3:Get*"))})
    v = verdicts(deployers, readers, user("m", groups=("deployers",)), OPS_ADMIN)
    assert v["deployers"].status == "escalates"
    assert v["deployers"].message.startswith("group/deployers → ")
    assert "(statement 'Deploy' of group/deployers#inline/d)" in v["m"].message
    assert v["readers"].status == "none"


def test_missing_documents_make_the_verdict_unknown() -> None:
    ghost = user("ghost", attached=(arn("policy", "gone"),))
    reacher = user("r", inline={"p": doc(allow("iam:CreateAccessKey", ghost.arn))})
    v = verdicts(ghost, reacher)
    assert v["ghost"].status == "unknown"
    assert "the snapshot lacks policy" in v["ghost"].message
    assert v["r"].status == "unknown"  # it reaches a principal whose access is unknown
    assert "user/ghost" in v["r"].message


# --- the trust adapter ---------------------------------------------------------------------------


def test_the_trust_model_answers_for_the_graph() -> None:
    admits = trust_admits(lambda r: who_can_assume(r.trust_policy, TrustContext(ACCOUNT)))
    named = role("r", trust_aws(arn("user", "a"), ACCOUNT))
    found = admits(named, arn("user", "a"))
    assert found is not None
    assert not found.needs_identity_permission  # named by its ARN: no identity allow needed
    account = admits(named, arn("user", "b"))
    assert account is not None
    assert account.needs_identity_permission  # through the account: its own allow too
    assert admits(named, "arn:aws:iam::210987654321:user/a") is None
    svc = role("s", trust_service(LAMBDA))
    assert admits(svc, LAMBDA) is not None
    assert admits(svc, "ec2.amazonaws.com") is None
    assert admits(svc, arn("user", "a")) is None
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    cond = role("c", trust_aws(arn("user", "a"), condition=mfa))
    assert admits(cond, arn("user", "a")) is not None  # a condition it cannot decide is met
    pinned = role(
        "o",
        trust_aws(ACCOUNT, condition={"StringEquals": {"aws:PrincipalArn": arn("user", "ok")}}),
    )
    assert admits(pinned, arn("user", "ok")) is not None
    assert admits(pinned, arn("user", "no")) is None  # conditions are evaluated
    denied = role(
        "d",
        doc(
            {"Effect": "Allow", "Principal": {"Service": LAMBDA}, "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "Principal": {"Service": LAMBDA}, "Action": "sts:AssumeRole"},
        ),
    )
    assert admits(denied, LAMBDA) is None


def test_the_graph_asks_one_adapter() -> None:
    """Swapping the adapter (as the exact trust model will) changes the verdict, and the graph
    asks per caller when a trust has conditions."""
    admin = admin_role(
        "admin",
        trust_aws(ACCOUNT, condition={"StringEquals": {"aws:PrincipalArn": arn("user", "ok")}}),
    )
    ok = user("ok", inline={"p": doc(allow("sts:AssumeRole"))})
    no = user("no", inline={"p": doc(allow("sts:AssumeRole"))})
    s = snap(users=(ok, no), roles=(admin,), policies=(ADMIN,))
    asked: list[str] = []

    def exact(role: Role, principal: str) -> Admission | None:
        asked.append(principal)
        if principal == arn("user", "ok"):
            return Admission(True, "trust statement #1", "trust statement #1 pins it")
        return None

    found = Graph(Principals(s), exact).escalations()
    assert found[ok.arn].status == "escalates"
    assert found[no.arn].status == "none"
    assert arn("user", "no") in asked
    # The default adapter, the trust model, evaluates the condition too.
    found = graph(s).escalations()
    assert found[ok.arn].status == "escalates"
    assert found[no.arn].status == "none"


# --- the catalogue -------------------------------------------------------------------------------


# --- the vectorised evaluation equals allows -----------------------------------------------------

ACTIONS = [
    "iam:PassRole",
    "iam:PutRolePolicy",
    "sts:AssumeRole",
    "iam:CreateAccessKey",
    "iam:AttachUserPolicy",
]


def _random_statement(rng: random.Random, names: list[str]) -> dict[str, Any]:
    kind = rng.choice(["user", "role"])
    resource = rng.choice(
        [
            "*",
            arn(kind, rng.choice(names)),
            arn(kind, rng.choice(names)[:2] + "*"),
            f"arn:aws:iam::*:{kind}/" + "${aws:username}",
            f"arn:aws:iam::*:{kind}/" + "${aws:PrincipalTag/team}",
            arn(kind, "?" + rng.choice(names)[1:]),
        ]
    )
    st: dict[str, Any] = {
        "Effect": rng.choice(["Allow", "Allow", "Deny"]),
        "Action" if rng.random() < 0.8 else "NotAction": rng.sample(ACTIONS, 2),
        "Resource" if rng.random() < 0.8 else "NotResource": resource,
    }
    if rng.random() < 0.2:
        st["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
    return st


@pytest.mark.parametrize("seed", range(6))
def test_bitsets_equal_allows(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"n{i}{rng.choice('abc')}" for i in range(10)]
    groups = tuple(
        group(f"g{i}", inline={"p": doc(_random_statement(rng, names))}) for i in range(3)
    )
    bounds = tuple(managed(f"b{i}", doc(_random_statement(rng, names))) for i in range(2))
    users, roles = [], []
    for i, name in enumerate(names):
        inline = {
            f"p{j}": doc(*[_random_statement(rng, names) for _ in range(2)])
            for j in range(rng.randint(0, 2))
        }
        boundary = rng.choice(bounds).arn if rng.random() < 0.3 else None
        if i % 2:
            gs = tuple(g.name for g in rng.sample(groups, rng.randint(0, 2)))
            users.append(user(name, groups=gs, inline=inline, boundary=boundary))
        else:
            roles.append(role(name, trust_aws(ACCOUNT), inline=inline, boundary=boundary))
    g = graph(snap(users=tuple(users), roles=tuple(roles), groups=groups, policies=bounds))
    account = g.index
    nodes = [*range(len(account.entities))]
    nodes += [g.space.index(Variant.GROUP, i) for i in range(len(account.groups))]
    for index in nodes:
        acc = g.facts.access(index)
        assert acc is not None
        for action in ACTIONS:
            for uni in (account.users, account.roles):
                found = g.facts.allowed(acc, action, uni)
                for j, target in enumerate(uni.arns):
                    expected = allows(acc, action, target).allowed
                    assert (uni.first + j in found) == expected, (acc.who.arn, action, target)


def test_a_shared_policy_with_variables_is_judged_per_principal() -> None:
    """Two users holding the same managed policy: ``${aws:username}`` makes its answer each
    one's own, so a Deny of alice's functions leaves bob his (and his escalation)."""
    own_functions = "arn:aws:lambda:*:*:function:${aws:username}-*"
    deploy = managed(
        "deploy",
        doc(
            allow("iam:PassRole", "*", "Pass"),
            allow(["lambda:CreateFunction", "lambda:InvokeFunction"], own_functions, "Own"),
            deny("lambda:*", "arn:aws:lambda:*:*:function:alice-*", "NotAlice"),
        ),
    )
    alice = user("alice", attached=(deploy.arn,))
    bob = user("bob", attached=(deploy.arn,))
    v = verdicts(alice, bob, OPS_ADMIN, policies=(deploy,))
    assert v["alice"].status == "none", v["alice"].message
    assert v["bob"].status == "escalates", v["bob"].message
    v = verdicts(bob, alice, OPS_ADMIN, policies=(deploy,))
    assert v["alice"].status == "none", v["alice"].message
    assert v["bob"].status == "escalates", v["bob"].message
