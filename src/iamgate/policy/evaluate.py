"""May this principal perform action A on resource R? Identity-policy evaluation as AWS does it.

Semantics (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
docs/checks.md has the details and links):

- an explicit Deny that applies wins; otherwise an Allow must cover the action *and* the
  resource; with a permissions boundary the boundary must allow it too (intersection), and a
  Deny in the boundary denies as well;
- ``NotAction``/``NotResource`` are complements of their lists, in Allow and in Deny alike;
- a ``Condition`` is decided where the values of its keys are known (:mod:`.request`: the
  principal's own keys, and the edge's and target's keys the caller passes in a
  :class:`~.request.Known`); its clauses are AND, so one that fails makes the statement not
  apply, in an Allow and in a Deny alike. Where a key is the request's (MFA, source IP, time...)
  or not known, a conditioned Deny removes nothing (the decision lists it as ``unsure``) and a
  conditioned Allow still grants, and the decision is ``conditioned`` on those keys. Session
  policies are not collected;
- inside an AWS Organization, each SCP level over the principal (``Access.scps``,
  :mod:`.organization`) bounds like a boundary: some SCP of every level must allow, and a Deny
  in any denies (``Decision.scp_blocks`` names the level that allows nothing);
- actions match case-insensitively, ARNs case-sensitively, ``*`` in an ARN stays in its segment
  unless it ends one (:mod:`.wildcard`);
- policy variables (``Version: 2012-10-17`` only) are resolved for the principal being judged.
  A variable with no value for it (``${aws:username}`` for a role) makes that Resource entry
  match nothing, as AWS does, unless a default ``${key, 'value'}`` is given. A variable whose
  value is not in the snapshot (``${aws:userid}``, ``${aws:PrincipalTag/x}``, any other key)
  is resolved so that an Allow applies *more* and a Deny *less*, and the decision is marked
  ``conditioned``: for a gate, a false failure is reviewable and a false pass is not.

:func:`allows` is the one decision; :func:`allows_any` asks it of "some resource";
:mod:`.graph` runs the same per-statement primitive (:func:`resource_globs`) over many ARNs at
once, and a property test holds the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from iamgate.policy.conditions import ALWAYS, Truth
from iamgate.policy.document import EVERY_RESOURCE, Policy, Statement
from iamgate.policy.request import NOTHING, condition_text, truth

# Re-exported: who is evaluated, and what else is known of the request.
from iamgate.policy.request import Identity as Identity
from iamgate.policy.request import Kind as Kind
from iamgate.policy.request import Known as Known
from iamgate.policy.wildcard import (
    LITERAL_QMARK,
    LITERAL_STAR,
    Glob,
    compile_glob,
    covers_resource,
    has_wildcard,
    literal_prefix,
    may_overlap,
)

# The user name of "a member of a group" when a group is judged: IAM names cannot hold
# parentheses, so it names no real user, and ``${aws:username}`` resolves to the member itself.
MEMBER = "(member)"


def member_of(group_arn: str, account: str) -> Identity:
    """ "Some member of the group": a user whose name matches no real user."""
    partition = group_arn.split(":", 2)[1]
    arn = f"arn:{partition}:iam::{account}:user/{MEMBER}"
    return Identity(arn, "user", MEMBER, account, own_values=False)


# --- resources, with policy variables -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """A statement's Resource/NotResource entries for one principal."""

    globs: tuple[str, ...]
    guessed: tuple[bool, ...]  # per glob: it holds an unknown value, widened to "*"
    dropped_unknown: bool  # an entry with an unknown value was dropped
    # Compiled on first use: most resolved globs (one per user for ${aws:username}) are only
    # ever matched as bitsets by the graph, which compiles them itself.
    _compiled: list[tuple[Glob, ...]] = field(default_factory=list, repr=False)

    def hit(self, resource: str) -> tuple[bool, bool]:
        """(some glob matches, every matching glob is a guess)."""
        if not self._compiled:
            self._compiled.append(tuple(compile_glob(g, "resource") for g in self.globs))
        sure = guess = False
        for g, guessed in zip(self._compiled[0], self.guessed, strict=True):
            if g.matches_lowered(resource):
                if not guessed:
                    sure = True
                    break
                guess = True
        return sure or guess, guess and not sure


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": LITERAL_STAR, "?": LITERAL_QMARK, "$": "$"}


