"""End to end: methods the catalogue took from its sources at issue 20 (Step Functions, Batch,
EventBridge Scheduler), seeded into moto's IAM and judged by ``iamgate scan`` as a subprocess,
each beside its near miss in the same account (one scan)."""

from __future__ import annotations

import json
from typing import Any

from iamgate.demo.standin import MotoAccount

A = "arn:aws:iam::123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: Any, resource: Any = "*", sid: str = "") -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {**st, "Sid": sid} if sid else st


def seed(aws: MotoAccount) -> None:
    iam = aws.client("iam")
    for name, service in (("pipeline-admin", "states"), ("jobs-admin", "ecs-tasks")):
        trust = {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}}
        iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=_doc(trust | {"Action": "sts:AssumeRole"})
        )
        iam.attach_role_policy(RoleName=name, PolicyArn=ADMIN)
    lambda_trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    iam.create_role(
        RoleName="fn-logs",
        AssumeRolePolicyDocument=_doc(lambda_trust | {"Action": "sts:AssumeRole"}),
    )

    def user(name: str, *statements: dict[str, Any]) -> None:
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=_doc(*statements))

    machines = ["states:CreateStateMachine", "states:StartExecution"]
    user("sfn-wide", _allow(["iam:PassRole", *machines], "*", "Flows"))
    # Near miss: PassRole only to a role Step Functions cannot carry (it trusts Lambda).
    user("sfn-scoped", _allow(machines), _allow("iam:PassRole", f"{A}:role/fn-logs"))
    # Batch: a command override on an existing job definition keeps its role; no PassRole.
    user("batch-runner", _allow("batch:SubmitJob", "*", "Jobs"))
    # Near miss: a schedule without iam:PassRole runs as no role of the account.
    user("scheduler-no-pass", _allow("scheduler:CreateSchedule"))


def test_new_methods_end_to_end(aws: MotoAccount, iamgate: Any) -> None:
    seed(aws)
    run = iamgate("scan", "--json", "results.json", "--regions", "us-east-1")
    assert run.code == 1, run.stderr
    esc = {
        f["resource"]: (f["status"], f["message"])
        for f in run.json("results.json")["findings"]
        if f["check"] == "policy-privilege-escalation"
    }
    assert esc[f"{A}:user/sfn-wide"] == (
        "fail",
        "user sfn-wide can escalate privileges: user/sfn-wide → iam:PassRole + "
        "states:CreateStateMachine + states:StartExecution (statement 'Flows' of "
        "user/sfn-wide#inline/p) → role/pipeline-admin (full administrator)",
    )
    assert esc[f"{A}:user/sfn-scoped"] == ("pass", "no privilege-escalation path")
    status, message = esc[f"{A}:user/batch-runner"]
    assert status == "fail"
    assert message.endswith(
        "batch:SubmitJob (statement 'Jobs' of user/batch-runner#inline/p) on a resource that "
        "runs as it (ecs-tasks.amazonaws.com) → role/jobs-admin (full administrator)"
    )
    assert esc[f"{A}:user/scheduler-no-pass"] == ("pass", "no privilege-escalation path")
