"""``plan_change`` end to end on hand-built snapshots: what a change introduces, fixes and leaves
unchanged, which change causes each finding, and when the gate fails (near-miss pairs: the
finding the change causes beside the same finding it did not cause)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamgate.app.evaluate import GateOptions
from iamgate.app.plan import PlanFiles, plan_change, read_change_files
from iamgate.errors import ExitCode
from iamgate.formats.results_json import load_results, render_results
from iamgate.model.config import Config
from iamgate.model.results import Change, Status, Verdict
from iamgate.model.snapshot import CollectionError, Snapshot, Source
from testing.factories import ACCOUNT, ADMIN, arn, doc, managed, role, snap, user
from testing.plans import (
    POLICY_UNKNOWN,
    ROLE_UNKNOWN,
    allow,
    create,
    delete,
    plan,
    role_values,
    trust,
    update,
)

LAMBDA = trust({"Service": "lambda.amazonaws.com"})
PASS_ANY = managed(
    "deployer", doc(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]))
)


def run(tmp_path: Path, before: Snapshot, data: dict[str, Any], **options: Any) -> Verdict:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    read = read_change_files(PlanFiles(terraform=(path,)))
    return plan_change(before, Config(), GateOptions(**options), read).verdict


def finding(verdict: Verdict, check: str, resource: str) -> Any:
    (found,) = [f for f in verdict.findings if (f.check, f.resource) == (check, resource)]
    return found


def admin_role(name: str) -> dict[str, Any]:
    return create(f"aws_iam_role_policy_attachment.{name}", {"role": name, "policy_arn": ADMIN.arn})


BEFORE = snap(roles=(role("old-admin", attached=(ADMIN.arn,)), role("app")), policies=(ADMIN,))


def test_a_finding_the_change_causes_fails_the_gate(tmp_path: Path) -> None:
    verdict = run(tmp_path, BEFORE, plan(admin_role("app")))
    found = finding(verdict, "principal-admin-access", arn("role", "app"))
    assert (found.status, found.change) == (Status.FAIL, Change.INTRODUCED)
    assert found.origin is not None
    assert found.origin.address == "aws_iam_role_policy_attachment.app"
    assert verdict.exit_code is ExitCode.FAIL
    assert verdict.plan is not None
    assert [f.resource for f in verdict.plan.introduced] == [arn("role", "app")]


def test_the_same_finding_the_change_did_not_cause_does_not_fail_it(tmp_path: Path) -> None:
    """old-admin fails principal-admin-access before and after: the nightly gate's business."""
    verdict = run(
        tmp_path,
        BEFORE,
        plan(
            update(
                "aws_iam_role.app",
                role_values("app", LAMBDA),
                role_values("app", LAMBDA, description="x"),
            )
        ),
    )
    found = finding(verdict, "principal-admin-access", arn("role", "old-admin"))
    assert (found.status, found.change) == (Status.FAIL, Change.UNCHANGED)
    assert verdict.blocking == []
    assert verdict.exit_code is ExitCode.PASS