def resolve(pattern: str, who: Identity | None, widen: bool) -> tuple[str | None, bool]:
    """A Resource entry with its policy variables substituted for ``who``.

    Returns (the glob, or None when the entry matches nothing; whether a value was unknown).
    ``widen``: an unknown value becomes ``*`` (the entry matches more); otherwise the entry is
    dropped (it matches nothing). A key with no value and no default drops the entry.
    """
    assumed = False
    dropped = False

    def sub(m: re.Match[str]) -> str:
        nonlocal assumed, dropped
        body = str(m.group(1)).strip()
        if body in _ESCAPES:
            return _ESCAPES[body]
        key, comma, default = body.partition(",")
        status, value = ("unknown", "") if who is None else who.variable(key.strip())
        if status == "known":
            return value.replace("*", LITERAL_STAR).replace("?", LITERAL_QMARK)
        if status == "absent" and comma:
            return default.strip().strip("'")
        if status == "unknown":
            assumed = True
            if widen:
                return "*"
        dropped = True
        return ""

    out = _VARIABLE.sub(sub, pattern)
    return (None if dropped else out), assumed


def resource_globs(st: Statement, who: Identity | None) -> Resolved:
    """The statement's Resource/NotResource globs for ``who`` (cached per statement).

    Polarity: an Allow should apply more and a Deny less; for NotResource (an exclusion list)
    that means the opposite widening.
    """
    cache: dict[Identity | None, Resolved] = st.resolved
    key = who if st.has_variables else None
    found = cache.get(key)
    if found is not None:
        return found
    if not st.has_variables:
        found = Resolved(st.resources, (False,) * len(st.resources), False)
    else:
        widen = (st.effect == "Allow") != st.not_resource
        globs: list[str] = []
        guessed: list[bool] = []
        dropped = False
        for pattern in st.resources:
            glob, guess = resolve(pattern, who, widen) if "${" in pattern else (pattern, False)
            if glob is None:
                dropped |= guess
            else:
                globs.append(glob)
                guessed.append(guess)
        found = Resolved(tuple(globs), tuple(guessed), dropped)
    cache[key] = found
    return found


def resource_applies(st: Statement, resource: str, who: Identity | None) -> tuple[bool, bool]:
    """(the statement applies to ``resource``, the answer rests on an unknown variable value).

    A guess only ever makes an Allow apply more and a Deny apply less.
    """
    r = resource_globs(st, who)
    hit, guess = r.hit(resource)
    if st.not_resource:
        return (not hit), (not hit) and r.dropped_unknown
    return hit, guess


def is_universal(globs: Iterable[str]) -> bool:
    # Only a glob whose literal prefix is a prefix of "arn:" can cover every ARN: a cheap test
    # that spares compiling the many that cannot (a user's own ARN, resolved per user).
    return any(
        EVERY_RESOURCE.startswith(literal_prefix(g)) and covers_resource(g, EVERY_RESOURCE)
        for g in globs
    )


def applies_everywhere(st: Statement, who: Identity | None) -> bool:
    """Whether the statement applies to every resource, for ``who``."""
    if not st.has_variables:
        return st.universal
    globs = resource_globs(st, who).globs
    return (not globs) if st.not_resource else is_universal(globs)


# --- access and decisions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attachment:
    policy: Policy
    via: str  # ARN of the entity it is attached to: the principal itself, or one of its groups


