"""One rule per edge kind of the catalogue: where its edges go (``targets``, sets shared
between principals) beside why (``explain``, the hop text from
:func:`iamgate.policy.evaluate.allows`), so that the two cannot drift; a test holds every
rule's targets to its explanations.

A rule's targets are :class:`Part`\\ s: a set of positions and the variant of node they stand
for. Parts are shared by every node whose policies give the same answer (the roles a policy
lets one pass, the roles a service can carry), so a node's edges cost what it adds, not the
size of the account. The node's edges are the union of its parts, less itself and (for a
variant) the principal it is a variant of.

Rules run in :data:`RULES` order; ``modify`` reads the principals and groups the earlier rules
reach (writing a role's policy is useless without a way to act as the role). An edge is
explained by the first rule, in that order, that explains it: the order the graph has always
used, so messages stay the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from iamgate.policy.catalogue import EdgeKind, Method, of_kind, writes
from iamgate.policy.document import short_name
from iamgate.policy.escalation.edge_keys import ATTACH_ACTIONS, PUT_BOUNDARY_ACTIONS, passed_to
from iamgate.policy.escalation.facts import Facts, View
from iamgate.policy.escalation.nodes import OF_GROUPS, OF_PRINCIPALS, Node, Variant
from iamgate.policy.escalation.preconditions import UNLOCKS
from iamgate.policy.escalation.targets import EMPTY, Targets
from iamgate.policy.evaluate import Access, Decision, Known, allows
from iamgate.policy.request import NOTHING

_CREDENTIALS = of_kind("credentials")
_PASS = of_kind("pass")
_EXISTING = of_kind("existing")
_NEW = of_kind("new")
_WRITE = {"user": writes("modify", "user"), "role": writes("modify", "role")}
_WRITE_GROUP = writes("modify", "group")
_WRITE_POLICY = writes("modify", "policy")
_BOUNDARY = {"user": writes("boundary", "user"), "role": writes("boundary", "role")}
_WRITE_ACTIONS = frozenset(
    a.lower() for m in of_kind("modify", "boundary") for group in m.actions for a in group
)
_METHOD_OF = {m.actions[0][0].lower(): m.id for m in of_kind("modify", "boundary")}
# A node that mentions none of these, and whose name no trust holds, has no edges of its own.
PERSONAL_ACTIONS = _WRITE_ACTIONS | {"sts:assumerole"}
_RAISED_PRINCIPAL = (Variant.RAISED, Variant.UNBOUNDED, Variant.RAISED_UNBOUNDED)


@dataclass(frozen=True, slots=True)
class Part:
    """Some of a node's edges: positions (principals or groups) of one variant."""

    variant: Variant
    targets: Targets


@dataclass(frozen=True, slots=True)
class Hop:
    source: Node
    target: Node
    method: str  # catalogue id(s), "+"-joined when a hop needs two rows
    decisions: tuple[Decision, ...]
    how: str  # e.g. "iam:PassRole + lambda:CreateFunction (statement 'Deploy' of policy/x)"