def test_an_introduced_finding_the_baseline_accepts_passes(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.yml"
    baseline.write_text(
        f"version: 1\naccount: '{ACCOUNT}'\nexceptions:\n"
        f"  - check: principal-admin-access\n    resource: {arn('role', 'app')}\n"
        "    reason: Break-glass role for the app team\n    owner: platform\n"
        "    expires: 2099-01-01\n",
        encoding="utf-8",
    )
    verdict = run(tmp_path, BEFORE, plan(admin_role("app")), baseline=baseline)
    found = finding(verdict, "principal-admin-access", arn("role", "app"))
    assert (found.status, found.change) == (Status.ACCEPTED, Change.INTRODUCED)
    assert verdict.exit_code is ExitCode.PASS


def test_a_finding_below_fail_on_is_introduced_but_does_not_fail(tmp_path: Path) -> None:
    from iamgate.model.results import Severity

    data = plan(
        create("aws_iam_group.idle", {"name": "idle", "path": "/"}),
        create(
            "aws_iam_group_policy_attachment.idle", {"group": "idle", "policy_arn": PASS_ANY.arn}
        ),
    )
    before = snap(policies=(PASS_ANY,))
    low = run(tmp_path, before, data, fail_on=Severity.CRITICAL)
    assert finding(low, "group-no-members", arn("group", "idle")).change is Change.INTRODUCED
    assert low.exit_code is ExitCode.PASS
    assert run(tmp_path, before, data, fail_on=Severity.LOW).exit_code is ExitCode.FAIL


def test_a_deleted_resource_fixes_its_findings_and_names_the_deletion(tmp_path: Path) -> None:
    public = role("shared", trust({"AWS": "*"}))
    verdict = run(
        tmp_path,
        snap(roles=(public,)),
        plan(delete("aws_iam_role.shared", role_values("shared", trust({"AWS": "*"})))),
    )
    assert verdict.plan is not None
    fixed = {(f.check, f.resource) for f in verdict.plan.fixed}
    assert ("role-trust-public", public.arn) in fixed
    assert all(f.origin and f.origin.address == "aws_iam_role.shared" for f in verdict.plan.fixed)
    assert verdict.exit_code is ExitCode.PASS


def test_a_new_trust_on_a_role_names_the_hop_it_adds_to_an_existing_path(tmp_path: Path) -> None:
    """Harmless by itself, a trust naming alice lets her reach the Lambda administrator two
    hops away: the finding on alice names the trust's change and the hop it adds."""
    before = snap(
        users=(user("alice"),),
        roles=(
            role("deployer", LAMBDA, attached=(PASS_ANY.arn,)),
            role("ops", LAMBDA, attached=(ADMIN.arn,)),
        ),
        policies=(ADMIN, PASS_ANY),
    )
    opened = trust({"Service": "lambda.amazonaws.com"})
    opened["Statement"].append(
        {
            "Sid": "Alice",
            "Effect": "Allow",
            "Principal": {"AWS": arn("user", "alice")},
            "Action": "sts:AssumeRole",
        }
    )
    data = plan(
        update(
            "aws_iam_role.deployer",
            role_values("deployer", LAMBDA),
            role_values("deployer", opened),
        )
    )
    found = finding(
        run(tmp_path, before, data), "policy-privilege-escalation", arn("user", "alice")
    )
    assert found.change is Change.INTRODUCED
    assert found.origin.address == "aws_iam_role.deployer"
    assert found.origin.hop.startswith("user/alice → sts:AssumeRole")
    assert found.origin.hop.endswith("→ role/deployer")


def test_what_the_change_cannot_work_out_is_an_error_never_a_pass(tmp_path: Path) -> None:
    data = plan(
        create("aws_iam_policy.p", {"name": "p", "path": "/"}, {**POLICY_UNKNOWN, "policy": True}),
        create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN),
    )
    verdict = run(tmp_path, snap(), data)
    errors = [
        f for f in verdict.findings if f.status is Status.ERROR and f.change is Change.INTRODUCED
    ]
    assert errors
    assert all("aws_iam_policy.p" in f.message for f in errors)
    assert verdict.exit_code is ExitCode.COLLECT_ERROR
    assert run(tmp_path, snap(), data, allow_partial=True).exit_code is ExitCode.PASS


def test_a_check_the_change_touches_that_cannot_run_makes_the_plan_blind(tmp_path: Path) -> None:
    """No authorization details in the snapshot: an IAM change cannot be judged (error); the
    same snapshot under a change to the password policy alone can be (the IAM checks keep the
    snapshot's errors, which are not the change's)."""
    failed = CollectionError(
        Source.AUTHORIZATION_DETAILS,
        "GetAccountAuthorizationDetails",
        "us-east-1",
        "AccessDenied",
        "no",
    )
    before = snap(errors=(failed,))
    iam = run(
        tmp_path, before, plan(create("aws_iam_role.ci", role_values("ci", LAMBDA), ROLE_UNKNOWN))
    )
    assert iam.plan is not None
    assert "principal-admin-access" in iam.plan.blind
    assert iam.exit_code is ExitCode.COLLECT_ERROR
    policy = {
        "minimum_password_length": 14,
        "require_symbols": True,
        "require_numbers": True,
        "require_uppercase_characters": True,
        "require_lowercase_characters": True,
        "allow_users_to_change_password": True,
        "max_password_age": 90,
        "password_reuse_prevention": 24,
    }
    other = run(tmp_path, before, plan(create("aws_iam_account_password_policy.p", policy)))
    assert other.plan is not None
    assert other.plan.blind == ()
    assert other.exit_code is ExitCode.PASS


