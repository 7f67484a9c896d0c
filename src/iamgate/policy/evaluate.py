"""May this principal perform action A on resource R? Identity-policy evaluation as AWS does it.

Semantics (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
docs/checks.md has the details and links):

- an explicit Deny that applies wins; otherwise an Allow must cover the action *and* the
  resource; with a permissions boundary the boundary must allow it too (intersection), and a
  Deny in the boundary denies as well;
- ``NotAction``/``NotResource`` are complements of their lists, in Allow and in Deny alike;
- a statement with a ``Condition`` may or may not apply: a conditioned Deny removes nothing
  (the decision lists it as ``unsure``); a conditioned Allow still grants, and the decision is
  ``conditioned``. Conditions are not evaluated (SCPs and session policies are not collected);
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
from typing import Literal

from iamgate.policy.document import EVERY_RESOURCE, Policy, Statement
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

Kind = Literal["user", "role"]
# The user name of "a member of a group" when a group is judged: IAM names cannot hold
# parentheses, so it names no real user, and ``${aws:username}`` resolves to the member itself.
MEMBER = "(member)"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the policies are evaluated for: what the policy variables resolve to."""

    arn: str
    kind: Kind
    name: str
    account: str

    def variable(self, key: str) -> tuple[Literal["known", "absent", "unknown"], str]:
        """("known", value) | ("absent", "") | ("unknown", "") for a variable key."""
        k = key.lower()
        if k == "aws:username":
            return ("known", self.name) if self.kind == "user" else ("absent", "")
        if k == "aws:principalaccount":
            return "known", self.account
        if k == "aws:principalarn":
            return "known", self.arn
        if k == "aws:principaltype":
            return "known", "User" if self.kind == "user" else "AssumedRole"
        # aws:userid (AIDA... / AROA...:<session>), tags, source identity...: not collected.
        return "unknown", ""


def member_of(group_arn: str, account: str) -> Identity:
    """ "Some member of the group": a user whose name matches no real user."""
    partition = group_arn.split(":", 2)[1]
    return Identity(f"arn:{partition}:iam::{account}:user/{MEMBER}", "user", MEMBER, account)


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

    def policies(self) -> Iterator[Policy]:
        for att in self.attachments:
            yield att.policy

    def broad_statements(self) -> list[Statement]:
        """The statements "every action on every resource" depends on (``Policy.broad``)."""
        return [st for att in self.attachments for st in att.policy.broad]

    def with_policy(self, policy: Policy) -> Access:
        """The principal with one more policy attached to itself."""
        more = (*self.attachments, Attachment(policy, self.who.arn))
        return Access(self.who, more, self.boundary, self.groups)

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
        return Access(self.who, kept, None if boundary else self.boundary, self.groups)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    action: str
    resource: str
    grant: Statement | None = None  # the identity Allow that grants it
    boundary_grant: Statement | None = None  # the boundary Allow that lets it through
    denied_by: Statement | None = None  # the unconditional Deny that removed it
    conditioned: bool = False  # the grant rests on a Condition or an unknown variable value
    unsure: tuple[Statement, ...] = ()  # conditioned Denies that may apply (remove nothing)
    boundary_blocks: bool = False  # the identity policies allow it, the boundary does not

    @property
    def why(self) -> str:
        on = "" if self.resource == "*" else f" on {self.resource}"
        if self.denied_by is not None:
            return f"{self.action}{on} is denied by {self.denied_by.label}"
        if self.boundary_blocks:
            return f"{self.action}{on} is outside the permissions boundary"
        if self.grant is None:
            return f"no statement allows {self.action}{on}"
        cond = " (conditioned)" if self.conditioned else ""
        return f"{self.action}{on} is allowed by {self.grant.label}{cond}"


