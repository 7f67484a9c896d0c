"""Who can obtain whose access: a reachability graph over an account's principals.

(The escalation graph as it was before ``iamgate.policy.escalation``, kept verbatim as the slow
reference the new one is compared with: ``tests/unit/policy/test_escalation_reference.py``.)

Nodes: every user and role *as it is*; every group (a member holding only the group's
policies, reached by adding oneself to it); the variants a writer can turn a principal into:
``raised`` (any policy added, boundary kept), ``unbounded`` (boundary removed),
``raised-unbounded``, and a group's ``raised`` variant; and one ``new`` node for a principal
created with any policy. A node's access is an :class:`~.evaluate.Access`, so every question
about a node goes through :func:`.evaluate.allows` (or the vectorised form below, held equal to
it by a property test) and :func:`.admin.admin`.

Edges come from :mod:`.catalogue`: assume, credentials, trust rewrite, join, pass, existing
compute, new principal; ``modify``/``boundary`` rows give an edge to the raised target only
when the writer is that target or also has an edge to it (writing a role's policy is useless
without a way to act as the role).

Who a role's trust admits comes through ONE adapter, :data:`Admits`: ``admits(role,
principal)`` for a principal ARN of the account or a service principal
(``lambda.amazonaws.com``), answering an :class:`~.trust.Admission` or None: :func:`trust_admits`
asks the trust model (:mod:`.trust`), which evaluates conditions and Denies.

Speed (10,000 users and 2,000 roles must stay within twice the old checks' time,
docs/performance.md): edges are sets of node indices held as Python ints (bitsets). For each
(policy, action, kind of resource) the resources the policy allows and denies are computed once
and shared by every principal holding the policy; only statements with policy variables are
redone per principal. Only principals whose policies mention a catalogue action get edges, and
an administrator gets none (it already has everything). Shortest paths: one reverse
breadth-first search per distinct "IAM writes the source holds" class, over the bitsets; each
reported path is then explained hop by hop with :func:`.evaluate.allows`.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from iamgate.model.config import TrustSettings
from iamgate.model.snapshot import Group, Role, Snapshot, User
from iamgate.policy.admin import AdminVerdict, admin
from iamgate.policy.catalogue import IAM_WRITE, METHODS, Method
from iamgate.policy.document import (
    Policy,
    PolicyFormatError,
    Statement,
    allow_all_policy,
    parse_document,
    short_name,
)
from iamgate.policy.evaluate import (
    Access,
    Attachment,
    Decision,
    Identity,
    allows,
    allows_any,
    resource_globs,
)
from iamgate.policy.principals import Principals, is_service_linked
from iamgate.policy.trust import Admission, Assumers, TrustContext, who_can_assume
from iamgate.policy.wildcard import (
    LITERAL_QMARK,
    LITERAL_STAR,
    compile_glob,
    has_wildcard,
    literal_prefix,
)

# --- who a role's trust admits: the one adapter ----------------------------------------------


Admits = Callable[[Role, str], Admission | None]


def trust_admits(assumers: Callable[[Role], Assumers]) -> Admits:
    """The graph's :data:`Admits`, over the trust model (:mod:`.trust`): a user or role of the
    account through :meth:`~.trust.Assumers.admits`, a service principal through
    :meth:`~.trust.Assumers.admits_service`. ``assumers`` is the per-run cache of who can
    assume each role (``checks.context.Context.assumers``)."""

    def admits(role: Role, principal: str) -> Admission | None:
        found = assumers(role)
        if principal.startswith("arn:"):
            return found.admits(principal)
        return found.admits_service(principal)

    return admits


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _uniform(trust: Mapping[str, Any]) -> bool:
    """A trust whose answer is the same for every principal of the account it does not name:
    no Condition, no Deny, no NotPrincipal (then one representative answers for all)."""
    try:
        doc = parse_document(trust)
    except PolicyFormatError:
        return False
    raw = doc.get("Statement", [])
    for st in [raw] if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []:
        if not isinstance(st, Mapping):
            return False
        if st.get("Condition") or st.get("Effect") != "Allow" or "NotPrincipal" in st:
            return False
    return True


# --- nodes, hops, results ----------------------------------------------------------------------

Variant = Literal[
    "as-is", "raised", "unbounded", "raised-unbounded", "group", "group-raised", "new"
]
_VARIANT_TEXT = {
    "as-is": "",
    "raised": " with policies rewritten",
    "unbounded": " without its permissions boundary",
    "raised-unbounded": " with policies rewritten and no boundary",
    "group": "",
    "group-raised": " with policies rewritten",
    "new": "",
}
Status = Literal["admin", "escalates", "none", "skipped", "unknown"]


@dataclass(frozen=True, slots=True)
class Node:
    index: int
    variant: Variant
    arn: str  # the principal's or group's ARN ("" for the new principal)

    @property
    def name(self) -> str:
        base = short_name(self.arn) if self.arn else "a new principal"
        return base + _VARIANT_TEXT[self.variant]


@dataclass(frozen=True, slots=True)
class Hop:
    source: Node
    target: Node
    method: str  # catalogue id(s), "+"-joined when a hop needs two rows
    decisions: tuple[Decision, ...]
    how: str  # e.g. "iam:PassRole + lambda:CreateFunction (statement 'Deploy' of policy/x)"


@dataclass(frozen=True, slots=True)
class Escalation:
    """The verdict for one user, role or group."""

    principal: str
    status: Status
    path: tuple[Hop, ...] = ()
    prize: str = ""  # what the last node holds that the principal lacks
    message: str = ""


_PASS = tuple(m for m in METHODS if m.kind == "pass")
_EXISTING = tuple(m for m in METHODS if m.kind == "existing")
_NEW = tuple(m for m in METHODS if m.kind == "new")
_CREDENTIALS = tuple(m for m in METHODS if m.kind == "credentials")
_WRITE_PRINCIPAL = {
    "user": ("iam:PutUserPolicy", "iam:AttachUserPolicy"),
    "role": ("iam:PutRolePolicy", "iam:AttachRolePolicy"),
}
_WRITE_GROUP = ("iam:PutGroupPolicy", "iam:AttachGroupPolicy")
_WRITE_POLICY = ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion")
_BOUNDARY = {
    "user": ("iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"),
    "role": ("iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"),
}
_WRITE_ACTIONS = frozenset(
    a.lower()
    for a in (
        *_WRITE_PRINCIPAL["user"],
        *_WRITE_PRINCIPAL["role"],
        *_WRITE_GROUP,
        *_WRITE_POLICY,
        *_BOUNDARY["user"],
        *_BOUNDARY["role"],
    )
)
# Every action the graph asks (lower-cased): a policy that covers none of them adds no edge.
_CATALOGUE = frozenset(
    {a.lower() for m in METHODS for g in m.actions for a in g}
    | {"iam:passrole", "sts:assumerole", "iam:updateassumerolepolicy", "iam:addusertogroup"}
    | _WRITE_ACTIONS
    | {a.lower() for a in IAM_WRITE}
    | {"iam:deleteaccesskey", "iam:deleteloginprofile"}
)
_CATALOGUE_ACTIONS = tuple(sorted(_CATALOGUE))
_LOWER = {m.id: tuple(tuple(a.lower() for a in g) for g in m.actions) for m in METHODS}
_IAM_WRITE_LOWER = tuple(a.lower() for a in IAM_WRITE)
_METHOD_OF = {m.actions[0][0].lower(): m.id for m in METHODS if m.kind in ("modify", "boundary")}
_SERVICES = tuple(sorted({m.service for m in (*_PASS, *_EXISTING)}))
# Edges AWS refuses (added with issue 20): a credentials call on a user whose state refuses it
# needs the action that clears the way; no IAM write reaches a service-linked role.
_UNLOCKS = {
    "create-access-key": "iam:DeleteAccessKey",
    "create-login-profile": "iam:DeleteLoginProfile",
}
_REFUSAL = {
    "create-access-key": "the user has two access keys",
    "create-login-profile": "the user has a password",
}


class _Universe:
    """The ARNs of one kind of resource, sorted, as the positions of a bitset."""

    def __init__(self, arns: Sequence[str]) -> None:
        self.arns = list(arns)
        self.pos = {a: i for i, a in enumerate(self.arns)}
        self.all = (1 << len(self.arns)) - 1
        self._glob_bits: dict[str, int] = {}
        # ARNs by their resource part ("user/alice"): globs such as
        # "arn:aws:iam::*:user/${aws:username}" wildcard only the account.
        self.by_tail: dict[str, list[int]] = {}
        self.heads: list[str] = []
        for i, a in enumerate(self.arns):
            head, _, tail = a.rpartition(":") if a.count(":") == 5 else ("", "", a)
            self.heads.append(head)
            self.by_tail.setdefault(tail, []).append(i)

    def bits(self, glob: str) -> int:
        found = self._glob_bits.get(glob)
        if found is None:
            found = self._glob_bits[glob] = self._match(glob)
        return found

    def _match(self, glob: str) -> int:
        if not has_wildcard(glob):
            i = self.pos.get(_plain(glob))
            return 0 if i is None else 1 << i
        parts = glob.split(":", 5)
        found = 0
        if len(parts) == 6 and not has_wildcard(parts[5]):
            # "arn:aws:iam::*:user/alice": the literal tail picks the candidates, and one
            # compiled head ("arn:aws:iam::*", shared by every such glob) decides.
            head = compile_glob(":".join(parts[:5]), "resource")
            for i in self.by_tail.get(_plain(parts[5]), ()):
                if head.matches(self.heads[i]):
                    found |= 1 << i
            return found
        compiled = compile_glob(glob, "resource")
        if compiled.shape == "all":
            return self.all
        # Only ARNs that start with the literal prefix can match.
        prefix = literal_prefix(glob)
        lo = bisect.bisect_left(self.arns, prefix)
        for i in range(lo, bisect.bisect_left(self.arns, prefix + "\U0010ffff", lo)):
            if compiled.matches(self.arns[i]):
                found |= 1 << i
        return found

    def statement_bits(self, st: Statement, who: Identity | None) -> int:
        """The resources ``st`` applies to (:func:`.evaluate.resource_applies`, vectorised)."""
        hits = 0
        for glob in resource_globs(st, who).globs:
            hits |= self.bits(glob)
        return (self.all & ~hits) if st.not_resource else hits


def _plain(text: str) -> str:
    """A glob without wildcards as the text it matches (variable values keep their ``*``)."""
    return text.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?")


def _set_bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _first(access: Access, actions: Sequence[str], resource: str) -> Decision | None:
    for action in actions:
        d = allows(access, action, resource)
        if d.allowed:
            return d
    return None


def _text(access: Access, ds: Sequence[Decision], target: str = "") -> str:
    """ "a + b (statement 'S' of policy/x)" when one statement grants all, else per action."""
    labels = [access.label(d.grant) if d.grant else "?" for d in ds]
    cond = " [conditioned]" if any(d.conditioned for d in ds) else ""
    where = {d.resource for d in ds if d.resource not in ("*", target)}
    on = f" on {', '.join(short_name(r) for r in sorted(where))}" if where else ""
    if len(set(labels)) == 1:
        return f"{' + '.join(d.action for d in ds)}{on} ({labels[0]}){cond}"
    parts = [f"{d.action} ({label})" for d, label in zip(ds, labels, strict=True)]
    return " + ".join(parts) + on + cond


def _assumers_of(snapshot: Snapshot) -> Callable[[Role], Assumers]:
    """Who can assume each role, with the default trust settings (the checks pass their own,
    from the config, through ``Context.assumers``)."""
    context = TrustContext.of(snapshot, TrustSettings())
    cache: dict[str, Assumers] = {}

    def assumers(role: Role) -> Assumers:
        if role.arn not in cache:
            cache[role.arn] = who_can_assume(role.trust_policy, context)
        return cache[role.arn]

    return assumers


class Graph:
    """The account's escalation graph; :meth:`escalations` gives every verdict."""

    def __init__(self, principals: Principals, admits: Admits | None = None) -> None:
        snap = principals.snapshot
        self.principals = principals
        self.admits: Admits = admits or trust_admits(_assumers_of(snap))
        self.account, self.partition = snap.account_id, snap.partition
        users = sorted(snap.users, key=lambda u: u.arn)
        roles = sorted(snap.roles, key=lambda r: r.arn)
        self.entities: list[User | Role] = [*users, *roles]
        self.groups: list[Group] = sorted(snap.groups, key=lambda g: g.arn)
        self.n_users, self.n_roles = len(users), len(roles)
        n_p, n_g = len(self.entities), len(self.groups)
        self.n_p, self.n_g = n_p, n_g
        # Node layout: principals, groups, raised principals, raised groups, unbounded,
        # raised-unbounded, new. A variant of principal p is at a fixed offset + p, so a bitset
        # over principals shifts into a bitset over those nodes.
        self.off_group = n_p
        self.off_raised = n_p + n_g
        self.off_group_raised = 2 * n_p + n_g
        self.off_unbounded = 2 * n_p + 2 * n_g
        self.off_raised_unbounded = 3 * n_p + 2 * n_g
        self.new_node = 4 * n_p + 2 * n_g
        self.user_universe = _Universe([u.arn for u in users])
        self.role_universe = _Universe([r.arn for r in roles])
        self.group_universe = _Universe([g.arn for g in self.groups])
        self._index = {e.arn: i for i, e in enumerate(self.entities)}
        base = [principals.access(e).access for e in self.entities]
        self._group_base = [principals.access(g).access for g in self.groups]
        self._base = base
        self.problems = {
            e.arn: principals.access(e).problem
            for e, a in zip(self.entities, base, strict=True)
            if a is None
        }
        self.problems.update(
            (g.arn, principals.access(g).problem)
            for g, a in zip(self.groups, self._group_base, strict=True)
            if a is None
        )
        # Membership, and who holds each customer-managed policy (directly or via a group).
        group_pos = {g.name: i for i, g in enumerate(self.groups)}
        self.members = [0] * n_g  # group -> principal bits
        self.member_of = [0] * n_p  # principal -> group bits
        holders: dict[str, int] = {}
        group_holders: dict[str, int] = {}
        for pi, e in enumerate(self.entities):
            for name in e.groups if isinstance(e, User) else ():
                gi = group_pos.get(name, -1)
                if gi >= 0:
                    self.members[gi] |= 1 << pi
                    self.member_of[pi] |= 1 << gi
            own = base[pi]
            for att in own.attachments if own is not None else ():
                if att.policy.kind == "managed" and att.via == e.arn:
                    holders[att.policy.id] = holders.get(att.policy.id, 0) | 1 << pi
        for gi, ga in enumerate(self._group_base):
            for att in ga.attachments if ga else ():
                if att.policy.kind == "managed":
                    group_holders[att.policy.id] = group_holders.get(att.policy.id, 0) | 1 << gi
                    holders[att.policy.id] = holders.get(att.policy.id, 0) | self.members[gi]
        self.policy_universe = _Universe(sorted(set(holders) | set(group_holders)))
        self.policy_holders = [holders.get(a, 0) for a in self.policy_universe.arns]
        self.policy_group_holders = [group_holders.get(a, 0) for a in self.policy_universe.arns]
        self.has_boundary = sum(
            1 << i for i, a in enumerate(base) if a is not None and a.boundary is not None
        )
        self.unknown = sum(1 << i for i, a in enumerate(base) if a is None)
        self._refusals(snap)
        self.unknown_groups = sum(1 << i for i, a in enumerate(self._group_base) if a is None)
        self._access: dict[int, Access | None] = {}
        self._verdict: dict[int, AdminVerdict] = {}
        self._wmask: dict[int, int] = {}
        self._out: dict[int, int] = {}
        self._policy_bits: dict[tuple[int, str, int], tuple[int, int, tuple[Statement, ...]]] = {}
        self._touch: dict[int, frozenset[str]] = {}
        self._mention: dict[int, frozenset[str]] = {}
        self._node_mentions: dict[int, frozenset[str]] = {}
        self._can: dict[int, dict[str, bool]] = {}
        self._any: dict[object, Decision] = {}
        self._tails: dict[int, frozenset[str]] = {}
        self._expand: dict[tuple[str, int], int] = {}
        self._admission: dict[tuple[int, str], Admission | None] = {}
        self._methods: dict[frozenset[str], tuple[Method, ...]] = {}
        self._built = False
        self._build_trust()

    def _refusals(self, snap: Snapshot) -> None:
        """Per credentials method, the users AWS refuses it on (bits over principals); the
        users the credential report says nothing of; the service-linked roles (bits over roles
        and over principals)."""
        rows = {r.arn: r for r in snap.credential_report if not r.is_root}
        self.refused = dict.fromkeys(
            ("create-access-key", "create-login-profile", "update-login-profile"), 0
        )
        self.no_row = 0
        for i, e in enumerate(self.entities[: self.n_users]):
            r = rows.get(e.arn)
            if r is None or r.password_enabled is None:
                self.no_row |= 1 << i
                continue
            which = "create-login-profile" if r.password_enabled else "update-login-profile"
            self.refused[which] |= 1 << i
            taken = [k for k in r.keys if k.active or not isinstance(k.last_rotated, str)]
            if len(taken) >= 2:
                self.refused["create-access-key"] |= 1 << i
        self.linked_roles = sum(
            1 << ri for ri, e in enumerate(self.entities[self.n_users :]) if is_service_linked(e)
        )
        self.linked = self.linked_roles << self.n_users

    # --- trust ------------------------------------------------------------------------------

    def _admit(self, ri: int, principal: str) -> Admission | None:
        key = (ri, principal)
        if key not in self._admission:
            role = self.entities[self.n_users + ri]
            assert isinstance(role, Role)
            self._admission[key] = self.admits(role, principal)
        return self._admission[key]

    def _build_trust(self) -> None:
        """Per role: the principals its trust names, whether it delegates to the account (then
        the caller needs ``sts:AssumeRole``), and the services it trusts."""
        self.named: dict[int, list[int]] = {}  # principal -> roles whose trust names it
        self.delegates = 0  # roles whose uniform trust admits any unnamed principal
        self.per_caller = 0  # roles whose answer may differ by caller (conditions, Deny)
        self.service_roles: dict[str, int] = {}
        for ri in range(self.n_roles):
            role = self.entities[self.n_users + ri]
            assert isinstance(role, Role)
            text = set(_strings(role.trust_policy))
            mentioned = {self._index[s] for s in text if s in self._index}
            for pi in mentioned:
                self.named.setdefault(pi, []).append(ri)
            if _uniform(role.trust_policy):
                rep = next((i for i in range(self.n_p) if i not in mentioned), -1)
                if rep >= 0 and self._admit(ri, self.entities[rep].arn) is not None:
                    self.delegates |= 1 << ri
            else:
                self.per_caller |= 1 << ri
            if is_service_linked(role):
                continue  # AWS's own roles: code we run cannot carry them
            for svc in text.intersection(_SERVICES):  # a service principal is named literally
                if self._admit(ri, svc) is not None:
                    self.service_roles[svc] = self.service_roles.get(svc, 0) | 1 << ri

    def _assumable(self, pi: int, arn: str, permitted: int) -> tuple[int, int]:
        """(roles the principal may assume with no permission of its own, roles it may assume
        with ``sts:AssumeRole``), given the roles its policies permit it to assume."""
        free = needing = 0
        named = self.named.get(pi, ()) if pi >= 0 else ()
        for ri in named:
            found = self._admit(ri, arn)
            if found is not None:
                if found.needs_identity_permission:
                    needing |= 1 << ri
                else:
                    free |= 1 << ri
        named_bits = sum(1 << ri for ri in named)
        needing |= permitted & self.delegates & ~named_bits
        for ri in _set_bits(permitted & self.per_caller & ~named_bits):
            if self._admit(ri, arn) is not None:
                needing |= 1 << ri
        return free, needing & permitted

    # --- nodes --------------------------------------------------------------------------------

    def node(self, index: int) -> Node:
        if index == self.new_node:
            return Node(index, "new", "")
        if index < self.n_p:
            return Node(index, "as-is", self.entities[index].arn)
        if index < self.off_raised:
            return Node(index, "group", self.groups[index - self.off_group].arn)
        if index < self.off_group_raised:
            return Node(index, "raised", self.entities[index - self.off_raised].arn)
        if index < self.off_unbounded:
            return Node(index, "group-raised", self.groups[index - self.off_group_raised].arn)
        if index < self.off_raised_unbounded:
            return Node(index, "unbounded", self.entities[index - self.off_unbounded].arn)
        return Node(index, "raised-unbounded", self.entities[index - self.off_raised_unbounded].arn)

    def index_of(self, arn: str) -> int:
        return self._index[arn]

    def group_index(self, arn: str) -> int:
        return self.off_group + self.group_universe.pos[arn]

    def _principal_of(self, index: int) -> int:
        """The principal a node stands for (-1 for groups and the new principal)."""
        for off in (0, self.off_raised, self.off_unbounded, self.off_raised_unbounded):
            if off <= index < off + self.n_p:
                return index - off
        return -1

    def _group_of(self, index: int) -> int:
        for off in (self.off_group, self.off_group_raised):
            if off <= index < off + self.n_g:
                return index - off
        return -1

    def access(self, index: int) -> Access | None:
        """The node's access; None when the snapshot lacks a policy it needs."""
        if index not in self._access:
            self._access[index] = self._make_access(index)
        return self._access[index]

    def _make_access(self, index: int) -> Access | None:
        node = self.node(index)
        if node.variant == "new":
            arn = f"arn:{self.partition}:iam::{self.account}:role/(new principal)"
            who = Identity(arn, "role", "(new principal)", self.account)
            return Access(who, (Attachment(allow_all_policy(), arn),))
        gi = self._group_of(index)
        found = self._group_base[gi] if gi >= 0 else self._base[self._principal_of(index)]
        if found is None:
            return None
        if node.variant in ("unbounded", "raised-unbounded"):
            found = found.without((), True)
        if node.variant in ("raised", "raised-unbounded", "group-raised"):
            found = found.with_policy(allow_all_policy())
        return found

    def verdict(self, index: int) -> AdminVerdict:
        found = self._verdict.get(index)
        if found is None:
            access = self.access(index)
            if access is None:
                found = AdminVerdict(False, "access unknown")
            elif index < self.off_raised:  # as the snapshot has it: shared with the admin checks
                gi = self._group_of(index)
                entity = self.groups[gi] if gi >= 0 else self.entities[index]
                found = self.principals.verdict(entity) or AdminVerdict(False, "access unknown")
            else:
                found = admin(access)
            self._verdict[index] = found
        return found

    def is_unknown(self, index: int) -> bool:
        return self.access(index) is None

    # --- per-policy facts ----------------------------------------------------------------------

    def _touches(self, policy: Policy) -> frozenset[str]:
        """The catalogue actions some statement (Allow or Deny) of the policy covers."""
        found = self._touch.get(id(policy))
        if found is None:
            found = self._touch[id(policy)] = frozenset(
                a for a in _CATALOGUE_ACTIONS if policy.statements_for(a)
            )
        return found

    def _policy_mentions(self, policy: Policy) -> frozenset[str]:
        """The catalogue actions some Allow of the policy covers."""
        found = self._mention.get(id(policy))
        if found is None:
            found = self._mention[id(policy)] = frozenset(
                a for a in self._touches(policy) if policy.allows_some(a)
            )
        return found

    def _mentions(self, index: int) -> frozenset[str]:
        """The catalogue actions some Allow of the node's policies covers (a cheap filter)."""
        found = self._node_mentions.get(index)
        if found is None:
            access = self.access(index)
            found = frozenset().union(
                *(self._policy_mentions(p) for p in (access.policies() if access else ()))
            )
            self._node_mentions[index] = found
        return found

    def _names_itself(self, access: Access, policies: Sequence[Policy]) -> bool:
        """Whether some statement names the principal (or a group of it) literally: only then
        can "not itself" change an IAM answer (see :func:`.evaluate.allows_any`)."""
        own = {a.split(":", 5)[-1] for a in (access.who.arn, *access.groups)}
        for policy in policies:
            tails = self._tails.get(id(policy))
            if tails is None:
                tails = self._tails[id(policy)] = frozenset(
                    g.split(":", 5)[-1]
                    for st in policy.statements
                    for g in st.resources
                    if not has_wildcard(g.split(":", 5)[-1])
                )
            if own & tails:
                return True
        return False

    def holds(self, index: int, action: str) -> Decision:
        """:func:`.evaluate.allows_any` for a node, over others than itself for IAM actions,
        shared by nodes whose policies decide the same (most principals share their policies)."""
        access = self.access(index)
        low = action.lower()
        if access is None:
            return Decision(False, action, "*")
        relevant = tuple(p for p in access.policies() if low in self._touches(p))
        if not relevant:
            return Decision(False, action, "*")
        iam = low.startswith("iam:")
        personal = (
            any(p.has_variables for p in relevant)
            or (access.boundary is not None and access.boundary.has_variables)
            or (iam and self._names_itself(access, relevant))
        )
        key = (
            tuple(id(p) for p in relevant),
            id(access.boundary),
            access.who.kind,
            (access.who.arn, access.groups) if personal else None,
            low,
        )
        found = self._any.get(key)
        if found is None:
            own = frozenset({access.who.arn, *access.groups}) if iam else frozenset()
            found = self._any[key] = allows_any(access, action, own)
        return found if found.action == action else dataclasses.replace(found, action=action)

    def _can_do(self, index: int, action: str) -> bool:
        """``holds(...).allowed`` memoised per node (``action`` lower-cased)."""
        cache = self._can.setdefault(index, {})
        found = cache.get(action)
        if found is None:
            found = cache[action] = self.holds(index, action).allowed
        return found

    def write_mask(self, index: int) -> int:
        """Bits of :data:`.catalogue.IAM_WRITE` the node holds over others than itself."""
        found = self._wmask.get(index)
        if found is None:
            mentions = self._mentions(index)
            found = 0
            for i, action in enumerate(_IAM_WRITE_LOWER):
                if action in mentions and self._can_do(index, action):
                    found |= 1 << i
            self._wmask[index] = found
        return found

    def _candidates(self, mentions: frozenset[str]) -> tuple[Method, ...]:
        """The service rows whose every step some Allow mentions (nodes share mention sets)."""
        found = self._methods.get(mentions)
        if found is None:
            found = self._methods[mentions] = tuple(
                m
                for m in (*_PASS, *_EXISTING, *_NEW)
                if all(any(a in mentions for a in group) for group in _LOWER[m.id])
            )
        return found

    def _satisfied(self, index: int, method: Method) -> bool:
        mentions = self._mentions(index)
        if method not in self._candidates(mentions):
            return False  # cheap: some step is not even mentioned by its policies
        return all(
            any(a in mentions and self._can_do(index, a) for a in g) for g in _LOWER[method.id]
        )

    # --- vectorised allows ------------------------------------------------------------------

    def _bits_for_policy(
        self, policy: Policy, action: str, uni: _Universe
    ) -> tuple[int, int, tuple[Statement, ...]]:
        key = (id(policy), action, id(uni))
        found = self._policy_bits.get(key)
        if found is None:
            allow = deny = 0
            variable: list[Statement] = []
            for st in policy.statements_for(action):
                if st.has_variables:
                    variable.append(st)
                elif st.effect == "Allow":
                    allow |= uni.statement_bits(st, None)
                elif not st.conditioned:
                    deny |= uni.statement_bits(st, None)
            found = self._policy_bits[key] = (allow, deny, tuple(variable))
        return found

    def _policies_bits(
        self, policies: Sequence[Policy], who: Identity, action: str, uni: _Universe
    ) -> int:
        allow = deny = 0
        low = action.lower()
        filtered = low in _CATALOGUE  # _touches knows only the catalogue's actions
        for policy in policies:
            if filtered and low not in self._touches(policy):
                continue
            a, d, variable = self._bits_for_policy(policy, low, uni)
            allow |= a
            deny |= d
            for st in variable:
                bits = uni.statement_bits(st, who)
                if st.effect == "Allow":
                    allow |= bits
                elif not st.conditioned:
                    deny |= bits
        return allow & ~deny

    def allowed_bits(self, access: Access, action: str, uni: _Universe) -> int:
        """The resources of ``uni`` on which ``allows(access, action, r).allowed`` holds."""
        bits = self._policies_bits(list(access.policies()), access.who, action, uni)
        if bits and access.boundary is not None:
            bits &= self._policies_bits([access.boundary], access.who, action, uni)
        return bits

    def _any_bits(self, access: Access, actions: Sequence[str], uni: _Universe) -> int:
        out = 0
        for action in actions:
            out |= self.allowed_bits(access, action, uni)
        return out

    def _expanded(self, what: str, mask: int, table: list[int]) -> int:
        """OR of ``table[i]`` for the set bits of ``mask`` (memoised: masks repeat)."""
        if not mask:
            return 0
        key = (what, mask)
        found = self._expand.get(key)
        if found is None:
            found = 0
            for i in _set_bits(mask):
                found |= table[i]
            self._expand[key] = found
        return found

    # --- edges ----------------------------------------------------------------------------------

    def out_edges(self, index: int) -> int:
        found = self._out.get(index)
        if found is None:
            found = self._out[index] = self._edges(index)
        return found

    def _edges(self, index: int) -> int:
        node = self.node(index)
        access = self.access(index)
        if access is None or node.variant == "new" or self.verdict(index).is_admin:
            return 0  # unknown, or an administrator: it already has everything
        pi = self._principal_of(index)
        mentions = self._mentions(index)
        u = self.n_users
        permitted = 0
        if "sts:assumerole" in mentions:
            permitted = self.allowed_bits(access, "sts:AssumeRole", self.role_universe)
        free, needing = self._assumable(pi, access.who.arn, permitted)
        role_bits = free | needing
        if not mentions:
            return (role_bits << u) & ~(1 << index)
        if "iam:updateassumerolepolicy" in mentions:
            rewritable = self.allowed_bits(access, "iam:UpdateAssumeRolePolicy", self.role_universe)
            role_bits |= rewritable & ~self.linked_roles
        user_bits = 0
        for m in _CREDENTIALS:
            if m.actions[0][0].lower() in mentions:
                bits = self.allowed_bits(access, m.actions[0][0], self.user_universe)
                user_bits |= bits & ~self.refused[m.id]
                unlock = _UNLOCKS.get(m.id)
                if unlock is not None and unlock.lower() in mentions:
                    cleared = self.allowed_bits(access, unlock, self.user_universe)
                    user_bits |= bits & self.refused[m.id] & cleared
        out = 0
        if access.who.kind == "user" and "iam:addusertogroup" in mentions:
            joinable = self.allowed_bits(access, "iam:AddUserToGroup", self.group_universe)
            out |= joinable << self.off_group
        passable = -1
        for m in self._candidates(mentions):
            carried = self.service_roles.get(m.service, 0)
            if m.kind == "new":
                if not out >> self.new_node & 1 and self._satisfied(index, m):
                    out |= 1 << self.new_node
            elif carried & ~role_bits and self._satisfied(index, m):
                if m.kind == "existing":
                    role_bits |= carried
                    continue
                if passable < 0:
                    passable = (
                        self.allowed_bits(access, "iam:PassRole", self.role_universe)
                        if "iam:passrole" in mentions
                        else 0
                    )
                role_bits |= passable & carried
        principals = user_bits | (role_bits << u)
        if pi >= 0:
            principals &= ~(1 << pi)  # reaching yourself as you are is no edge
        out |= principals
        # Raised targets: what it can write, among what it is or can become.
        become = principals | (1 << pi if pi >= 0 else 0)
        raised, raised_groups, unbound = self._writable(access, mentions)
        joined = (out >> self.off_group) & self.group_universe.all
        gi = self._group_of(index)
        member = self.member_of[pi] if pi >= 0 else (1 << gi if gi >= 0 else 0)
        out |= (raised_groups & (joined | member)) << self.off_group_raised
        both = raised & unbound & self.has_boundary & become
        out |= (raised & become & ~both) << self.off_raised
        out |= both << self.off_raised_unbounded
        out |= (unbound & self.has_boundary & become & ~raised) << self.off_unbounded
        return out & ~(1 << index)

    def _writable(self, access: Access, mentions: frozenset[str]) -> tuple[int, int, int]:
        """(principals whose policies it can write, groups likewise, principals whose
        boundary it can remove), as bits over principals / groups."""
        if not mentions & _WRITE_ACTIONS:
            return 0, 0, 0
        u = self.n_users
        raised = self._any_bits(access, _WRITE_PRINCIPAL["user"], self.user_universe)
        raised |= self._any_bits(access, _WRITE_PRINCIPAL["role"], self.role_universe) << u
        groups = self._any_bits(access, _WRITE_GROUP, self.group_universe)
        policies = self._any_bits(access, _WRITE_POLICY, self.policy_universe)
        raised |= self._expanded("members", groups, self.members)
        raised |= self._expanded("holders", policies, self.policy_holders)
        groups |= self._expanded("group-holders", policies, self.policy_group_holders)
        unbound = self._any_bits(access, _BOUNDARY["user"], self.user_universe)
        unbound |= self._any_bits(access, _BOUNDARY["role"], self.role_universe) << u
        return raised & ~self.linked, groups, unbound & ~self.linked

    def build(self) -> None:
        """Edges of every principal and group, then of every node those edges reach."""
        if self._built:
            return
        pending = [*range(self.n_p), *range(self.off_group, self.off_group + self.n_g)]
        seen = 0
        for i in pending:
            seen |= 1 << i
        while pending:
            index = pending.pop()
            new = self.out_edges(index) & ~seen
            if new:  # only nodes not seen before: the loop is O(nodes), not O(edges)
                seen |= new
                pending.extend(_set_bits(new))
        self._built = True

    # --- shortest paths ------------------------------------------------------------------------

    def _prize(self, target: int, mask: int) -> bool:
        return (
            self.is_unknown(target)
            or self.verdict(target).is_admin
            or bool(self.write_mask(target) & ~mask)
        )

    def escalations(self) -> dict[str, Escalation]:
        """The verdict for every user, role and group (by ARN)."""
        self.build()
        result: dict[str, Escalation] = {}
        sources: dict[int, list[int]] = {}
        nodes: list[tuple[int, User | Group | Role]] = list(enumerate(self.entities))
        nodes += [(self.off_group + gi, g) for gi, g in enumerate(self.groups)]
        for index, entity in nodes:
            name = short_name(entity.arn)
            if is_service_linked(entity):
                result[entity.arn] = Escalation(
                    entity.arn, "skipped", message="service-linked role: AWS owns its policies"
                )
            elif self.is_unknown(index):
                result[entity.arn] = Escalation(
                    entity.arn, "unknown", message=self.problems[entity.arn]
                )
            elif self.verdict(index).is_admin:
                other = (
                    "group-admin-access" if isinstance(entity, Group) else "principal-admin-access"
                )
                result[entity.arn] = Escalation(
                    entity.arn,
                    "admin",
                    message=f"{name} is already full administrator (see {other})",
                )
            elif self.out_edges(index):
                sources.setdefault(self.write_mask(index), []).append(index)
            else:
                result[entity.arn] = Escalation(
                    entity.arn, "none", message="no privilege-escalation path"
                )
        with_edges = [(i, bits) for i, bits in self._out.items() if bits]
        reached = 0
        for _, bits in with_edges:
            reached |= bits
        for mask, members in sources.items():
            levels = self._levels(mask, reached, with_edges)
            for index in members:
                esc = self._path(index, mask, levels)
                result[esc.principal] = esc
        return result

    def _levels(self, mask: int, reached: int, with_edges: list[tuple[int, int]]) -> list[int]:
        """levels[d] = the nodes whose nearest prize (for sources holding ``mask``) is d hops
        away."""
        prize = 0
        for t in _set_bits(reached):
            if self._prize(t, mask):
                prize |= 1 << t
        levels = [prize]
        seen = frontier = prize
        while frontier:
            nxt = 0
            for i, bits in with_edges:
                if bits & frontier and not (seen >> i) & 1:
                    nxt |= 1 << i
            seen |= nxt
            frontier = nxt
            if nxt:
                levels.append(nxt)
        return levels

    def _path(self, index: int, mask: int, levels: list[int]) -> Escalation:
        arn = self.node(index).arn
        depth = next((d for d, lv in enumerate(levels) if (lv >> index) & 1), -1)
        if depth <= 0:
            return Escalation(arn, "none", message="no privilege-escalation path")
        hops = []
        at = index
        for d in range(depth - 1, -1, -1):
            choices = self.out_edges(at) & levels[d]
            nxt = (choices & -choices).bit_length() - 1
            hops.append(self.explain(at, nxt))
            at = nxt
        text = short_name(arn) + "".join(f" → {h.how} → {h.target.name}" for h in hops)
        if self.is_unknown(at):
            reason = self.problems.get(self.node(at).arn, "its policies are not in the snapshot")
            return Escalation(arn, "unknown", tuple(hops), "unknown", f"{text} ({reason})")
        prize = self._describe_prize(at, mask)
        return Escalation(arn, "escalates", tuple(hops), prize, f"{text} ({prize})")

    def _describe_prize(self, index: int, mask: int) -> str:
        if self.verdict(index).is_admin:
            return "full administrator"
        names = [IAM_WRITE[i] for i in _set_bits(self.write_mask(index) & ~mask)]
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return f"holds {', '.join(names[:3])}{more}"

    # --- explanations ------------------------------------------------------------------------

    def explain(self, source: int, target: int) -> Hop:
        """Why ``source`` has an edge to ``target``, with the statements that grant it."""
        s, t = self.node(source), self.node(target)
        access = self.access(source)
        assert access is not None
        if t.variant == "new":
            m = next(m for m in _NEW if self._satisfied(source, m))
            return self._hop(access, s, t, m.id, self._method_decisions(source, m))
        if t.variant == "group":
            d = allows(access, "iam:AddUserToGroup", t.arn)
            return self._hop(access, s, t, "add-user-to-group", (d,))
        if t.variant == "as-is":
            return self._explain_become(source, target)
        if t.variant == "group-raised":
            gi = target - self.off_group_raised
            write = _first(access, _WRITE_GROUP, t.arn) or self._policy_write(access, gi, True)
            member = self._principal_of(source)
            in_group = (
                (self.member_of[member] >> gi) & 1 if member >= 0 else gi == self._group_of(source)
            )
            via = None if in_group else self.explain(source, self.off_group + gi)
            return self._combine(access, s, t, write, via)
        ti = self._principal_of(target)
        kind = "user" if ti < self.n_users else "role"
        decisions: list[Decision] = []
        if t.variant in ("raised", "raised-unbounded"):
            write = (
                _first(access, _WRITE_PRINCIPAL[kind], t.arn)
                or self._group_write(access, ti)
                or self._policy_write(access, ti, False)
            )
            if write is not None:
                decisions.append(write)
        if t.variant in ("unbounded", "raised-unbounded"):
            rm = _first(access, _BOUNDARY[kind], t.arn)
            if rm is not None:
                decisions.append(rm)
        via = None if ti == self._principal_of(source) else self.explain(source, ti)
        hop = self._combine(access, s, t, decisions[0] if decisions else None, via)
        if len(decisions) > 1:
            extra = _text(access, [decisions[1]])
            hop = Hop(s, t, hop.method, (*hop.decisions, decisions[1]), f"{hop.how} + {extra}")
        return hop

    def _combine(
        self, access: Access, s: Node, t: Node, write: Decision | None, via: Hop | None
    ) -> Hop:
        ds = (write,) if write is not None else ()
        text = _text(access, ds, t.arn) if ds else "a policy write"
        method = _METHOD_OF.get(ds[0].action.lower(), "modify") if ds else "modify"
        if via is None:
            return Hop(s, t, method, ds, f"{text} on itself")
        return Hop(s, t, f"{method}+{via.method}", (*ds, *via.decisions), f"{text}, then {via.how}")

    def _group_write(self, access: Access, ti: int) -> Decision | None:
        for gi in _set_bits(self.member_of[ti]):
            found = _first(access, _WRITE_GROUP, self.groups[gi].arn)
            if found is not None:
                return found
        return None

    def _policy_write(self, access: Access, holder: int, group: bool) -> Decision | None:
        table = self.policy_group_holders if group else self.policy_holders
        for xi, parn in enumerate(self.policy_universe.arns):
            if (table[xi] >> holder) & 1:
                found = _first(access, _WRITE_POLICY, parn)
                if found is not None:
                    return found
        return None

    def _explain_become(self, source: int, target: int) -> Hop:
        s, t = self.node(source), self.node(target)
        access = self.access(source)
        assert access is not None
        entity = self.entities[target]
        if isinstance(entity, User):
            for m in _CREDENTIALS:
                d = allows(access, m.actions[0][0], t.arn)
                if not d.allowed:
                    continue
                if (self.refused[m.id] >> target) & 1:
                    unlock = _UNLOCKS.get(m.id)
                    first = allows(access, unlock, t.arn) if unlock else None
                    if first is not None and first.allowed:
                        why = f" ({_REFUSAL[m.id]}: {unlock} first)"
                        return self._hop(access, s, t, m.id, (first, d), why)
                    continue
                note = ""
                if (self.no_row >> target) & 1:
                    what = "access keys" if m.id == "create-access-key" else "password"
                    note = f" (its {what} not known: no credential report row)"
                return self._hop(access, s, t, m.id, (d,), note)
        ri = target - self.n_users
        if ri >= 0:
            found = self._admit(ri, access.who.arn)
            if found is not None and not found.needs_identity_permission:
                trust = f"trust {found.statement} {found.why}"
                return Hop(s, t, "assume-role", (), f"sts:AssumeRole ({trust})")
            d = allows(access, "sts:AssumeRole", t.arn)
            if found is not None and d.allowed and d.grant is not None:
                cond = " [conditioned]" if d.conditioned else ""
                trust = f"trust {found.statement} {found.why}"
                how = f"sts:AssumeRole ({access.label(d.grant)}; {trust}){cond}"
                return Hop(s, t, "assume-role", (d,), how)
            d = allows(access, "iam:UpdateAssumeRolePolicy", t.arn)
            if d.allowed and not (self.linked_roles >> ri) & 1:
                return self._hop(access, s, t, "update-assume-role-policy", (d,))
            for m in _PASS:
                if (self.service_roles.get(m.service, 0) >> ri) & 1 and self._satisfied(source, m):
                    d = allows(access, "iam:PassRole", t.arn)
                    if d.allowed:
                        ds = (d, *self._method_decisions(source, m))
                        return self._hop(access, s, t, m.id, ds)
            for m in _EXISTING:
                if (self.service_roles.get(m.service, 0) >> ri) & 1 and self._satisfied(source, m):
                    return self._hop(
                        access,
                        s,
                        t,
                        m.id,
                        self._method_decisions(source, m),
                        f" on a resource that runs as it ({m.service})",
                    )
        raise LookupError(f"no edge from {s.name} to {t.name}")

    def _method_decisions(self, source: int, m: Method) -> tuple[Decision, ...]:
        out = []
        for group in m.actions:
            for a in group:
                d = self.holds(source, a)
                if d.allowed:
                    out.append(d)
                    break
        return tuple(out)

    def _hop(
        self,
        access: Access,
        s: Node,
        t: Node,
        method: str,
        ds: Sequence[Decision],
        suffix: str = "",
    ) -> Hop:
        return Hop(s, t, method, tuple(ds), _text(access, ds, t.arn) + suffix)