class Scope:
    """One node whose edges are found or explained: what the rules ask about it."""

    def __init__(self, facts: Facts, view: View) -> None:
        self.facts = facts
        self.account = facts.index
        self.view = view
        self.index = view.index
        self.access: Access = view.access
        self.principal = view.position if view.variant in OF_PRINCIPALS else -1
        self.group = view.position if view.variant in OF_GROUPS else -1
        self.mentions = view.mentions
        self.drop = EMPTY  # roles the shared assume part counts that do not admit this node
        self._writable: Writable | None = None
        self._node: Node | None = None

    @property
    def node(self) -> Node:
        if self._node is None:
            self._node = self.facts.space.node(self.index)
        return self._node

    def writable(self) -> Writable:
        if self._writable is None:
            self._writable = writable(self)
        return self._writable

    def edges(self, action: str) -> tuple[Known, ...]:
        """The edge values ``action`` is asked with (:mod:`.edge_keys`): an attach, with each
        policy that could lift its target; a boundary put, with each as the new boundary; any
        other, none of its own."""
        low = action.lower()
        if low in ATTACH_ACTIONS:
            return self.account.lifting_attaches
        if low in PUT_BOUNDARY_ACTIONS:
            return self.account.lifting_boundaries
        return (NOTHING,)

    def ask(self, action: str, arn: str, edge: Known | None = None) -> Decision:
        """``allows`` on ``arn`` with its target keys and the edge's (the first alternative
        allowed, else the last refusal)."""
        found = Decision(False, action, arn)
        for value in (edge,) if edge is not None else self.edges(action):
            found = allows(self.access, action, arn, self.account.known(arn, value))
            if found.allowed:
                break
        return found

    def allowed(
        self, action: str, universe_of: str, itself: bool = True, edge: Known | None = None
    ) -> Targets:
        """Where the node may perform ``action`` (if some Allow mentions it at all), each
        target with its keys and the edge's (:meth:`edges` unless ``edge`` is given);
        ``itself=False`` when the answer for the principal itself does not matter."""
        if action.lower() not in self.mentions:
            return EMPTY
        account = self.account
        universe = {
            "user": account.users,
            "role": account.roles,
            "group": account.group_universe,
            "policy": account.policy_universe,
        }[universe_of]
        edges = (edge,) if edge is not None else self.edges(action)
        if len(edges) > 1 and not self.facts.keyed(self.access, action, universe):
            edges = edges[:1]  # no statement reads the edge's values: one answer for all
        found: Targets | None = None
        for value in edges:
            one = self.facts.allowed(self.access, action, universe, itself, value)
            found = one if found is None or found is one else found | one
        assert found is not None
        return found

    def any_allowed(self, actions: Sequence[str], universe_of: str) -> Targets:
        found = EMPTY
        for action in actions:
            found = found | self.allowed(action, universe_of)
        return found

    def satisfied(self, method: Method) -> bool:
        return self.facts.satisfied(self.index, method)

    def hop(self, target: Node, method: str, ds: Sequence[Decision], suffix: str = "") -> Hop:
        return Hop(
            self.node, target, method, tuple(ds), _text(self.access, ds, target.arn) + suffix
        )


def _first(scope: Scope, actions: Sequence[str], resource: str) -> Decision | None:
    for action in actions:
        d = scope.ask(action, resource)
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


def _is_user(scope: Scope, target: Node) -> bool:
    return scope.account.space.principal(target.index) < scope.account.n_users


def _unmodifiable(scope: Scope, target: Node) -> bool:
    """A service-linked role: AWS lets no one but its service change it."""
    return scope.account.space.principal(target.index) in scope.account.standing.unmodifiable


def _as_is(found: Targets) -> list[Part]:
    return [Part(Variant.AS_IS, found)] if found else []


# --- credentials: an IAM write on a user that yields its credentials --------------------------