def test_checks_the_change_cannot_touch_keep_the_snapshots_verdicts(tmp_path: Path) -> None:
    verdict = run(
        tmp_path,
        BEFORE,
        plan(admin_role("app")),
        checks=("password-policy-min-length", "principal-admin-access"),
    )
    password = finding(verdict, "password-policy-min-length", f"arn:aws:iam::{ACCOUNT}:root")
    assert password.change is Change.UNCHANGED


@pytest.mark.parametrize("planned", [True, False])
def test_results_json_of_a_plan_reads_back_to_the_same_verdict(
    tmp_path: Path, planned: bool
) -> None:
    """github-outputs and merge read results.json: a plan's must read back to its own verdict
    (only introduced findings fail), and a scan's keeps its exact shape."""
    verdict = run(tmp_path, BEFORE, plan(admin_role("app")))
    if not planned:
        import dataclasses

        verdict = dataclasses.replace(
            verdict,
            plan=None,
            findings=tuple(
                dataclasses.replace(f, change=None, origin=None) for f in verdict.findings
            ),
        )
    text = render_results(verdict)
    (tmp_path / "results.json").write_text(text, encoding="utf-8")
    (again,) = load_results(tmp_path / "results.json")
    assert again.status == verdict.status
    assert ('"change"' in text) is planned
    if planned:
        found = finding(again, "principal-admin-access", arn("role", "app"))
        assert found.change is Change.INTRODUCED
        assert found.origin is not None
        assert found.origin.address == "aws_iam_role_policy_attachment.app"


def test_a_parameter_no_template_declares_is_bad_input(tmp_path: Path) -> None:
    from iamgate.errors import InputError

    template = tmp_path / "t.yml"
    template.write_text(
        "Parameters:\n  Env: {Type: String, Default: a}\nResources:\n  B: {Type: AWS::S3::Bucket}\n"
    )
    files = PlanFiles(cloudformation=(template,), parameters={"Env": "b", "Nope": "1"})
    with pytest.raises(InputError, match="Nope: not a parameter of any template"):
        read_change_files(files)
    assert read_change_files(PlanFiles(cloudformation=(template,), parameters={"Env": "b"}))


def test_a_finding_caused_by_a_value_only_assumed_says_which_value(tmp_path: Path) -> None:
    """A trust rendered by a data source read at apply, its subject condition known only after
    apply: read as met (an Allow grants), so the role trusts every repository, and the finding
    says the value was unknown."""
    from testing.plans import change, refs

    federated = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    statement = {
        "effect": "Allow",
        "actions": ["sts:AssumeRoleWithWebIdentity"],
        "principals": [{"type": "Federated", "identifiers": [federated]}],
        "condition": [
            {
                "test": "StringEquals",
                "variable": "token.actions.githubusercontent.com:aud",
                "values": ["sts.amazonaws.com"],
            },
            {
                "test": "StringLike",
                "variable": "token.actions.githubusercontent.com:sub",
                "values": [None],
            },
        ],
    }
    document = change(
        "data.aws_iam_policy_document.trust",
        ["read"],
        None,
        {"statement": [statement]},
        {"json": True, "statement": [{"condition": [{}, {"values": [True]}]}]},
    )
    values = role_values("ci", LAMBDA)
    del values["assume_role_policy"]
    data = plan(
        document,
        create("aws_iam_role.ci", values, {**ROLE_UNKNOWN, "assume_role_policy": True}),
        resources=[
            refs("aws_iam_role.ci", assume_role_policy=["data.aws_iam_policy_document.trust.json"]),
            refs(
                "data.aws_iam_policy_document.trust",
                statement=[{"condition": [{}, {"values": ["local.repo"]}]}],
            ),
        ],
    )
    found = finding(run(tmp_path, snap(), data), "role-trust-federated-subject", arn("role", "ci"))
    assert (found.status, found.change) == (Status.FAIL, Change.INTRODUCED)
    assert (
        "[assumed: statement 1 of data.aws_iam_policy_document.trust: the condition 2"
        in found.message
    )
    assert "known only after apply" in found.message