def _first_grant(
    policies: Iterable[Policy], action: str, resource: str, who: Identity
) -> tuple[Statement | None, bool, Statement | None, list[Statement]]:
    """(grant, grant conditioned, unconditional deny, unsure denies) over some policies.

    An unconditioned grant is preferred over a conditioned one, for the message."""
    grant: Statement | None = None
    grant_cond = True
    unsure: list[Statement] = []
    for policy in policies:
        for st in policy.statements_for(action):
            applies, assumed = resource_applies(st, resource, who)
            if not applies:
                continue
            cond = st.conditioned or assumed
            if st.effect == "Deny":
                if not cond:
                    return grant, grant_cond, st, unsure
                unsure.append(st)
            elif grant is None or (grant_cond and not cond):
                grant, grant_cond = st, cond
    return grant, grant_cond, None, unsure


def allows(access: Access, action: str, resource: str) -> Decision:
    """May the principal perform ``action`` on ``resource`` (an ARN)?"""
    who = access.who
    grant, cond, deny, unsure = _first_grant(access.policies(), action, resource, who)
    if deny is not None:
        return Decision(False, action, resource, grant, None, deny, unsure=tuple(unsure))
    if grant is None:
        return Decision(False, action, resource, unsure=tuple(unsure))
    if access.boundary is None:
        return Decision(True, action, resource, grant, None, None, cond, tuple(unsure))
    b_grant, b_cond, b_deny, b_unsure = _first_grant((access.boundary,), action, resource, who)
    unsure += b_unsure
    if b_deny is not None:
        return Decision(False, action, resource, grant, None, b_deny, unsure=tuple(unsure))
    if b_grant is None:
        return Decision(False, action, resource, grant, unsure=tuple(unsure), boundary_blocks=True)
    return Decision(True, action, resource, grant, b_grant, None, cond or b_cond, tuple(unsure))


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
    policies: Iterable[Policy], action: str, who: Identity | None, exclude: frozenset[str]
) -> list[Statement]:
    allow: list[Statement] = []
    deny: list[Statement] = []
    for policy in policies:
        for st in policy.statements_for(action):
            globs = resource_globs(st, who).globs
            if not (globs or st.not_resource):
                continue  # every entry resolved to nothing
            if st.effect == "Deny":
                if not st.conditioned:
                    deny.append(st)
            elif st.not_resource or not all(_only(g, exclude, who) for g in globs):
                allow.append(st)
    return [a for a in allow if not any(_deny_covers(d, a, who) for d in deny)]


def _guessed(st: Statement, who: Identity | None) -> bool:
    r = resource_globs(st, who)
    return any(r.guessed) or r.dropped_unknown


def _may_meet(a: Statement, b: Statement, who: Identity | None) -> bool:
    if a.not_resource or b.not_resource:
        return True
    ag = resource_globs(a, who).globs
    bg = resource_globs(b, who).globs
    return any(may_overlap(x, y, "resource") for x in ag for y in bg)


def allows_any(access: Access, action: str, exclude: frozenset[str] = frozenset()) -> Decision:
    """May the principal perform ``action`` on *some* resource?

    ``exclude``: literal ARNs that do not count (the principal itself and its groups, when the
    question is whether it holds an IAM write over *others*). A Deny removes an Allow only when
    it covers every resource the Allow names; the boundary must allow the action on a resource
    that may overlap the identity grant (:func:`.wildcard.may_overlap`, which errs towards yes).
    """
    who = access.who
    grants = _surviving_allows(access.policies(), action, who, exclude)
    if not grants:
        return Decision(False, action, "*")
    grant = next((g for g in grants if not g.conditioned), grants[0])
    cond = grant.conditioned or _guessed(grant, who)
    if access.boundary is None:
        return Decision(True, action, "*", grant, conditioned=cond)
    for b in _surviving_allows((access.boundary,), action, who, exclude):
        for g in grants:
            if _may_meet(g, b, who):
                b_cond = b.conditioned or _guessed(b, who)
                return Decision(True, action, "*", g, b, conditioned=cond or b_cond)
    return Decision(False, action, "*", grant, boundary_blocks=True)
