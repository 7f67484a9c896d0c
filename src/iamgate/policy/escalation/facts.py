"""What each node may do: its access, its administrator verdict, the catalogue actions it
holds, and the resources an action is allowed on (vectorised over a :class:`Universe`).

Everything here is :func:`iamgate.policy.evaluate.allows` / ``allows_any`` and
:func:`iamgate.policy.admin.admin`, asked once and shared: per policy, the resources each
catalogue action is allowed and denied on are worked out once for every holder of the policy;
only statements with policy variables are redone per principal, and what they add is small
(:mod:`.targets`). A property test holds :meth:`Facts.allowed` equal to ``allows``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from iamgate.policy import condition_keys
from iamgate.policy.admin import AdminVerdict, admin
from iamgate.policy.catalogue import IAM_WRITE, METHODS, Method, of_kind
from iamgate.policy.conditions import UNKNOWN, Unknown, Values, decide
from iamgate.policy.document import Policy, Statement, allow_all_policy
from iamgate.policy.escalation.admission import caller_name
from iamgate.policy.escalation.edge_keys import NO_BOUNDARY
from iamgate.policy.escalation.index import AccountIndex
from iamgate.policy.escalation.nodes import RAISED, UNBOUNDED, Variant
from iamgate.policy.escalation.preconditions import UNLOCKS
from iamgate.policy.escalation.targets import EMPTY, Targets
from iamgate.policy.escalation.universe import Universe
from iamgate.policy.evaluate import Access, Attachment, Decision, Identity, Known, allows_any
from iamgate.policy.request import NOTHING
from iamgate.policy.wildcard import has_wildcard

# Every action the graph asks (lower-cased): a policy that covers none of them adds no edge.
CATALOGUE = frozenset(
    {a.lower() for m in METHODS for group in m.actions for a in group}
    | {"iam:passrole"}
    | {a.lower() for a in IAM_WRITE}
    | {a.lower() for a in UNLOCKS.values()}
)
_CATALOGUE_ACTIONS = tuple(sorted(CATALOGUE))
_IAM_WRITE_LOWER = tuple(a.lower() for a in IAM_WRITE)
# Each row's steps, lower-cased: all-of groups of any-of actions.
STEPS = {m.id: tuple(tuple(a.lower() for a in group) for group in m.actions) for m in METHODS}
_SERVICE_ROWS = of_kind("pass", "existing", "new")
# What a node may do to users that it asks of its own user too (writes and boundaries).
_OWN_WRITES = frozenset(
    m.actions[0][0].lower() for m in of_kind("modify", "boundary") if m.target == "user"
)
_EDGE_ORIGINS = (condition_keys.Origin.EDGE, condition_keys.Origin.TARGET)
_TOUCHES = "escalation:touches"  # Policy.memo keys
_MENTIONS = "escalation:mentions"
_TAILS = "escalation:tails"


@dataclass(frozen=True, slots=True)
class _Shared:
    """One action over some policies and a universe: what the statements without variables
    allow (minus what they deny), what they deny, the statements with variables, and those
    of them that can name only the principal itself (:func:`own_user_only`)."""

    net: Targets
    deny: Targets
    variable: tuple[Statement, ...]
    own: tuple[Statement, ...]
    keyed: tuple[Statement, ...] = ()  # conditioned on the edge's or the target's keys


def edge_keyed(st: Statement) -> bool:
    """Whether a clause of the statement is on a key the edge or its target fixes: its answer
    then differs by target and by edge (:meth:`Facts.allowed` reads it per target)."""
    return any(condition_keys.origin(k) in _EDGE_ORIGINS for k in st.condition_keys)


def _lookup(edge: Known, target: Known) -> Callable[[str], Values | Unknown]:
    def get(key: str) -> Values | Unknown:
        found = edge.get(key) if edge else UNKNOWN
        return target.get(key) if isinstance(found, Unknown) else found

    return get


# (relevant policies, the group each comes through, mentions, shared key, personal?)
_Shape = tuple[tuple[Policy, ...], tuple[str, ...], frozenset[str], tuple[object, ...], bool]


@dataclass(slots=True)  # not frozen: one is made per node, and frozen ones are slow to make
class View:
    """What the rules read of one node, worked out once."""

    index: int
    variant: Variant
    position: int
    access: Access
    relevant: tuple[Policy, ...]  # its policies that cover some catalogue action
    mentions: frozenset[str]  # the catalogue actions some Allow of them covers
    # What its shared edges depend on (those policies, its boundary, its kind), and what the
    # text of its explanations does (also through which group each policy comes); None when
    # they depend on who it is.
    shared: tuple[object, ...] | None
    labels: tuple[object, ...] | None


# ``arn:<partition>:iam::<account or *>:user/${aws:username}``: AWS's own pattern for "manage
# your own credentials" (IAM user names are unique in an account, whatever their path).
_OWN_USER = re.compile(r"arn:([a-z0-9-]+):iam::(\*|[0-9]{12}):user/\$\{aws:username\}")


def own_user_only(st: Statement) -> bool:
    """Whether every Resource of the statement is its principal's own user ARN: for a user
    without a path it names that user and nothing else; for anyone else, nothing (a role has no
    ``aws:username``, and a user name is unique in the account)."""
    return (
        st.variables
        and not st.not_resource
        and all(_OWN_USER.fullmatch(r) is not None for r in st.resources)
    )


def _own_arn(who: Identity, st: Statement) -> bool:
    """Whether each Resource of an :func:`own_user_only` statement resolves to ``who``'s own
    ARN (then "others than itself" excludes it: :func:`iamgate.policy.evaluate.allows_any`),
    or to nothing (a role)."""
    if who.kind != "user":
        return True
    for resource in st.resources:
        found = _OWN_USER.fullmatch(resource)
        assert found is not None
        partition, account = found.groups()
        if account not in ("*", who.account):
            return False
        if who.arn != f"arn:{partition}:iam::{who.account}:user/{who.name}":
            return False
    return True


def touches(policy: Policy) -> frozenset[str]:
    """The catalogue actions some statement (Allow or Deny) of the policy covers."""
    found: frozenset[str] | None = policy.memo.get(_TOUCHES)
    if found is None:
        found = policy.memo[_TOUCHES] = frozenset(
            a for a in _CATALOGUE_ACTIONS if policy.statements_for(a)
        )
    return found


def policy_mentions(policy: Policy) -> frozenset[str]:
    """The catalogue actions some Allow of the policy covers."""
    found: frozenset[str] | None = policy.memo.get(_MENTIONS)
    if found is None:
        found = policy.memo[_MENTIONS] = frozenset(
            a for a in touches(policy) if policy.allows_some(a)
        )
    return found


def _names_itself(access: Access, policies: Sequence[Policy]) -> bool:
    """Whether some statement names the principal (or a group of it) literally: only then can
    "not itself" change an IAM answer (see :func:`iamgate.policy.evaluate.allows_any`)."""
    own: set[str] | None = None
    for policy in policies:
        tails: frozenset[str] | None = policy.memo.get(_TAILS)
        if tails is None:
            # A tail with a variable names no one literally (IAM names hold no "$").
            tails = policy.memo[_TAILS] = frozenset(
                tail
                for st in policy.statements
                for g in st.resources
                if not has_wildcard(tail := g.split(":", 5)[-1]) and "${" not in tail
            )
        if tails:
            if own is None:
                own = {a.split(":", 5)[-1] for a in (access.who.arn, *access.groups)}
            if own & tails:
                return True
    return False


def _only_own(who: Identity, policies: Sequence[Policy], low: str) -> bool:
    """Whether every Allow of ``low`` in ``policies`` names only ``who``'s own user: then it
    holds the IAM action over no one else (the common "own credentials" policy, asked of every
    user: answered here without resolving its variables per user)."""
    allows_ = [st for p in policies for st in p.statements_for(low) if st.effect == "Allow"]
    return all(own_user_only(st) and _own_arn(who, st) for st in allows_)


class Facts:
    """Per node: access, verdict, held actions; per policy: allowed resources. Memoised."""

    def __init__(self, index: AccountIndex) -> None:
        self.index = index
        self.space = index.space
        self._access: dict[int, Access | None] = {}
        self._verdict: dict[int, AdminVerdict] = {}
        self._can: dict[tuple[int, str, Known], bool] = {}
        self._wmask: dict[int, int] = {}
        self._any: dict[object, Decision] = {}
        self._one: dict[tuple[int, str], Decision] = {}
        self._shared: dict[tuple[object, ...], _Shared] = {}
        self._steps: dict[tuple[int, str], Known | None] = {}
        self._keyed: dict[tuple[object, ...], tuple[Statement, Targets, Targets]] = {}
        # Keyed by the ids of the shared parts, which the value keeps alive.
        self._both: dict[tuple[int, ...], tuple[tuple[_Shared, ...], Targets]] = {}
        self._rows: dict[frozenset[str], tuple[Method, ...]] = {}
        self._expand: dict[tuple[str, Targets], Targets] = {}
        self._algebra: dict[tuple[str, Targets, Targets], Targets] = {}
        self._per_caller: dict[tuple[Targets, str, str], Targets] = {}
        self._personal: dict[tuple[object, ...], bool] = {}
        self._views: dict[int, View | None] = {}
        self._shapes: dict[tuple[object, ...], _Shape] = {}
        self._principals = index.n_users + index.n_roles
        self._mentions_of: dict[tuple[int, ...], frozenset[str]] = {}

    # --- the node's access and verdict ------------------------------------------------------

    def access(self, index: int) -> Access | None:
        """The node's access; None when the snapshot lacks a policy it needs."""
        if index < self._principals:  # a principal as is: its own access (most questions)
            return self.index.base[index]
        if index not in self._access:
            self._access[index] = self._make_access(index)
        return self._access[index]

    def _make_access(self, index: int) -> Access | None:
        variant, position = self.space.locate(index)
        if variant is Variant.NEW:
            account = self.index.account
            arn = f"arn:{self.index.partition}:iam::{account}:role/(new principal)"
            # A new role is bound like any other, but its creator picks its name and tags: a
            # condition on them is not decided (an SCP that spares role/admin-* spares it too).
            who = Identity(arn, "role", "(new principal)", account, own_values=False)
            scps = self.index.principals.scps_for(who)
            return Access(who, (Attachment(allow_all_policy(), arn),), scps=scps)
        if variant in (Variant.GROUP, Variant.GROUP_RAISED):
            found = self.index.group_base[position]
        else:
            found = self.index.base[position]
        if found is None:
            return None
        if variant in UNBOUNDED:
            found = found.without((), True)
        if variant in RAISED:
            found = found.with_policy(allow_all_policy())
        return found

    def is_unknown(self, index: int) -> bool:
        return self.access(index) is None

    def verdict(self, index: int) -> AdminVerdict:
        found = self._verdict.get(index)
        if found is None:
            access = self.access(index)
            # A principal as is needs no search for its variant (most nodes).
            variant, position = (
                (Variant.AS_IS, index) if index < self._principals else self.space.locate(index)
            )
            if access is None:
                found = AdminVerdict(False, "access unknown")
            elif variant in (Variant.AS_IS, Variant.GROUP):  # shared with the admin checks
                entity = (
                    self.index.groups[position]
                    if variant is Variant.GROUP
                    else self.index.entities[position]
                )
                found = self.index.principals.verdict(entity) or AdminVerdict(
                    False, "access unknown"
                )
            else:
                found = admin(access)
            self._verdict[index] = found
        return found

    # --- the catalogue actions it holds -----------------------------------------------------

    def view(self, index: int) -> View | None:
        """The node as the rules see it; None when its access is unknown."""
        found = self._views.get(index)
        if found is None and index not in self._views:
            found = self._views[index] = self._make_view(index)
        return found

    def _make_view(self, index: int) -> View | None:
        access = self.access(index)
        if access is None:
            return None
        if index < self._principals:  # as is: most nodes, no search for the variant
            variant, position = Variant.AS_IS, index
        else:
            variant, position = self.space.locate(index)
        # Group members share their groups' attachments (the same objects): what the view
        # reads of them is worked out once per combination.
        signature = (
            tuple(map(id, access.attachments)),
            id(access.boundary),
            access.who.kind,
            id(access.scps),
        )
        shape = self._shapes.get(signature)
        if shape is None:
            shape = self._shapes[signature] = self._shape(access)
        relevant, via, mentions, key, personal = shape
        if personal or _names_itself(access, relevant):
            return View(index, variant, position, access, relevant, mentions, None, None)
        return View(index, variant, position, access, relevant, mentions, key, (key, via))

    def _shape(self, access: Access) -> _Shape:
        """What a view reads of a node's attachments (see :meth:`_make_view`)."""
        relevant: list[Policy] = []
        via: list[str] = []
        groups = access.groups
        for att in access.attachments:
            policy = att.policy
            found = policy.memo.get(_TOUCHES)
            if found is None:
                found = touches(policy)
            if found:
                relevant.append(policy)
                via.append(att.via if att.via in groups else "")
        kept = tuple(relevant)
        ids = tuple(map(id, kept))
        mentions = self._mentions_of.get(ids)
        if mentions is None:
            mentions = frozenset().union(*(policy_mentions(p) for p in kept))
            self._mentions_of[ids] = mentions
        key = (ids, id(access.boundary), access.who.kind, id(access.scps))
        personal = self._personal.get(key)
        if personal is None:
            personal = self._personal[key] = self._reads_who(kept, access, mentions)
        return kept, tuple(via), mentions, key, personal

    def mentions(self, index: int) -> frozenset[str]:
        """The catalogue actions some Allow of the node's policies covers (a cheap filter)."""
        found = self.view(index)
        return found.mentions if found is not None else frozenset()

    def _reads_who(
        self, relevant: tuple[Policy, ...], access: Access, mentions: frozenset[str]
    ) -> bool:
        """Whether a statement with a policy variable can make this node's edges differ from
        those of another node with the same policies: one that is not its own user ARN, or
        one that is, for an action its edges ask of its own user."""
        asked = {a for m in self.rows(mentions) for group in STEPS[m.id] for a in group}
        asked |= _OWN_WRITES
        boundary = (access.boundary,) if access.boundary is not None else ()
        scps = tuple(p for level in access.scps for p in level)
        for policy in (*relevant, *boundary, *scps):
            if not policy.has_variables:
                continue
            for action in touches(policy):
                for st in policy.statements_for(action):
                    if st.has_variables and (not own_user_only(st) or action in asked):
                        return True
        return False

    def holds(self, index: int, action: str, edge: Known = NOTHING) -> Decision:
        """:func:`iamgate.policy.evaluate.allows_any` for a node, over others than itself for
        IAM actions, shared by nodes whose policies decide the same; ``edge``: the values the
        step fixes (a new principal's boundary)."""
        view = self.view(index)
        low = action.lower()
        if view is None:
            return Decision(False, action, "*")
        access = view.access
        relevant = tuple(p for p in view.relevant if low in touches(p))
        if not relevant:
            return Decision(False, action, "*")
        iam = low.startswith("iam:")
        personal = (
            any(p.has_variables for p in relevant)
            or (access.boundary is not None and access.boundary.has_variables)
            or any(p.has_variables for level in access.scps for p in level)
            or (iam and _names_itself(access, relevant))
        )
        key = (
            tuple(id(p) for p in relevant),
            id(access.boundary),
            id(access.scps),
            access.who.kind,
            (access.who.arn, access.groups) if personal else None,
            low,
            edge,
        )
        found = self._any.get(key)
        if found is None:
            if iam and _only_own(access.who, relevant, low):
                found = Decision(False, action, "*")  # what allows_any finds, without asking
            elif (
                not personal
                and not edge
                and (combined := self._combined(access, relevant, action, low))
            ):
                found = combined
            else:
                own = frozenset({access.who.arn, *access.groups}) if iam else frozenset()
                found = allows_any(access, action, own, edge)
            self._any[key] = found
        return found if found.action == action else dataclasses.replace(found, action=action)

    def _combined(
        self, access: Access, relevant: tuple[Policy, ...], action: str, low: str
    ) -> Decision | None:
        """``allows_any`` over several policies from each one's own answer (worked out once
        per policy, not once per combination), when nothing can take one policy's grant away:
        no boundary and no unconditioned Deny. Its grant is the first unconditioned one in
        policy order, else the first, as ``allows_any`` picks it. None: ask ``allows_any``."""
        if access.boundary is not None or access.scps or len(relevant) < 2:
            return None
        for policy in relevant:
            if any(st.effect == "Deny" and not st.conditioned for st in policy.statements_for(low)):
                return None
        allowed = [d for p in relevant if (d := self._policy_any(p, action, low, access)).allowed]
        if not allowed:
            return Decision(False, action, "*")
        return next((d for d in allowed if d.grant and not d.grant.conditioned), allowed[0])

    def _policy_any(self, policy: Policy, action: str, low: str, access: Access) -> Decision:
        """``allows_any`` of one policy alone, for a principal it does not name and whose
        variables it holds none of (the same answer for every such principal)."""
        key = (id(policy), low)
        found = self._one.get(key)
        if found is None:
            alone = Access(access.who, (Attachment(policy, access.who.arn),))
            found = self._one[key] = allows_any(alone, action)
        return found

    def can(self, index: int, action: str, edge: Known = NOTHING) -> bool:
        """``holds(...).allowed``, memoised per node (``action`` lower-cased)."""
        key = (index, action, edge)
        found = self._can.get(key)
        if found is None:
            found = self._can[key] = self.holds(index, action, edge).allowed
        return found

    def write_mask(self, index: int) -> int:
        """Bits of :data:`iamgate.policy.catalogue.IAM_WRITE` the node holds over others."""
        found = self._wmask.get(index)
        if found is None:
            mentions = self.mentions(index)
            found = 0
            for i, action in enumerate(_IAM_WRITE_LOWER):
                if action in mentions and self.can(index, action):
                    found |= 1 << i
            self._wmask[index] = found
        return found

    def rows(self, mentions: frozenset[str]) -> tuple[Method, ...]:
        """The service rows (pass, existing, new) whose every step some Allow mentions."""
        found = self._rows.get(mentions)
        if found is None:
            found = self._rows[mentions] = tuple(
                m
                for m in _SERVICE_ROWS
                if all(any(a in mentions for a in group) for group in STEPS[m.id])
            )
        return found

    def satisfied(self, index: int, method: Method) -> bool:
        """Whether the node holds every step of a service row (on some resource)."""
        mentions = self.mentions(index)
        if method not in self.rows(mentions):
            return False  # cheap: some step is not even mentioned by its policies
        return self._step_edge(index, method) is not None

    def _step_edge(self, index: int, method: Method) -> Known | None:
        """The edge values with which the node holds every step of a service row; None when
        it does not. A new principal is made without a boundary, or with one that lifts it
        (the same for every step: :mod:`.edge_keys`); the others fix nothing. Memoised."""
        key = (index, method.id)
        if key in self._steps:
            return self._steps[key]
        found = self._steps[key] = self._find_step_edge(index, method)
        return found

    def _find_step_edge(self, index: int, method: Method) -> Known | None:
        mentions = self.mentions(index)
        edges: tuple[Known, ...] = (NOTHING,)
        if method.kind == "new":
            edges = (NO_BOUNDARY,)
            if self._reads_edge(index, STEPS[method.id]):
                edges += self.index.lifting_boundaries
        for edge in edges:
            if all(
                any(a in mentions and self.can(index, a, edge) for a in group)
                for group in STEPS[method.id]
            ):
                return edge
        return None

    def _reads_edge(self, index: int, steps: tuple[tuple[str, ...], ...]) -> bool:
        """Whether a statement of the node's about one of ``steps`` reads an edge key."""
        view = self.view(index)
        if view is None:
            return False
        boundary = (view.access.boundary,) if view.access.boundary is not None else ()
        return any(
            st.conditioned and edge_keyed(st)
            for policy in (*view.relevant, *boundary)
            for group in steps
            for action in group
            for st in policy.statements_for(action)
        )

    def method_decisions(self, index: int, method: Method) -> tuple[Decision, ...]:
        """For each step of a row, the first of its actions the node holds."""
        edge = self._step_edge(index, method) or NOTHING
        out = []
        for group in method.actions:
            for action in group:
                d = self.holds(index, action, edge)
                if d.allowed:
                    out.append(d)
                    break
        return tuple(out)

    # --- vectorised allows ------------------------------------------------------------------

    def allowed(
        self,
        access: Access,
        action: str,
        universe: Universe,
        itself: bool = True,
        edge: Known = NOTHING,
    ) -> Targets:
        """The resources ``r`` of ``universe`` on which ``allows(access, action, r,
        known=edge + r's target keys).allowed``; with ``itself=False``, the answer for the
        principal itself may be wrong (for edges to principals, which never count their own:
        then "own user" statements are not resolved per principal)."""
        low = action.lower()
        who = access.who
        ident = self._over(tuple(access.policies()), low, universe)
        bounds = ((access.boundary,),) if access.boundary is not None else ()
        if not bounds and not access.scps:
            return self._resolve(ident, who, universe, itself, edge)
        # The boundary and each SCP level bound alike: intersect what each allows.
        parts = (ident, *(self._over(b, low, universe) for b in (*bounds, *access.scps)))
        personal = any(p.variable or p.keyed or (itself and p.own) for p in parts)
        if not personal:  # all shared: intersect them once
            key = tuple(map(id, parts))
            both = self._both.get(key)
            if both is None:
                net = parts[0].net
                for part in parts[1:]:
                    net = net & part.net
                both = self._both[key] = (parts, net)
            return both[1]
        found = self._resolve(ident, who, universe, itself, edge)
        for part in parts[1:]:
            if not found:
                break
            found = found & self._resolve(part, who, universe, itself, edge)
        return found

    def keyed(self, access: Access, action: str, universe: Universe) -> bool:
        """Whether some statement of ``action`` (in the policies, the boundary or an SCP)
        reads an edge's or target's key: only then do the edge's values change
        :meth:`allowed`'s answer."""
        low = action.lower()
        bounds = ((access.boundary,),) if access.boundary is not None else ()
        return any(
            self._over(policies, low, universe).keyed
            for policies in (tuple(access.policies()), *bounds, *access.scps)
        )

    def _over(self, policies: tuple[Policy, ...], low: str, universe: Universe) -> _Shared:
        if low in CATALOGUE:  # touches() knows only the catalogue's actions
            policies = tuple(p for p in policies if low in touches(p))
        key = (tuple(id(p) for p in policies), low, id(universe))
        found = self._shared.get(key)
        if found is None:
            allow = deny = EMPTY
            variable: list[Statement] = []
            own: list[Statement] = []
            keyed: list[Statement] = []
            users = universe is self.index.users
            for policy in policies:
                for st in policy.statements_for(low):
                    if st.conditioned and edge_keyed(st):
                        keyed.append(st)
                    elif st.has_variables and own_user_only(st):
                        if users:  # it can name no role, group or policy
                            own.append(st)
                    elif st.has_variables:
                        variable.append(st)
                    elif st.effect == "Allow":
                        allow = allow | universe.statement(st, None)
                    elif not st.conditioned:
                        deny = deny | universe.statement(st, None)
            found = _Shared(allow - deny, deny, tuple(variable), tuple(own), tuple(keyed))
            self._shared[key] = found
        return found

    def _resolve(
        self, shared: _Shared, who: Identity, universe: Universe, itself: bool, edge: Known
    ) -> Targets:
        """The shared part with one principal's variable statements, and the statements on
        edge or target keys, resolved: (A | Av) - (D | Dv) = ((A - D) - Dv) | (Av - D - Dv)."""
        variable = (*shared.variable, *shared.own) if itself else shared.variable
        if not variable and not shared.keyed:
            return shared.net
        more = less = EMPTY
        for st in variable:
            found = universe.statement(st, who)
            if st.effect == "Allow":
                more = more | found
            elif not st.conditioned:
                less = less | found
        for st in shared.keyed:
            _st, may, sure = self._per_target(st, who, universe, edge)
            if st.effect == "Allow":
                more = more | may  # an undecided condition grants
            else:
                less = less | sure  # only a Deny whose condition holds removes
        return (shared.net - less) | (more - shared.deny - less)

    def _per_target(
        self, st: Statement, who: Identity, universe: Universe, edge: Known
    ) -> tuple[Statement, Targets, Targets]:
        """(the statement, the resources it may apply to, those it surely applies to), its
        Condition read with each resource's target keys and the edge's values. The caller's
        own keys were decided when its policies were read for it (``request.specialize``)."""
        reader = who if st.has_variables else None
        key = (id(st), id(universe), edge, reader)
        found = self._keyed.get(key)
        if found is None:
            may: list[int] = []
            sure: list[int] = []
            for position in universe.statement(st, reader):
                truth = decide(st.clauses, _lookup(edge, universe.known(position)), st.variables)
                if truth.holds is not False:
                    may.append(position)
                    if truth.holds:
                        sure.append(position)
            found = self._keyed[key] = (st, Targets.of(may), Targets.of(sure))
        return found

    def expanded(self, what: str, chosen: Targets, table: list[Targets]) -> Targets:
        """The union of ``table[i]`` for ``i`` in ``chosen`` (memoised: the same sets recur)."""
        if not chosen:
            return EMPTY
        key = (what, chosen)
        found = self._expand.get(key)
        if found is None:
            bits = 0
            extra: set[int] = set()
            for i in chosen:
                bits |= table[i].bits
                extra.update(table[i].extra)
            found = self._expand[key] = Targets(bits) | Targets.of(extra)
        return found

    # --- set algebra on shared sets, memoised -----------------------------------------------

    def intersect(self, a: Targets, b: Targets) -> Targets:
        """``a & b``; remembered when both are bitsets (shared sets meet again and again)."""
        if not a or not b:
            return EMPTY
        if not (a.bits and b.bits):
            return a & b  # a small set: cheaper to do than to look up
        key = ("&", a, b)
        found = self._algebra.get(key)
        if found is None:
            found = self._algebra[key] = a & b
        return found

    def difference(self, a: Targets, b: Targets) -> Targets:
        """``a - b``; remembered when both are bitsets."""
        if not a or not b:
            return a
        if not (a.bits and b.bits):
            return a - b
        key = ("-", a, b)
        found = self._algebra.get(key)
        if found is None:
            found = self._algebra[key] = a - b
        return found

    # --- who may assume which role ----------------------------------------------------------

    def delegated(self, permitted: Targets) -> Targets:
        """The roles among ``permitted`` whose trust delegates to the account."""
        return self.intersect(permitted, self.index.delegates)

    def carried_among(self, passable: Targets, service: str) -> Targets:
        """The roles among ``passable`` that ``service`` can carry."""
        return self.intersect(passable, self.index.service_roles[service])

    def per_caller_admitted(self, permitted: Targets, who: Identity) -> Targets:
        """The roles among ``permitted`` whose trust has conditions (or a Deny) and admits a
        caller of ``who``'s kind that it does not name: one answer per kind of caller."""
        among = self.intersect(permitted, self.index.per_caller_shared)
        if not among:
            return EMPTY
        key = (among, who.kind, who.account)
        found = self._per_caller.get(key)
        if found is None:
            # Not a real name (IAM names hold no parentheses): no trust names it.
            anyone = f"arn:{self.index.partition}:iam::{who.account}:{who.kind}/(anyone)"
            found = self._per_caller[key] = Targets.of(
                r for r in among if self.index.admit(r, anyone) is not None
            )
        return found

    def per_caller_corrections(
        self, permitted: Targets, who: Identity, named: Sequence[int]
    ) -> tuple[list[int], list[int]]:
        """(roles to add to, roles to take from) :meth:`per_caller_admitted` for ``who``
        itself: those whose trust holds its name, and those that read who the caller is.
        Roles that name it exactly are left to the caller (``named``)."""
        add: list[int] = []
        drop: list[int] = []
        index = self.index
        _kind, name = caller_name(who.arn)
        skip = set(named)
        holding = index.named_in.get(name, ())
        shared = self.per_caller_admitted(permitted, who) if holding else EMPTY
        for r in holding:
            if r in skip or r not in permitted:
                continue
            own = index.admit(r, who.arn) is not None
            if own and r not in shared:
                add.append(r)
            elif not own and r in shared:
                drop.append(r)
        for r in self.intersect(permitted, index.per_caller_personal):
            if r not in skip and index.admit(r, who.arn) is not None:
                add.append(r)
        return add, drop