# --- AWS-managed policies attached for the first time --------------------------------------------

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LOGS = managed(
    "service-role/AWSLambdaBasicExecutionRole",
    doc(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])),
    attachments=7,  # another account's count: the plan's account holds it nowhere
    aws_managed=True,
)


def new_lambda_role(policy_arn: str = BASIC) -> dict[str, Any]:
    """The most common serverless change: a new function role with an AWS-managed policy."""
    return plan(
        create("aws_iam_role.fn", role_values("fn", LAMBDA), ROLE_UNKNOWN),
        create("aws_iam_role_policy_attachment.fn", {"role": "fn", "policy_arn": policy_arn}),
    )


class Reader:
    """A stand-in for the AWS reader (collect.iam.read_aws_managed_policies): its answers, and
    what it was asked."""

    def __init__(self, *answers: Any) -> None:
        self.answers = {a.arn if hasattr(a, "arn") else BASIC: a for a in answers}
        self.asked: list[tuple[str, ...]] = []

    def __call__(self, arns: Any) -> dict[str, Any]:
        self.asked.append(tuple(arns))
        return {arn: self.answers[arn] for arn in arns if arn in self.answers}


def planned_with(tmp_path: Path, before: Snapshot, reader: Any, data: dict[str, Any]) -> Verdict:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    read = read_change_files(PlanFiles(terraform=(path,)))
    return plan_change(before, Config(), GateOptions(), read, reader).verdict


def test_a_policy_read_for_the_change_is_judged(tmp_path: Path) -> None:
    reader = Reader(LOGS)
    verdict = planned_with(tmp_path, BEFORE, reader, new_lambda_role())
    assert reader.asked == [(BASIC,)]  # only what the snapshot lacks
    found = finding(verdict, "principal-admin-access", arn("role", "fn"))
    assert found.status is Status.PASS
    assert not [f for f in verdict.findings if f.change is Change.INTRODUCED]
    assert verdict.exit_code is ExitCode.PASS


def test_the_same_change_without_the_document_is_an_error_saying_how_to_supply_it(
    tmp_path: Path,
) -> None:
    verdict = planned_with(tmp_path, BEFORE, None, new_lambda_role())
    found = finding(verdict, "principal-admin-access", arn("role", "fn"))
    assert (found.status, found.change) == (Status.ERROR, Change.INTRODUCED)
    assert BASIC in found.message
    assert "--read-missing-policies" in found.message
    assert "[collect] aws_managed_policies" in found.message
    assert verdict.exit_code is ExitCode.COLLECT_ERROR
    # The other checks still judge the role (its trust does not depend on the document).
    assert finding(verdict, "role-trust-public", arn("role", "fn")).status is Status.PASS


def test_a_policy_that_cannot_be_read_is_an_error_saying_why(tmp_path: Path) -> None:
    denied = CollectionError(
        Source.AWS_MANAGED_POLICIES,
        "GetPolicy",
        "us-east-1",
        "AccessDenied",
        f"{BASIC}: not authorized to perform iam:GetPolicy",
    )
    verdict = planned_with(tmp_path, BEFORE, Reader(denied), new_lambda_role())
    found = finding(verdict, "principal-admin-access", arn("role", "fn"))
    assert found.status is Status.ERROR
    assert "could not be read: GetPolicy (us-east-1) failed: AccessDenied" in found.message
    assert verdict.exit_code is ExitCode.COLLECT_ERROR


def test_a_policy_read_for_the_change_is_judged_by_its_document_not_assumed_harmless(
    tmp_path: Path,
) -> None:
    """An AWS-managed policy that grants everything makes the new role an administrator."""
    everything = managed(
        "AdministratorAccess-Amplify", doc(allow("*")), attachments=0, aws_managed=True
    )
    verdict = planned_with(tmp_path, BEFORE, Reader(everything), new_lambda_role(everything.arn))
    found = finding(verdict, "principal-admin-access", arn("role", "fn"))
    assert (found.status, found.change) == (Status.FAIL, Change.INTRODUCED)
    assert verdict.exit_code is ExitCode.FAIL