@dataclass(frozen=True, slots=True)
class Access:
    """Everything that decides what one principal may do."""

    who: Identity
    attachments: tuple[Attachment, ...]
    boundary: Policy | None = None
    groups: tuple[str, ...] = ()  # ARNs of the groups a user belongs to
    # The organization's SCPs over the principal, level by level from the root (each level's
    # policies read for it): every level must allow, none deny (:mod:`.organization`). Empty:
    # no SCP applies (not read, the management account, a service-linked role).
    scps: tuple[tuple[Policy, ...], ...] = ()

    def policies(self) -> Iterator[Policy]:
        for att in self.attachments:
            yield att.policy

    def broad_statements(self) -> list[Statement]:
        """The statements "every action on every resource" depends on (``Policy.broad``)."""
        return [st for att in self.attachments for st in att.policy.broad]

    def with_policy(self, policy: Policy) -> Access:
        """The principal with one more policy attached to itself."""
        more = (*self.attachments, Attachment(policy, self.who.arn))
        return Access(self.who, more, self.boundary, self.groups, self.scps)

    def label(self, st: Statement) -> str:
        """The statement's label, with the group it comes through (``(via group ops)``)."""
        via = next((a.via for a in self.attachments if a.policy.id == st.policy), self.who.arn)
        if via in self.groups and not st.policy.startswith(via):  # an inline id names it
            return f"{st.label} (via group {via.rsplit('/', 1)[-1]})"
        return st.label

    def without(self, removed: Iterable[Attachment], boundary: bool) -> Access:
        """The principal without some attachments (and without its boundary if ``boundary``)."""
        gone = {id(a) for a in removed}
        kept = tuple(a for a in self.attachments if id(a) not in gone)
        bound = None if boundary else self.boundary
        return Access(self.who, kept, bound, self.groups, self.scps)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    action: str
    resource: str
    grant: Statement | None = None  # the identity Allow that grants it
    boundary_grant: Statement | None = None  # the boundary Allow that lets it through
    denied_by: Statement | None = None  # the Deny that removed it (its condition holds)
    conditioned: bool = False  # the grant rests on a Condition or an unknown variable value
    unsure: tuple[Statement, ...] = ()  # Denies whose condition may hold (remove nothing)
    boundary_blocks: bool = False  # the identity policies allow it, the boundary does not
    conditions: tuple[str, ...] = ()  # the keys of the grant's undecided clauses, as written
    met: tuple[str, ...] = ()  # the keys decided true in the grant's (or the Deny's) Condition
    # The identity policies (and boundary) allow it, but no SCP attached at this level does
    # (the level's label, e.g. ``ou-ab12-prod1234``).
    scp_blocks: str = ""

    @property
    def why(self) -> str:
        on = "" if self.resource == "*" else f" on {self.resource}"
        held = f" (its condition on {', '.join(self.met)} holds)" if self.met else ""
        if self.denied_by is not None:
            return f"{self.action}{on} is denied by {self.denied_by.label}{held}"
        if self.boundary_blocks:
            return f"{self.action}{on} is outside the permissions boundary"
        if self.scp_blocks:
            return f"{self.action}{on} is allowed by no SCP attached at {self.scp_blocks}"
        if self.grant is None:
            return f"no statement allows {self.action}{on}"
        cond = ""
        if self.conditioned:
            cond = f" ({condition_text(self.conditions)})" if self.conditions else " (conditioned)"
        return f"{self.action}{on} is allowed by {self.grant.label}{cond or held}"


@dataclass(frozen=True, slots=True)
class _Reading:
    """What some policies say of one action on one resource."""

    grant: Statement | None = None  # an unconditioned grant is preferred, for the message
    conditioned: bool = True  # read only with a grant
    keys: tuple[str, ...] = ()  # the grant's undecided condition keys
    met: tuple[str, ...] = ()  # the grant's decided ones
    deny: Statement | None = None  # a Deny that applies and whose condition holds
    deny_met: tuple[str, ...] = ()
    unsure: tuple[Statement, ...] = ()  # Denies whose condition may hold


def _met(st: Statement, found: Truth) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*st.met, *(c.key for c in found.met))))


def _read(
    policies: Iterable[Policy], action: str, resource: str, who: Identity, known: Known
) -> _Reading:
    grant: Statement | None = None
    cond = True
    keys: tuple[str, ...] = ()
    met: tuple[str, ...] = ()
    unsure: list[Statement] = []
    for policy in policies:
        for st in policy.statements_for(action):
            applies, assumed = resource_applies(st, resource, who)
            if not applies:
                continue
            found = truth(st, who, known) if st.condition_keys else ALWAYS
            if found.holds is False:
                continue  # a clause that fails: the statement does not apply, Allow or Deny
            is_cond = found.holds is None or assumed
            if st.effect == "Deny":
                if not is_cond:
                    denied = _met(st, found)
                    return _Reading(grant, cond, keys, met, st, denied, tuple(unsure))
                unsure.append(st)
            elif grant is None or (cond and not is_cond):
                grant, cond = st, is_cond
                keys, met = tuple(c.key for c in found.undecided), _met(st, found)
    return _Reading(grant, cond, keys, met, unsure=tuple(unsure))


