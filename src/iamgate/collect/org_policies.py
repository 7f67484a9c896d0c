"""The organization's SCPs and RCPs over an account: ``ListRoots`` (which types are enabled),
``ListParents`` (the chain up to the root), ``ListPoliciesForTarget`` and ``DescribePolicy``.

Only the management account or a delegated administrator may call them
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html),
so who reads depends on the scan:

- the management account scanned alone reads its own chain with its own credentials;
- a member scanned alone reads it only with ``--organization-role`` (a role of the management
  account or of a delegated administrator). Without one nothing is called: the reports say the
  policies were not read, and that is no error (a member cannot read them);
- an organization scan reads with the caller's credentials (or ``--organization-role``) through
  one :class:`PolicyReader` shared by every account: the root, each OU and each policy are read
  once for the whole organization, failures too;
- an account in no organization has nothing over it: nothing is called.

Every answer passes the collection guard (``collect/source.py``). A level that holds no policy of
an enabled type is malformed (AWS keeps at least one on every level): read as it stands it would
mean "everything denied", a false pass. A type not enabled on the root applies nothing and is not
listed.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from iamgate.aws.clients import Clients
from iamgate.aws.failures import CALL_ERRORS, MalformedAnswer, classify, malformed
from iamgate.collect.source import (
    MAX_PAGES,
    SHAPE_ERRORS,
    DataSource,
    Progress,
    Session,
    SourceFailed,
    check_answer,
    paginate,
    parsed_answer,
)
from iamgate.errors import CollectError
from iamgate.model.org_policies import (
    MAX_LEVELS,
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
    level_problem,
)
from iamgate.model.snapshot import CollectionError, Organization, Source

SOURCE = Source.ORGANIZATION_POLICIES
OPERATIONS = {
    "ListRoots": "organizations:ListRoots",
    "ListParents": "organizations:ListParents",
    "ListPoliciesForTarget": "organizations:ListPoliciesForTarget",
    "DescribePolicy": "organizations:DescribePolicy",
}
# What each answer must carry beyond the model's (nothing in these shapes is required there).
ANSWERS = {
    "ListRoots": (
        "Roots",
        "Roots[].Id",
        "Roots[].PolicyTypes[].Type",
        "Roots[].PolicyTypes[].Status",
    ),
    "ListParents": ("Parents", "Parents[].Id", "Parents[].Type"),
    "ListPoliciesForTarget": ("Policies", "Policies[].Id", "Policies[].Name"),
    "DescribePolicy": ("Policy.Content", "Policy.PolicySummary.Id", "Policy.PolicySummary.Name"),
}
# The ID patterns of the Organizations API reference (botocore's model carries them).
_ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")
_OU_ID = re.compile(r"ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")
_POLICY_ID = re.compile(r"p-[0-9a-zA-Z_]{8,128}")
# A root's ARN: arn:<partition>:organizations::<management account>:root/o-<id>/r-<id>.
_ROOT_ORG = re.compile(r"arn:[^:]+:organizations::[0-9]{12}:root/(o-[a-z0-9]{10,32})/r-")
_PARENT_KINDS = {"ROOT": TargetKind.ROOT, "ORGANIZATIONAL_UNIT": TargetKind.OU}


@dataclass(frozen=True, slots=True)
class _Root:
    id: str
    organization_id: str  # from its ARN; "" when the ARN does not say
    enabled: tuple[PolicyType, ...]


class PolicyReader:
    """Reads the SCPs and RCPs over accounts of one organization, each answer once.

    Thread-safe (an organization scan's accounts share one); every answer is remembered, a
    failure too, so a denied ``ListRoots`` is one call and one error in every account's
    snapshot. ``connect`` is the clients to read with, or a function that makes them when the
    first account asks (assuming ``--organization-role`` then, so a role that cannot be assumed
    is a collection error, not the end of the scan).
    """

    def __init__(
        self,
        connect: Clients | Callable[[], Clients],
        *,
        role_arn: str = "",
        max_pages: int = MAX_PAGES,
    ):
        self._connect = connect
        self._clients: Clients | None = connect if isinstance(connect, Clients) else None
        self.role_arn = role_arn
        self._max_pages = max_pages
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, ...], Any] = {}
        self._progress: Progress = lambda _m: None

    def read(
        self, account_id: str, organization: Organization, progress: Progress
    ) -> OrganizationPolicies:
        """The policies over ``account_id`` (a member of ``organization``); raises
        :class:`SourceFailed` with the collection error when they cannot be read."""
        with self._lock:
            self._progress = progress
            root: _Root = self._once(("roots",), "ListRoots", self._root)
            if root.organization_id and root.organization_id != organization.id:
                raise SourceFailed(self._wrong_organization(account_id, organization, root))
            chain = self._chain(account_id, root.id)
            levels = tuple(self._level(target, kind, root.enabled) for target, kind in chain)
        return OrganizationPolicies(
            organization_id=organization.id,
            management_account_id=organization.management_account_id,
            enabled=root.enabled,
            chain=levels,
            read_with=self.role_arn,
        )

    # --- the answers, each read once ----------------------------------------------------------

    def _root(self) -> _Root:
        roots = [r for page in self._pages("ListRoots") for r in page["Roots"]]
        if len(roots) != 1:  # an organization has exactly one root
            raise MalformedAnswer("ListRoots", f"ListRoots listed {len(roots)} roots, not one")
        root = roots[0]
        root_id = _checked_id("ListRoots", root["Id"], _ROOT_ID, "root")
        found = _ROOT_ORG.match(str(root.get("Arn") or ""))
        enabled = tuple(
            PolicyType(t["Type"])
            for t in root["PolicyTypes"]
            if t["Status"] == "ENABLED" and t["Type"] in PolicyType._value2member_map_
        )
        return _Root(root_id, found.group(1) if found else "", tuple(sorted(set(enabled))))

    def _chain(self, account_id: str, root_id: str) -> list[tuple[str, TargetKind]]:
        """(target id, kind) from the root down to the account."""
        chain = [(account_id, TargetKind.ACCOUNT)]
        loops = (
            f"account {account_id}'s parents do not reach the root within {MAX_LEVELS} levels "
            "(AWS nests OUs five deep at most): stopped"
        )
        while chain[-1][1] is not TargetKind.ROOT:
            if len(chain) >= MAX_LEVELS:
                raise SourceFailed(self._malformed("ListParents", loops))
            child = chain[-1][0]
            parent = self._once(("parent", child), "ListParents", self._parent, child)
            if parent in chain:
                raise SourceFailed(self._malformed("ListParents", loops))
            chain.append(parent)
        if chain[-1][0] != root_id:
            problem = f"account {account_id}'s parents lead to {chain[-1][0]}, not root {root_id}"
            raise SourceFailed(self._malformed("ListParents", problem))
        return chain[::-1]

    def _parent(self, child: str) -> tuple[str, TargetKind]:
        parents = [p for page in self._pages("ListParents", ChildId=child) for p in page["Parents"]]
        if len(parents) != 1:  # an account or OU has exactly one parent
            raise MalformedAnswer("ListParents", f"{child} has {len(parents)} parents, not one")
        kind = _PARENT_KINDS.get(parents[0]["Type"])
        if kind is None:
            raise MalformedAnswer("ListParents", f"{child}'s parent is a {parents[0]['Type']!r}")
        pattern = _ROOT_ID if kind is TargetKind.ROOT else _OU_ID
        return _checked_id("ListParents", parents[0]["Id"], pattern, kind.value), kind

    def _level(self, target: str, kind: TargetKind, enabled: tuple[PolicyType, ...]) -> OrgLevel:
        def attached(policy_type: PolicyType) -> tuple[OrgPolicy, ...]:
            if policy_type not in enabled:
                return ()  # applies nothing: not read
            key = ("attached", target, policy_type.value)
            found: tuple[OrgPolicy, ...] = self._once(
                key, "ListPoliciesForTarget", self._attached, target, policy_type
            )
            return found

        level = OrgLevel(target, kind, scps=attached(PolicyType.SCP), rcps=attached(PolicyType.RCP))
        for policy_type in PolicyType:
            problem = level_problem(level, policy_type, policy_type in enabled)
            if problem is not None:
                raise SourceFailed(self._malformed("ListPoliciesForTarget", problem))
        return level

    def _attached(self, target: str, policy_type: PolicyType) -> tuple[OrgPolicy, ...]:
        pages = self._pages("ListPoliciesForTarget", TargetId=target, Filter=policy_type.value)
        summaries = [s for page in pages for s in page["Policies"]]
        policies: dict[str, OrgPolicy] = {}  # by id: a policy AWS lists twice counts once
        for summary in summaries:
            if summary.get("Type") not in (None, policy_type.value):
                raise MalformedAnswer(
                    "ListPoliciesForTarget",
                    f"{target}: asked for {policy_type.value}, got a {summary['Type']!r} policy",
                )
            policy_id = _checked_id("ListPoliciesForTarget", summary["Id"], _POLICY_ID, "policy")
            key = ("policy", policy_id)
            policies[policy_id] = self._once(key, "DescribePolicy", self._policy, policy_id)
        return tuple(policies.values())

    def _policy(self, policy_id: str) -> OrgPolicy:
        client = self._client()
        self._progress(f"DescribePolicy: {policy_id}")
        answer = parsed_answer("DescribePolicy", lambda: client.describe_policy(PolicyId=policy_id))
        policy, summary = answer["Policy"], answer["Policy"]["PolicySummary"]
        if summary["Id"] != policy_id:
            raise MalformedAnswer(
                "DescribePolicy", f"asked for policy {policy_id}, got {summary['Id']!r}"
            )
        return OrgPolicy(
            id=policy_id,
            name=str(summary["Name"]),
            document=_document(policy_id, policy["Content"]),
            aws_managed=summary.get("AwsManaged") is True,
            arn=str(summary.get("Arn") or ""),
        )

    # --- calls, memo and errors -----------------------------------------------------------------

    def _client(self) -> Any:
        if self._clients is None and callable(self._connect):
            try:
                self._clients = self._connect()
            except CollectError as exc:
                raise SourceFailed(self._not_assumed(str(exc))) from None
            self._clients.answer_check = _check  # clients of its own: checked here
        assert self._clients is not None
        return self._clients.client("organizations")

    def _pages(self, operation: str, **params: Any) -> list[dict[str, Any]]:
        client = self._client()  # Organizations pages are at most 20 items: its own default
        pages = []
        for n, page in enumerate(
            paginate(client, operation, max_pages=self._max_pages, **params), start=1
        ):
            self._progress(f"{operation}: page {n}")
            pages.append(page)
        return pages

    def _once(
        self, key: tuple[str, ...], operation: str, read: Callable[..., Any], *args: Any
    ) -> Any:
        """``read(*args)`` the first time ``key`` is asked for; its value, or its failure,
        again after that."""
        if key in self._memo:
            found = self._memo[key]
            if isinstance(found, CollectionError):
                raise SourceFailed(found)
            return found
        try:
            value = read(*args)
        except SourceFailed as failed:
            self._memo[key] = failed.error
            raise
        except CALL_ERRORS as exc:
            failed_op = getattr(exc, "operation_name", None) or operation
            self._memo[key] = self._failure(failed_op, exc, key)
            raise SourceFailed(self._memo[key]) from None
        except SHAPE_ERRORS as exc:
            self._memo[key] = self._malformed(operation, f"{type(exc).__name__}: {exc}")
            raise SourceFailed(self._memo[key]) from None
        self._memo[key] = value
        return value

    @property
    def _region(self) -> str:
        return self._clients.region if self._clients is not None else "us-east-1"

    def _failure(self, operation: str, exc: Exception, key: tuple[str, ...]) -> CollectionError:
        error = classify(SOURCE, operation, OPERATIONS.get(operation, ""), self._region, exc)
        what = key[1] if len(key) > 1 else ""
        if what:
            error = replace(error, message=f"{what}: {error.message}")
        return self._with_hint(error)

    def _malformed(self, operation: str, problem: str) -> CollectionError:
        return self._with_hint(
            malformed(SOURCE, operation, OPERATIONS.get(operation, ""), self._region, problem)
        )

    def _with_hint(self, error: CollectionError) -> CollectionError:
        """Name the role that reads (``--organization-role``), not the scanned account's."""
        if not self.role_arn or "the role iamgate runs as" not in error.hint:
            return error
        hint = error.hint.replace("the role iamgate runs as", self.role_arn)
        return replace(error, hint=hint.replace("see iam-policy.json", "--organization-role"))

    def _not_assumed(self, message: str) -> CollectionError:
        return CollectionError(
            SOURCE,
            "AssumeRole",
            self._region,
            "AssumeRoleFailed",
            message,
            "--organization-role must be a role of the management account (or of a delegated "
            "administrator) that the scan's credentials may assume (docs/organizations.md).",
        )

    def _wrong_organization(
        self, account_id: str, organization: Organization, root: _Root
    ) -> CollectionError:
        return CollectionError(
            SOURCE,
            "ListRoots",
            self._region,
            "WrongOrganization",
            f"account {account_id} is in organization {organization.id}, but the policies "
            f"readable {'with ' + self.role_arn if self.role_arn else 'here'} are those of "
            f"{root.organization_id}",
            "Read them with a role of that account's management account (--organization-role).",
        )


def _checked_id(operation: str, value: Any, pattern: re.Pattern[str], what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise MalformedAnswer(operation, f"{operation}: not a {what} id: {value!r}")
    return value


def _document(policy_id: str, content: str) -> Mapping[str, Any]:
    """The policy's ``Content``: JSON text of an object, as AWS validates it on write."""
    try:
        document = json.loads(content)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise MalformedAnswer(
            "DescribePolicy", f"policy {policy_id}'s content is not a JSON policy document"
        )
    return document


def _check(model: Any, parsed: Any) -> None:
    check_answer(model, parsed, ANSWERS.get(str(model.name), ()))


def _unread(why: str) -> dict[str, Any]:
    return {"organization_policies": None, "organization_policies_unread": why}


def organization_policies(session: Session) -> dict[str, Any]:
    """The source: who may read (see the module's docstring), then the reader's answer."""
    org = session.found.get("organization")
    if not isinstance(org, Organization):
        return _unread("the account's organization is not known (DescribeOrganization failed)")
    if org.id is None:
        return {"organization_policies": OrganizationPolicies(None)}
    reader = session.organization_reader
    if reader is None:
        if org.management_account_id != session.account_id:
            return _unread(
                f"account {session.account_id} is a member of organization {org.id}, scanned "
                "without --organization-role; only the management account "
                f"({org.management_account_id or 'not known'}) or a delegated administrator "
                "can read them"
            )
        reader = PolicyReader(session.clients, max_pages=session.max_pages)
    return {"organization_policies": reader.read(session.account_id, org, session.progress)}


ORGANIZATION_POLICIES = DataSource(SOURCE, OPERATIONS, organization_policies, answers=ANSWERS)
