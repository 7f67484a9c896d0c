"""What a request carries that iamgate can know: who signs it, and what the step asked fixes.

A condition is decided when the value of each of its keys is known
(:mod:`.condition_keys`: the caller's, the edge's, the target's); everything else is the
request's, and a clause on it stays undecided (an ``Allow`` then grants, a ``Deny`` removes
nothing). Two sources of values:

- :class:`Identity`, the principal evaluated: its ARN, type, name, account, organization and
  tags (:meth:`Identity.caller`);
- :class:`Known`, given by whoever asks :func:`.evaluate.allows`: the edge's and the target's
  keys (``iam:PassedToService``, ``aws:ResourceTag/team``...). Empty by default: unknown.

:func:`specialize` reads a policy for one principal once: a statement whose condition fails for
it is dropped, and the clauses that hold for it are removed, so that everything that evaluates
statements without a request (the escalation graph's bitsets, "every action on every resource")
sees the same policy :func:`.evaluate.allows` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final, Literal

from iamgate.policy import condition_keys
from iamgate.policy.conditions import (
    ALWAYS,
    UNKNOWN,
    Lookup,
    Truth,
    Unknown,
    Values,
    decide,
)
from iamgate.policy.document import Policy, Statement

Kind = Literal["user", "role"]
Tags = tuple[tuple[str, str], ...]  # (key lower-cased, value): IAM tag keys ignore case
_PRINCIPAL_TAG = "aws:principaltag/"


def tags_of(pairs: Iterable[tuple[str, str]]) -> Tags:
    """A user's or role's tags as the evaluator reads them: keys lower-cased, since "tag key
    values for IAM users and roles are not case sensitive"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html) and neither are condition
    key names."""
    return tuple(sorted((key.lower(), value) for key, value in pairs))


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the policies are evaluated for: what policy variables and caller keys resolve to.

    ``own_values``: every request the principal signs carries its own ARN, type, name and
    tags. False for a placeholder (a group's member, a managed policy's holder) and for a user
    that may call ``sts:GetFederationToken``: its federated sessions are evaluated with its
    policies but with aws:PrincipalType ``FederatedUser``, another ARN and session tags of the
    caller's choice (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html).
    """

    arn: str
    kind: Kind
    name: str
    account: str
    tags: Tags | None = None  # None: not known (not collected, or session tags may override)
    org: str | None = None  # the account's organization; None: in none (when org_known)
    org_known: bool = False
    unique_id: str | None = None  # a user's AIDA... id; None: not collected
    own_values: bool = True

    def caller(self, key: str) -> Values | Unknown:
        """The value of a caller key (lower-cased) in a request this principal signs."""
        if key == "aws:principalaccount":
            return (self.account,)
        if key == "aws:principalorgid":
            if not self.org_known:
                return UNKNOWN
            return (self.org,) if self.org else None
        if key == "aws:principalorgpaths":  # the path is not collected: known only when absent
            return None if self.org_known and not self.org else UNKNOWN
        if key == "aws:principalisawsservice":
            return ("false",)
        if key in ("aws:principalservicename", "aws:principalservicenameslist"):
            return None
        if not self.own_values:
            return UNKNOWN
        user = self.kind == "user"
        if key == "aws:principaltype":
            return ("User",) if user else ("AssumedRole",)
        if key == "aws:principalarn":
            return (self.arn,)
        if key == "aws:username":
            return (self.name,) if user else None
        if key == "aws:userid":  # a role's is role-id:session-name, the session's choice
            return (self.unique_id,) if user and self.unique_id else UNKNOWN
        if key.startswith(_PRINCIPAL_TAG):
            if self.tags is None:
                return UNKNOWN
            wanted = key[len(_PRINCIPAL_TAG) :]
            return next(((v,) for k, v in self.tags if k == wanted), None)
        return UNKNOWN

    def variable(self, key: str) -> tuple[Literal["known", "absent", "unknown"], str]:
        """("known", value) | ("absent", "") | ("unknown", "") for a policy variable in a
        Resource entry. ``${aws:username}`` of a placeholder member is the member itself (a
        name no real user has)."""
        k = key.lower()
        if k == "aws:username":
            return ("known", self.name) if self.kind == "user" else ("absent", "")
        if k == "aws:principalaccount":
            return "known", self.account
        if k == "aws:principalarn":
            return "known", self.arn
        if k == "aws:principaltype":
            return "known", "User" if self.kind == "user" else "AssumedRole"
        found = self.caller(k)
        if isinstance(found, Unknown) or (found is not None and len(found) != 1):
            return "unknown", ""
        return ("absent", "") if found is None else ("known", found[0])


def _check_keys(keys: Iterable[str]) -> None:
    for key in keys:
        if not condition_keys.decidable(key + "x" if key.endswith("/") else key):
            raise ValueError(f"{key} is a key of the request: its value is never known")