def level_label(level: tuple[Policy, ...]) -> str:
    """The level an SCP level's policies are attached at (their ids end ``(label)``)."""
    return level[0].id.rsplit(" (", 1)[-1].rstrip(")") if level else "a level"


def allows(access: Access, action: str, resource: str, known: Known = NOTHING) -> Decision:
    """May the principal perform ``action`` on ``resource`` (an ARN)?

    ``known``: the values of edge and target condition keys for this request (the service a
    role is passed to, the target's tags...); any key it does not give is unknown. The
    identity policies must allow it, and then the boundary and every SCP level too."""
    who = access.who
    mine = _read(access.policies(), action, resource, who, known)
    if mine.deny is not None:
        return Decision(
            False, action, resource, mine.grant, None, mine.deny, unsure=mine.unsure,
            met=mine.deny_met,
        )  # fmt: skip
    if mine.grant is None:
        return Decision(False, action, resource, unsure=mine.unsure)
    cond = mine.conditioned
    keys = mine.keys if mine.conditioned else ()
    unsure = mine.unsure
    boundary_grant: Statement | None = None
    bounds = ((access.boundary,),) if access.boundary is not None else ()
    for i, level in enumerate((*bounds, *access.scps)):
        bound = _read(level, action, resource, who, known)
        unsure = (*unsure, *bound.unsure)
        if bound.deny is not None:
            return Decision(
                False, action, resource, mine.grant, None, bound.deny, unsure=unsure,
                met=bound.deny_met,
            )  # fmt: skip
        if bound.grant is None:
            is_boundary = i < len(bounds)
            return Decision(
                False, action, resource, mine.grant, unsure=unsure, boundary_blocks=is_boundary,
                scp_blocks="" if is_boundary else level_label(level),
            )  # fmt: skip
        if i < len(bounds):
            boundary_grant = bound.grant
        if bound.conditioned:
            cond, keys = True, (*keys, *bound.keys)
    return Decision(
        True, action, resource, mine.grant, boundary_grant, None, cond, unsure,
        conditions=tuple(dict.fromkeys(keys)) if cond else (), met=mine.met,
    )  # fmt: skip


# --- "on some resource" ---------------------------------------------------------------------


def _deny_covers(deny: Statement, allow: Statement, who: Identity | None) -> bool:
    """Whether an unconditional Deny applies to every resource that ``allow`` applies to."""
    d_globs = resource_globs(deny, who).globs
    a_globs = resource_globs(allow, who).globs
    if deny.not_resource:  # denies all but d_globs: covers the allow if it avoids them all
        if allow.not_resource:
            return not d_globs
        return all(not may_overlap(a, d, "resource") for a in a_globs for d in d_globs)
    if is_universal(d_globs):
        return True
    if allow.not_resource:
        return False
    return all(any(covers_resource(d, a) for d in d_globs) for a in a_globs)


@lru_cache(maxsize=65536)
def _iam_literal(glob: str) -> tuple[str, str, str] | None:
    """(``arn:<partition>:iam:<region>``, account glob, resource part) of an IAM ARN glob whose
    resource part has no wildcard; None for anything else."""
    parts = glob.split(":", 5)
    if len(parts) < 6 or parts[2] != "iam" or has_wildcard(parts[5]):
        return None
    return ":".join(parts[:4]), parts[4], parts[5]


def _only(glob: str, exclude: frozenset[str], who: Identity | None) -> bool:
    """Whether ``glob`` names nothing but excluded ARNs. An IAM resource of another account is
    out of reach of an identity policy, so a wildcard account segment counts as one's own."""
    if glob in exclude:
        return True
    found = _iam_literal(glob)
    if who is None or found is None:
        return False
    head, account, tail = found
    if not compile_glob(account, "resource").matches(who.account):
        return False
    return f"{head}:{who.account}:{tail}" in exclude