def test_nothing_is_read_when_the_snapshot_holds_every_document(tmp_path: Path) -> None:
    reader = Reader()
    verdict = planned_with(tmp_path, BEFORE, reader, new_lambda_role(ADMIN.arn))
    assert reader.asked == []
    assert finding(verdict, "principal-admin-access", arn("role", "fn")).status is Status.FAIL


def test_an_unattached_aws_managed_policy_changes_no_verdict_on_the_account() -> None:
    """What complete_policies relies on: the demo account's verdicts, with and without the
    documents of AWS-managed policies nothing holds."""
    import dataclasses

    from iamgate.app.evaluate import evaluate
    from iamgate.formats.snapshot_json import load_snapshot
    from testing.cli import DATA

    demo = load_snapshot(DATA / "demo-snapshot.json")
    extra = (
        dataclasses.replace(LOGS, attachment_count=0),
        managed("PowerUserAccess", doc(allow("*")), attachments=0, aws_managed=True),
    )
    completed = dataclasses.replace(demo, policies=(*demo.policies, *extra))

    def shape(s: Snapshot) -> list[tuple[str, str, str, str]]:
        v = evaluate(s, Config(), GateOptions())
        return [(f.check, f.resource, f.status.value, f.message) for f in v.findings]

    assert shape(completed) == shape(demo)


def test_a_renamed_administrator_is_still_one_under_the_new_arn(tmp_path: Path) -> None:
    """Renaming moves the user's findings to its new ARN (where a baseline exception naming the
    old ARN no longer matches): introduced there, fixed under the old one. Before, the rename
    was read as a new user without policies, which hid the administrator."""
    before = snap(users=(user("ana", attached=(ADMIN.arn,)),), policies=(ADMIN,))
    data = plan(
        update("aws_iam_user.ana", {"name": "ana", "path": "/"}, {"name": "ana.m", "path": "/"})
    )
    verdict = planned_with(tmp_path, before, None, data)
    found = finding(verdict, "principal-admin-access", arn("user", "ana.m"))
    assert (found.status, found.change) == (Status.FAIL, Change.INTRODUCED)
    assert found.origin is not None
    assert found.origin.address == "aws_iam_user.ana"
    assert verdict.plan is not None
    fixed = {(f.check, f.resource) for f in verdict.plan.fixed}
    assert ("principal-admin-access", arn("user", "ana")) in fixed


def test_a_deny_an_existing_roles_template_drops_is_read_as_gone(tmp_path: Path) -> None:
    """An existing role whose template no longer lists its guard (a Deny): CloudFormation
    removes it if an earlier version of the template listed it, which cannot be told, so the
    plan reads it as gone and says so; the same template listing the guard introduces nothing."""
    fence = doc({"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    before = snap(roles=(role("ci", LAMBDA, inline={"work": doc(allow("*")), "fence": fence}),))
    head = (
        "Resources:\n  Ci:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: ci\n"
        f"      AssumeRolePolicyDocument: {json.dumps(LAMBDA)}\n      Policies:\n"
        f"        - {{PolicyName: work, PolicyDocument: {json.dumps(doc(allow('*')))}}}\n"
    )
    verdicts = {}
    for name, text in (
        ("drops", head),
        ("keeps", head + f"        - {{PolicyName: fence, PolicyDocument: {json.dumps(fence)}}}\n"),
    ):
        path = tmp_path / f"{name}.yml"
        path.write_text(text, encoding="utf-8")
        read = read_change_files(PlanFiles(cloudformation=(path,)))
        verdicts[name] = plan_change(before, Config(), GateOptions(), read).verdict
    dropped = finding(verdicts["drops"], "principal-admin-access", arn("role", "ci"))
    assert (dropped.status, dropped.change) == (Status.FAIL, Change.INTRODUCED)
    assert "[assumed: Ci: role ci holds inline policy fence" in dropped.message
    kept = finding(verdicts["keeps"], "principal-admin-access", arn("role", "ci"))
    assert (kept.status, kept.change) == (Status.PASS, Change.UNCHANGED)