@dataclass(frozen=True, slots=True, eq=False)
class Known:
    """Values of edge and target condition keys known for one request; any other key is
    unknown. ``values``: key -> its values (None: known to be absent). ``complete``: key
    families (``aws:ResourceTag/``) whose every key not in ``values`` is known to be absent
    (the target's tags were all given). A key of the request (MFA, source IP...) is refused:
    the table says it is never known."""

    values: Mapping[str, Values] = field(default_factory=dict)
    complete: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_keys(self.values)
        _check_keys(self.complete)
        lowered = {key.lower(): value for key, value in self.values.items()}
        object.__setattr__(self, "values", MappingProxyType(lowered))
        object.__setattr__(self, "complete", tuple(f.lower() for f in self.complete))

    def __bool__(self) -> bool:
        return bool(self.values or self.complete)

    def get(self, key: str) -> Values | Unknown:
        """The value of a (lower-cased) key, None when absent, UNKNOWN when not given."""
        if key in self.values:
            return self.values[key]
        if any(key.startswith(family) for family in self.complete):
            return None
        return UNKNOWN

    def merged(self, other: Known) -> Known:
        """Both sets of values (``other`` wins on a key both give)."""
        return Known({**self.values, **other.values}, (*self.complete, *other.complete))

    @classmethod
    def target(
        cls, account: str, tags: Iterable[tuple[str, str]] | None, org: str | None = None
    ) -> Known:
        """The keys of a user or role acted on: its account (and organization, when given),
        and its tags under both ``aws:ResourceTag/`` and ``iam:ResourceTag/`` (all of them:
        a tag it lacks is absent). ``tags`` None: not known."""
        values: dict[str, Values] = {"aws:ResourceAccount": (account,)}
        if org is not None:
            values["aws:ResourceOrgID"] = (org,) if org else None
        families: tuple[str, ...] = ()
        if tags is not None:
            families = ("aws:ResourceTag/", "iam:ResourceTag/")
            for key, value in tags_of(tags):
                for family in families:
                    values[family + key] = (value,)
        return cls(values, families)


NOTHING: Final = Known()


def lookup(who: Identity | None, known: Known = NOTHING) -> Lookup:
    """The value of each key for one request: ``known`` first, then the caller's."""

    def get(key: str) -> Values | Unknown:
        found = known.get(key) if known else UNKNOWN
        if isinstance(found, Unknown) and who is not None:
            return who.caller(key)
        return found

    return get


def truth(st: Statement, who: Identity | None, known: Known = NOTHING) -> Truth:
    """The statement's Condition block for a request of ``who`` with ``known`` values."""
    if not st.clauses:
        return ALWAYS if not st.conditioned else Truth(None)
    if not st.decidable:
        return Truth(None, st.clauses)
    if known:
        return decide(st.clauses, lookup(who, known), st.variables)
    cache: dict[Identity | None, Truth] = st.truths
    found = cache.get(who)
    if found is None:
        found = cache[who] = decide(st.clauses, lookup(who), st.variables)
    return found


def condition_text(keys: Iterable[str]) -> str:
    """``conditioned on aws:MultiFactorAuthPresent, aws:SourceIp`` (each key once)."""
    return "conditioned on " + ", ".join(dict.fromkeys(keys))


# --- a policy as it reads for one principal -----------------------------------------------------


def _narrowed(st: Statement, found: Truth) -> Statement:
    """The statement without the clauses that hold (their keys recorded in ``met``)."""
    keys = tuple(sorted({c.key_lower for c in found.undecided}))
    met = (*st.met, *dict.fromkeys(c.key for c in found.met))
    return replace(st, clauses=found.undecided, condition_keys=keys, met=met)


Reading = tuple[tuple[int, bool | None, tuple[int, ...]], ...]


def specialize(
    policy: Policy, who: Identity, cache: dict[tuple[str, Reading], Policy] | None = None
) -> Policy:
    """The policy as it reads for ``who`` (see the module docstring); the same object when no
    condition of it is decided for ``who``. ``cache``: shared by principals that read the
    policy alike (most holders of a managed policy do)."""
    if not policy.decidable:
        return policy
    truths = [(i, truth(policy.statements[i], who)) for i in policy.decidable]
    decided = [(i, t) for i, t in truths if t.holds is False or t.met]
    if not decided:
        return policy
    key = (
        policy.id,
        tuple(
            (i, t.holds, tuple(policy.statements[i].clauses.index(c) for c in t.undecided))
            for i, t in decided
        ),
    )
    found = cache.get(key) if cache is not None else None
    if found is None:
        by_index = dict(decided)
        kept: list[Statement] = []
        for i, st in enumerate(policy.statements):
            reading = by_index.get(i)
            if reading is None:
                kept.append(st)
            elif reading.holds is not False:
                kept.append(_narrowed(st, reading))
        found = Policy(policy.id, tuple(kept), policy.kind)
        if cache is not None:
            cache[key] = found
    return found