def _surviving_allows(
    policies: Iterable[Policy],
    action: str,
    who: Identity | None,
    exclude: frozenset[str],
    known: Known,
) -> list[tuple[Statement, Truth]]:
    allow: list[tuple[Statement, Truth]] = []
    deny: list[Statement] = []
    for policy in policies:
        for st in policy.statements_for(action):
            globs = resource_globs(st, who).globs
            if not (globs or st.not_resource):
                continue  # every entry resolved to nothing
            found = truth(st, who, known) if st.condition_keys else ALWAYS
            if found.holds is False:
                continue
            if st.effect == "Deny":
                if found.holds:
                    deny.append(st)
            elif st.not_resource or not all(_only(g, exclude, who) for g in globs):
                allow.append((st, found))
    return [(a, t) for a, t in allow if not any(_deny_covers(d, a, who) for d in deny)]


def _guessed(st: Statement, who: Identity | None) -> bool:
    r = resource_globs(st, who)
    return any(r.guessed) or r.dropped_unknown


def _conditioned(st: Statement, found: Truth, who: Identity | None) -> bool:
    return found.holds is None or _guessed(st, who)


def _keys(found: Truth) -> tuple[str, ...]:
    return tuple(c.key for c in found.undecided)


def _may_meet(a: Statement, b: Statement, who: Identity | None) -> bool:
    if a.not_resource or b.not_resource:
        return True
    ag = resource_globs(a, who).globs
    bg = resource_globs(b, who).globs
    return any(may_overlap(x, y, "resource") for x in ag for y in bg)


def allows_any(
    access: Access, action: str, exclude: frozenset[str] = frozenset(), known: Known = NOTHING
) -> Decision:
    """May the principal perform ``action`` on *some* resource?

    ``exclude``: literal ARNs that do not count (the principal itself and its groups, when the
    question is whether it holds an IAM write over *others*). A Deny removes an Allow only when
    it covers every resource the Allow names; the boundary, and each SCP level, must allow the
    action on a resource that may overlap the identity grant (:func:`.wildcard.may_overlap`,
    which errs towards yes; each level is met on its own, which errs towards yes too).
    ``known``: as for :func:`allows`.
    """
    who = access.who
    grants = _surviving_allows(access.policies(), action, who, exclude, known)
    if not grants:
        return Decision(False, action, "*")
    grant, found = next(((g, t) for g, t in grants if not _conditioned(g, t, who)), grants[0])
    if access.boundary is None and not access.scps:
        cond = _conditioned(grant, found, who)
        keys = _keys(found) if cond else ()
        return Decision(
            True, action, "*", grant, conditioned=cond, conditions=keys, met=_met(grant, found)
        )
    bounds = ((access.boundary,),) if access.boundary is not None else ()
    levels = [
        _surviving_allows(level, action, who, exclude, known) for level in (*bounds, *access.scps)
    ]
    for g, g_found in grants:
        met = [next((b for b in level if _may_meet(g, b[0], who)), None) for level in levels]
        if all(m is not None for m in met):
            chosen = [(g, g_found), *(m for m in met if m is not None)]
            conds = [_conditioned(st, t, who) for st, t in chosen]
            keys = tuple(
                k for (_st, t), c in zip(chosen, conds, strict=True) if c for k in _keys(t)
            )
            b_grant = chosen[1][0] if bounds else None
            return Decision(
                True, action, "*", g, b_grant, conditioned=any(conds),
                conditions=tuple(dict.fromkeys(keys)), met=_met(g, g_found),
            )  # fmt: skip
    # No grant meets every level: name the first level the preferred grant does not meet.
    blocked = next(i for i, level in enumerate(levels) if not _meets(grant, level, who))
    if blocked < len(bounds):
        return Decision(False, action, "*", grant, boundary_blocks=True)
    return Decision(
        False, action, "*", grant, scp_blocks=level_label(access.scps[blocked - len(bounds)])
    )


def _meets(grant: Statement, level: list[tuple[Statement, Truth]], who: Identity) -> bool:
    return any(_may_meet(grant, b, who) for b, _t in level)
