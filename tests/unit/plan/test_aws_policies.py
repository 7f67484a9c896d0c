"""AWS-managed policies a change attaches that the snapshot lacks: which ones the plan asks for,
and what a principal given one becomes when its document is still missing (near-miss pairs: the
document held beside the same change without it)."""

from __future__ import annotations

from iamgate.model.change import (
    Attach,
    ChangeSet,
    ExclusiveAttachments,
    ExclusiveHolders,
    Op,
    PutRole,
    PutUser,
)
from iamgate.model.results import Origin
from iamgate.model.snapshot import Snapshot, Source, is_aws_managed_arn
from iamgate.plan import aws_policies_needed, project
from testing.factories import ADMIN, arn, doc, managed, role, snap, user
from testing.plans import allow, trust

BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
LAMBDA = trust({"Service": "lambda.amazonaws.com"})
ORIGIN = Origin("FnRole", "fn.yml", 2)
LOGS = managed(
    "service-role/AWSLambdaBasicExecutionRole",
    doc(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])),
    attachments=0,
    aws_managed=True,
)


def ops(*given: Op) -> list[ChangeSet]:
    return [ChangeSet("fn.yml", tuple(given), len(given))]


def test_an_arn_is_aws_managed_only_in_account_aws_with_iam_name_characters() -> None:
    assert is_aws_managed_arn(BASIC)
    assert is_aws_managed_arn("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess")
    assert not is_aws_managed_arn(arn("policy", "ReadOnlyAccess"))  # a customer policy
    assert not is_aws_managed_arn("arn:aws:iam::aws:policy/x-(aws_iam_policy.p)")  # placeholder
    assert not is_aws_managed_arn("arn:aws:iam::aws:policy/")
    assert not is_aws_managed_arn(f"{BASIC}\n")


def test_the_plan_asks_for_what_it_attaches_and_the_snapshot_lacks() -> None:
    before = snap(roles=(role("fn", LAMBDA),), policies=(ADMIN,))
    needed = aws_policies_needed(
        before,
        ops(
            Attach(ORIGIN, "role", "fn", BASIC),
            Attach(ORIGIN, "role", "fn", ADMIN.arn),  # held: its document is in the snapshot
            Attach(ORIGIN, "role", "fn", arn("policy", "mine")),  # a customer policy
            Attach(ORIGIN, "role", "fn", "arn:aws:iam::aws:policy/Detached", attach=False),
            ExclusiveAttachments(ORIGIN, "user", "u", (READ_ONLY, BASIC)),
            PutRole(ORIGIN, "b", LAMBDA, permissions_boundary="arn:aws:iam::aws:policy/Bound"),
            PutUser(ORIGIN, "u", permissions_boundary="arn:aws-cn:iam::aws:policy/OtherPart"),
            ExclusiveHolders(ORIGIN, "arn:aws:iam::aws:policy/Holders", roles=("fn",)),
            ExclusiveHolders(ORIGIN, "arn:aws:iam::aws:policy/NoHolders"),  # detaches only
        ),
    )
    assert needed == (
        "arn:aws:iam::aws:policy/Bound",
        "arn:aws:iam::aws:policy/Holders",
        READ_ONLY,
        BASIC,
    )


def _new_role(before: Snapshot, absent: dict[str, str] | None = None) -> list[tuple[str, str]]:
    projected = project(
        before,
        ops(PutRole(ORIGIN, "fn", LAMBDA), Attach(ORIGIN, "role", "fn", BASIC)),
        absent,
    )
    return [(u.resource, u.reason) for u in projected.unresolved]


def test_a_policy_whose_document_is_missing_makes_its_holder_unresolved() -> None:
    why = f"the document of {BASIC} could not be read: AccessDenied"
    assert _new_role(snap(), {BASIC: why}) == [(arn("role", "fn"), why)]
    # Without a reason from the caller, the plain fact, naming the policy.
    ((resource, reason),) = _new_role(snap())
    assert resource == arn("role", "fn")
    assert reason == f"the snapshot lacks the document of AWS-managed policy {BASIC}"


def test_the_same_attachment_with_the_document_held_is_judged() -> None:
    assert _new_role(snap(policies=(LOGS,))) == []


def test_only_the_checks_that_read_aws_managed_documents_are_blinded() -> None:
    projected = project(
        snap(), ops(PutRole(ORIGIN, "fn", LAMBDA), Attach(ORIGIN, "role", "fn", BASIC))
    )
    (unresolved,) = projected.unresolved
    assert unresolved.touches == (Source.AWS_MANAGED_POLICIES,)
    assert unresolved.origin == ORIGIN


def test_a_missing_boundary_and_exclusive_attachments_are_unresolved_too() -> None:
    boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
    projected = project(
        snap(users=(user("u"),)),
        ops(
            PutUser(ORIGIN, "u", permissions_boundary=boundary),
            ExclusiveAttachments(ORIGIN, "user", "u", (READ_ONLY,)),
        ),
    )
    reasons = sorted(u.reason for u in projected.unresolved)
    assert [r.rsplit(" ", 1)[-1] for r in reasons] == [boundary, READ_ONLY]
    assert {u.resource for u in projected.unresolved} == {arn("user", "u")}