def credentials_targets(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    """Users it may get credentials of, where AWS would perform the call
    (:mod:`.preconditions`): on a user AWS refuses, only with the action that clears the way
    (a key deleted, a password removed) on that user too. Two parts, not their union: each
    is a set shared between nodes."""
    parts: list[Part] = []
    facts = scope.facts
    for m in _CREDENTIALS:
        found = scope.allowed(m.actions[0][0], "user", itself=False)
        refused = scope.account.standing.refused.get(m.id, EMPTY)
        blocked = facts.intersect(found, refused)
        if not blocked:
            parts += _as_is(found)
            continue
        parts += _as_is(facts.difference(found, refused))
        unlock = UNLOCKS.get(m.id)
        if unlock is not None:
            parts += _as_is(facts.intersect(blocked, scope.allowed(unlock, "user", itself=False)))
    return parts


def credentials_explain(scope: Scope, target: Node) -> Hop | None:
    if not _is_user(scope, target):
        return None
    standing = scope.account.standing
    user = scope.account.space.principal(target.index)
    for m in _CREDENTIALS:
        d = scope.ask(m.actions[0][0], target.arn)
        if not d.allowed:
            continue
        if user in standing.refused.get(m.id, EMPTY):
            unlock = UNLOCKS.get(m.id)
            first = scope.ask(unlock, target.arn) if unlock is not None else None
            if first is not None and first.allowed:
                why = f" ({standing.refusal(m.id)}: {unlock} first)"
                return scope.hop(target, m.id, (first, d), why)
            continue
        note = standing.unknown_note(m.id) if user in standing.unknown else ""
        return scope.hop(target, m.id, (d,), note)
    return None


# --- assume: sts:AssumeRole on a role whose trust admits the principal ------------------------


def assume_shared(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    """Roles it may assume (``sts:AssumeRole`` of its own) whose trust delegates to the
    account, or whose conditions admit a caller of its kind that they do not name."""
    permitted = scope.allowed("sts:AssumeRole", "role")
    if not permitted:
        return []
    facts = scope.facts
    # Two parts, not their union: each is one shared set (many nodes hold it), a union would
    # be a new set per profile, each looked at again.
    delegated = facts.delegated(permitted)
    admitted = facts.per_caller_admitted(permitted, scope.access.who)
    return _as_is(delegated - scope.drop) + _as_is(admitted - scope.drop)


def assume_personal(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    """Roles whose trust names the principal (admitted on their own, or with sts:AssumeRole
    of its own), and the answers of trusts that hold its name or read who the caller is.
    Sets ``scope.drop`` to the roles :func:`assume_shared` counted that do not admit it."""
    account, facts = scope.account, scope.facts
    arn = scope.access.who.arn
    named = account.named.get(scope.principal, []) if scope.principal >= 0 else []
    free: list[int] = []
    needing: list[int] = []
    for role in named:
        found = account.admit(role, arn, share=False)  # it names this caller
        if found is not None:
            (needing if found.needs_identity_permission else free).append(role)
    permitted = scope.allowed("sts:AssumeRole", "role")
    parts = _as_is(Targets.of(free)) if free else []
    if not permitted:
        return parts
    if needing:
        parts += _as_is(Targets.of(r for r in needing if r in permitted))
    add, drop = facts.per_caller_corrections(permitted, scope.access.who, named)
    admitted = {*free, *needing}
    unadmitted = [r for r in named if r not in admitted]
    if unadmitted:  # most principals are named by no trust: the shared sets are not asked
        delegated = facts.delegated(permitted)
        shared = facts.per_caller_admitted(permitted, scope.access.who)
        drop += [r for r in unadmitted if r in delegated or r in shared]
    if drop:
        scope.drop = Targets.of(drop)
    return parts + _as_is(Targets.of(add)) if add else parts


def assume_explain(scope: Scope, target: Node) -> Hop | None:
    role = scope.account.space.principal(target.index)
    if role < scope.account.n_users:
        return None
    found = scope.account.admit(role, scope.access.who.arn)
    if found is None:
        return None
    if not found.needs_identity_permission:
        trust = f"trust {found.statement} {found.why}"
        return Hop(scope.node, target, "assume-role", (), f"sts:AssumeRole ({trust})")
    d = scope.ask("sts:AssumeRole", target.arn)
    if d.allowed and d.grant is not None:
        cond = " [conditioned]" if d.conditioned else ""
        trust = f"trust {found.statement} {found.why}"
        how = f"sts:AssumeRole ({scope.access.label(d.grant)}; {trust}){cond}"
        return Hop(scope.node, target, "assume-role", (d,), how)
    return None


# --- trust: rewrite a role's trust policy, then assume it --------------------------------------


def trust_targets(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    """Roles whose trust it may rewrite; never a service-linked one (``UnmodifiableEntity``,
    :mod:`.preconditions`)."""
    found = scope.allowed("iam:UpdateAssumeRolePolicy", "role")
    return _as_is(scope.facts.difference(found, scope.account.standing.unmodifiable))


def trust_explain(scope: Scope, target: Node) -> Hop | None:
    if _is_user(scope, target) or _unmodifiable(scope, target):
        return None
    d = scope.ask("iam:UpdateAssumeRolePolicy", target.arn)
    return scope.hop(target, "update-assume-role-policy", (d,)) if d.allowed else None


# --- pass: iam:PassRole to a service that runs code, plus the service's actions ---------------


def pass_targets(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    """Roles it may pass to a service that runs code as them, each asked with
    ``iam:PassedToService`` set to that service."""
    if "iam:passrole" not in scope.mentions:
        return []
    parts: list[Part] = []
    for m in scope.facts.rows(scope.mentions):
        if m.kind == "pass":
            passable = scope.allowed("iam:PassRole", "role", edge=passed_to(m.service))
            found = scope.facts.carried_among(passable, m.service)
            if found and scope.satisfied(m):
                parts.append(Part(Variant.AS_IS, found))
    return parts


def pass_explain(scope: Scope, target: Node) -> Hop | None:
    role = scope.account.space.principal(target.index)
    for m in _PASS:
        if role in scope.account.service_roles[m.service] and scope.satisfied(m):
            d = scope.ask("iam:PassRole", target.arn, passed_to(m.service))
            if d.allowed:
                ds = (d, *scope.facts.method_decisions(scope.index, m))
                return scope.hop(target, m.id, ds)
    return None


# --- existing: run code on compute that carries the role ---------------------------------------


def existing_targets(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    parts: list[Part] = []
    for m in scope.facts.rows(scope.mentions):
        if m.kind == "existing" and scope.satisfied(m):
            parts += _as_is(scope.account.service_roles[m.service])
    return parts


def existing_explain(scope: Scope, target: Node) -> Hop | None:
    role = scope.account.space.principal(target.index)
    for m in _EXISTING:
        if role in scope.account.service_roles[m.service] and scope.satisfied(m):
            ds = scope.facts.method_decisions(scope.index, m)
            return scope.hop(target, m.id, ds, f" on a resource that runs as it ({m.service})")
    return None


# --- join: add oneself to a group ---------------------------------------------------------------


def join_targets(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    if scope.access.who.kind != "user":
        return []
    found = scope.allowed("iam:AddUserToGroup", "group")
    return [Part(Variant.GROUP, found)] if found else []


def join_explain(scope: Scope, target: Node) -> Hop | None:
    if scope.access.who.kind != "user":
        return None
    d = scope.ask("iam:AddUserToGroup", target.arn)
    return scope.hop(target, "add-user-to-group", (d,)) if d.allowed else None


# --- new: create a principal and give it any policy --------------------------------------------


def new_targets(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    for m in scope.facts.rows(scope.mentions):
        if m.kind == "new" and scope.satisfied(m):
            return [Part(Variant.NEW, Targets.of((0,)))]
    return []


def new_explain(scope: Scope, target: Node) -> Hop | None:
    for m in _NEW:
        if scope.satisfied(m):
            return scope.hop(target, m.id, scope.facts.method_decisions(scope.index, m))
    return None


# --- modify and boundary: write the policies (or remove the boundary) of what it can become ----


@dataclass(frozen=True, slots=True)
class Writable:
    """What a node may write: principals' policies (``raised``), groups' policies, and
    principals' boundaries (``unbound``: only those that have one); never a service-linked
    role's (``UnmodifiableEntity``, :mod:`.preconditions`)."""

    raised: Targets
    groups: Targets
    unbound: Targets


def writable(scope: Scope) -> Writable:
    """What the node may write (worked out once per node: :meth:`Scope.writable`)."""
    if not scope.mentions & _WRITE_ACTIONS:
        return Writable(EMPTY, EMPTY, EMPTY)
    account, facts = scope.account, scope.facts
    raised = scope.any_allowed(_WRITE["user"], "user") | scope.any_allowed(_WRITE["role"], "role")
    groups = scope.any_allowed(_WRITE_GROUP, "group")
    policies = scope.any_allowed(_WRITE_POLICY, "policy")
    raised = raised | facts.expanded("members", groups, account.members)
    raised = raised | facts.expanded("holders", policies, account.policy_holders)
    groups = groups | facts.expanded("group-holders", policies, account.policy_group_holders)
    raised = facts.difference(raised, account.standing.unmodifiable)
    unbound = scope.any_allowed(_BOUNDARY["user"], "user") | scope.any_allowed(
        _BOUNDARY["role"], "role"
    )
    return Writable(raised, groups, facts.intersect(unbound, account.removable))


def modify_shared(scope: Scope, earlier: Sequence[Part]) -> list[Part]:
    """The raised, unbounded and raised-unbounded variants of the principals the earlier
    rules reach."""
    return _raised(scope, [p.targets for p in earlier if p.variant is Variant.AS_IS])


def modify_personal(scope: Scope, earlier: Sequence[Part]) -> list[Part]:
    """The same, of the node itself and of what only it reaches."""
    can = scope.writable()
    if not (can.raised or can.unbound):
        return []  # it writes no principal (most nodes): no set of itself is made
    become = [p.targets for p in earlier if p.variant is Variant.AS_IS]
    if scope.principal >= 0:
        become.append(Targets.of((scope.principal,)))
    return _raised(scope, become)


def _raised(scope: Scope, become: Sequence[Targets]) -> list[Part]:
    can = scope.writable()
    if not (can.raised or can.unbound) or not become:
        return []
    facts = scope.facts
    only_raised = facts.difference(can.raised, can.unbound)
    both = facts.intersect(can.raised, can.unbound)
    only_unbound = facts.difference(can.unbound, can.raised)
    parts: list[Part] = []
    for variant, writes_ in zip(_RAISED_PRINCIPAL, (only_raised, only_unbound, both), strict=True):
        for reached in become:
            found = facts.intersect(writes_, reached)
            if found:
                parts.append(Part(variant, found))
    return parts


def modify_explain(scope: Scope, target: Node) -> Hop | None:
    account = scope.account
    victim = account.space.principal(target.index)
    if target.variant not in _RAISED_PRINCIPAL or victim < 0 or _unmodifiable(scope, target):
        return None
    kind = "user" if victim < account.n_users else "role"
    access = scope.access
    write = (
        _first(scope, _WRITE[kind], target.arn)
        or _group_write(scope, victim)
        or _policy_write(scope, victim, False)
    )
    removed = _first(scope, _BOUNDARY[kind], target.arn)
    if removed is not None and victim not in account.removable:
        removed = None  # nothing to remove (or a service-linked role's)
    # The variant the writer reaches: what it may write, and no more (the same as the targets).
    reached = {
        (True, False): Variant.RAISED,
        (False, True): Variant.UNBOUNDED,
        (True, True): Variant.RAISED_UNBOUNDED,
    }.get((write is not None, removed is not None))
    if reached is not target.variant:
        return None
    decisions = [d for d in (write, removed) if d is not None]
    via = None
    if victim != scope.principal:
        via = explain(scope, account.space.node(victim))
        if via is None:
            return None
    hop = _combine(scope, target, decisions[0], via)
    if len(decisions) > 1:
        extra = _text(access, [decisions[1]])
        how = f"{hop.how} + {extra}"
        hop = Hop(scope.node, target, hop.method, (*hop.decisions, decisions[1]), how)
    return hop


def _combine(scope: Scope, target: Node, write: Decision | None, via: Hop | None) -> Hop:
    ds = (write,) if write is not None else ()
    text = _text(scope.access, ds, target.arn) if ds else "a policy write"
    method = _METHOD_OF.get(ds[0].action.lower(), "modify") if ds else "modify"
    if via is None:
        return Hop(scope.node, target, method, ds, f"{text} on itself")
    return Hop(
        scope.node,
        target,
        f"{method}+{via.method}",
        (*ds, *via.decisions),
        f"{text}, then {via.how}",
    )


def _group_write(scope: Scope, victim: int) -> Decision | None:
    for group in scope.account.member_of[victim]:
        found = _first(scope, _WRITE_GROUP, scope.account.groups[group].arn)
        if found is not None:
            return found
    return None


def _policy_write(scope: Scope, holder: int, group: bool) -> Decision | None:
    account = scope.account
    table = account.policy_group_holders if group else account.policy_holders
    for at, policy in enumerate(account.policy_universe.arns):
        if holder in table[at]:
            found = _first(scope, _WRITE_POLICY, policy)
            if found is not None:
                return found
    return None


# --- modify on groups: write the policies of a group it is in or joins -------------------------


def group_modify_shared(scope: Scope, earlier: Sequence[Part]) -> list[Part]:
    """The raised variants of the groups it joins."""
    return _raised_groups(scope, [p.targets for p in earlier if p.variant is Variant.GROUP])


def group_modify_personal(scope: Scope, _earlier: Sequence[Part]) -> list[Part]:
    """The raised variants of the groups it is in (a group node: itself)."""
    if not scope.writable().groups:
        return []  # it writes no group (most nodes): no set of its groups is made
    if scope.principal >= 0:
        member = Targets.of(scope.account.member_of[scope.principal])
    else:
        member = Targets.of((scope.group,)) if scope.group >= 0 else EMPTY
    return _raised_groups(scope, [member])


def _raised_groups(scope: Scope, reached: Sequence[Targets]) -> list[Part]:
    can = scope.writable()
    parts: list[Part] = []
    for found in reached:
        found = scope.facts.intersect(can.groups, found)
        if found:
            parts.append(Part(Variant.GROUP_RAISED, found))
    return parts


def group_modify_explain(scope: Scope, target: Node) -> Hop | None:
    account = scope.account
    group = account.space.group(target.index)
    if target.variant is not Variant.GROUP_RAISED:
        return None
    write = _first(scope, _WRITE_GROUP, target.arn) or _policy_write(scope, group, True)
    if write is None:
        return None
    if scope.principal >= 0:
        in_group = group in account.member_of[scope.principal]
    else:
        in_group = group == scope.group
    via = None
    if not in_group:
        via = explain(scope, account.space.node(account.space.index(Variant.GROUP, group)))
        if via is None:
            return None
    return _combine(scope, target, write, via)


# --- the table ------------------------------------------------------------------------------------

Targeting = Callable[[Scope, Sequence[Part]], list[Part]]
Explaining = Callable[[Scope, Node], Hop | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One edge kind: the variants of node it reaches; its targets, from the node's policies
    (``shared``: the same for every node whose policies give the same answers) and from who
    the node is (``personal``: its name in trusts, itself, its groups); its explanation."""

    kinds: tuple[EdgeKind, ...]
    reaches: frozenset[Variant]
    shared: Targeting
    explain: Explaining
    personal: Targeting | None = None


_AS_IS = frozenset({Variant.AS_IS})
RULES: tuple[Rule, ...] = (
    Rule(("credentials",), _AS_IS, credentials_targets, credentials_explain),
    Rule(("assume",), _AS_IS, assume_shared, assume_explain, assume_personal),
    Rule(("trust",), _AS_IS, trust_targets, trust_explain),
    Rule(("pass",), _AS_IS, pass_targets, pass_explain),
    Rule(("existing",), _AS_IS, existing_targets, existing_explain),
    Rule(("join",), frozenset({Variant.GROUP}), join_targets, join_explain),
    Rule(("new",), frozenset({Variant.NEW}), new_targets, new_explain),
    Rule(
        ("modify", "boundary"),
        frozenset(_RAISED_PRINCIPAL),
        modify_shared,
        modify_explain,
        modify_personal,
    ),
    Rule(
        ("modify",),
        frozenset({Variant.GROUP_RAISED}),
        group_modify_shared,
        group_modify_explain,
        group_modify_personal,
    ),
)


def shared_parts(scope: Scope) -> list[Part]:
    """The edges every node with the node's policies has (each rule's ``shared``)."""
    found: list[Part] = []
    for rule in RULES:
        found += rule.shared(scope, found)
    return found


def personal_parts(scope: Scope) -> list[Part]:
    """The edges that are the node's own (each rule's ``personal``); ``scope.drop`` is set
    when a shared part counts a role that does not admit it."""
    found: list[Part] = []
    for rule in RULES:
        if rule.personal is not None:
            found += rule.personal(scope, found)
    return found


def explain(scope: Scope, target: Node) -> Hop | None:
    """Why the node has an edge to ``target``: the first rule that explains it."""
    for rule in RULES:
        if target.variant in rule.reaches:
            found = rule.explain(scope, target)
            if found is not None:
                return found
    return None
