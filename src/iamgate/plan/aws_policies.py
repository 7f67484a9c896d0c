"""AWS-managed policies a change attaches that the snapshot does not hold.

A snapshot holds the document of every AWS-managed policy something in the account is attached
to or bounded by (``collect/iam.py``), and of those listed in ``[collect] aws_managed_policies``.
A change that attaches another one (a new Lambda role with ``AWSLambdaBasicExecutionRole``)
cannot be judged without its document. So the caller reads the change first, asks
:func:`aws_policies_needed` which documents it lacks, fetches them (``app/plan.py``: read-only,
as ``collect`` reads an attached one), adds them to the snapshot, then applies the change. A
principal given one that is still missing is an ``error`` for the checks that read AWS-managed
documents, with the reason the caller gives (``plan/apply.py``), never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from iamgate.model.change import (
    Attach,
    ChangeSet,
    ExclusiveAttachments,
    ExclusiveHolders,
    Op,
    PutRole,
    PutUser,
)
from iamgate.model.snapshot import ManagedPolicy, Snapshot, is_aws_managed_arn

__all__ = ["aws_policies_needed", "lacking"]


def aws_policies_needed(snapshot: Snapshot, changes: Iterable[ChangeSet]) -> tuple[str, ...]:
    """The AWS-managed policies of the snapshot's partition that ``changes`` attach (or set as
    a permissions boundary) and whose documents the snapshot lacks, sorted."""
    held = {p.arn for p in snapshot.policies}
    head = f"arn:{snapshot.partition}:iam::aws:policy/"
    wanted = {arn for change in changes for op in change.ops for arn in _given(op)}
    return tuple(
        sorted(a for a in wanted if a not in held and a.startswith(head) and is_aws_managed_arn(a))
    )


def _given(op: Op) -> tuple[str, ...]:
    """The managed policies ``op`` gives a principal."""
    if isinstance(op, Attach):
        return (op.policy_arn,) if op.attach else ()
    if isinstance(op, ExclusiveAttachments):
        return op.arns
    if isinstance(op, ExclusiveHolders):
        return (op.policy_arn,) if (op.users or op.groups or op.roles) else ()
    if isinstance(op, PutUser | PutRole) and op.permissions_boundary:
        return (op.permissions_boundary,)
    return ()


def lacking(policies: Mapping[str, ManagedPolicy], arn: str) -> bool:
    """Whether ``arn`` is an AWS-managed policy whose document is not among ``policies``."""
    return arn not in policies and is_aws_managed_arn(arn)
