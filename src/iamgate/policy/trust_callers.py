"""Can a user or role of the role's own account assume it? The privilege-escalation graph's
question (:meth:`.trust.Assumers.admits`), answered from the trust's statements.

The caller's own keys are supplied (its ARN, type, name, account, organization and, when the
snapshot holds them, its tags and user id: :meth:`.request.Identity.caller`); a condition on any
other key cannot be decided and counts as met in an Allow and as avoidable in a Deny, so
escalation is never under-reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from iamgate.policy.conditions import Clause, Lookup, Unknown, Values, clause_truth
from iamgate.policy.request import Identity
from iamgate.policy.request import Kind as PrincipalKind
from iamgate.policy.trust_context import TrustContext
from iamgate.policy.trust_pins import SOURCE_KEYS, is_claim_key
from iamgate.policy.trust_statements import ASSUME_ROLE, TrustPrincipal, TrustStatement


@dataclass(frozen=True, slots=True)
class Admission:
    """How a principal of the role's own account gets in (:meth:`Assumers.admits`)."""

    needs_identity_permission: bool  # True: its identity policy must allow sts:AssumeRole too
    statement: str  # the Allow statement that lets it in
    why: str


@dataclass(frozen=True, slots=True)
class _Caller:
    """A user or role of the role's own account, as a trust policy sees its AssumeRole call."""

    arn: str  # as given
    account: str
    kind: str  # "user" | "role"
    name: str  # lower-cased (IAM names are unique regardless of case)
    exact_arn: bool  # False for an assumed-role ARN: the role's path is not in it

    @classmethod
    def parse(cls, arn: str) -> _Caller:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
            raise ValueError(f"{arn!r} is not a user or role ARN")
        resource = parts[5]
        if parts[2] == "sts" and resource.startswith("assumed-role/") and resource.count("/") >= 2:
            return cls(arn, parts[4], "role", resource.split("/")[1].lower(), False)
        kind, _, rest = resource.partition("/")
        if parts[2] != "iam" or kind not in ("user", "role") or not rest:
            raise ValueError(f"{arn!r} is not a user or role ARN")
        return cls(arn, parts[4], kind, rest.rsplit("/", 1)[-1].lower(), True)

    def named_by(self, principal: TrustPrincipal) -> bool:
        """Does an ``AWS`` principal ARN name this user or role (or a session of the role)?"""
        if principal.kind != "aws" or principal.account != self.account or principal.arn is None:
            return False
        parts = principal.arn.split(":", 5)
        kind, _, rest = parts[5].partition("/")
        if parts[2] == "sts" and kind == "assumed-role":
            return self.kind == "role" and rest.split("/")[0].lower() == self.name
        return kind == self.kind and rest.rsplit("/", 1)[-1].lower() == self.name

    def identity(self, ctx: TrustContext) -> Identity:
        """The caller's keys: what the snapshot tells of it, else what its ARN does. A user's
        own values hold here even if it may federate: a federated session cannot call STS
        (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html)."""
        found = ctx.callers.get(self.arn)
        if found is not None:
            return found
        name = self.arn.rsplit("/", 1)[-1]
        kind: PrincipalKind = "user" if self.kind == "user" else "role"
        return Identity(
            self.arn,
            kind,
            name,
            self.account,
            org=ctx.org_id,
            org_known=ctx.org_known,
            own_values=self.exact_arn,  # a session ARN hides the role's path
        )

    def context(self, ctx: TrustContext) -> Lookup:
        """The request's keys (lower-cased) -> values; UNKNOWN where the caller may choose."""
        who = self.identity(ctx)

        def value(key: str) -> Values | Unknown:
            if key in SOURCE_KEYS or is_claim_key(key):  # a signed call of a user or role
                return None
            return who.caller(key)

        return value


def _truth(clause: Clause, request: Lookup) -> bool | None:
    """The clause for this request: True, False, or None when it cannot be decided."""
    return clause_truth(clause, request)


def _conditions(clauses: Iterable[Clause], request: Lookup) -> tuple[bool, list[Clause]]:
    """(False if some clause is certainly false, the clauses that cannot be decided)."""
    undecided = []
    for clause in clauses:
        truth = _truth(clause, request)
        if truth is False:
            return False, []
        if truth is None:
            undecided.append(clause)
    return True, undecided


def _allow_match(st: TrustStatement, who: _Caller) -> tuple[bool, str] | None:
    """(needs identity permission, how it matched) for an Allow naming this caller."""
    if st.not_principal:
        if any(p.kind == "any" or _within(who, p) for p in st.principals):
            return None
        return False, "trusts everyone but its NotPrincipal"
    found: tuple[bool, str] | None = None
    for p in st.principals:
        if p.kind == "any":
            return False, f'trusts every principal ("{p.value}")'
        if who.named_by(p):
            return False, f"names {p.value}"
        if p.kind == "aws" and p.arn is None and p.account == who.account:
            found = (True, f"trusts the account ({p.value}): the caller also needs sts:AssumeRole")
    return found


def _within(who: _Caller, p: TrustPrincipal) -> bool:
    """Is the caller one of the principals ``p`` stands for (for Deny and NotPrincipal)?"""
    if p.kind == "any":
        return True
    if p.kind != "aws" or p.account != who.account:
        return False
    return p.arn is None or who.named_by(p)


def admits(statements: Iterable[TrustStatement], ctx: TrustContext, arn: str) -> Admission | None:
    """Whether a user or role of the role's own account gets in (``Assumers.admits``)."""
    who = _Caller.parse(arn)
    if who.account != ctx.account_id:
        return None
    request = who.context(ctx)
    best: Admission | None = None
    denies = []
    for st in statements:
        if not st.covers(ASSUME_ROLE):
            continue
        if st.effect == "Deny":
            denies.append(st)
            continue
        matched = _allow_match(st, who)
        if matched is None:
            continue
        met, undecided = _conditions(st.clauses, request)
        if not met:
            continue
        needs, how = matched
        why = how
        if undecided:
            shown = "; ".join(cl.render() for cl in undecided)
            why += f"; counted as met, as the snapshot cannot tell: {shown}"
        if best is None or (best.needs_identity_permission and not needs):
            best = Admission(needs, st.label, why)
    if best is None:
        return None
    for deny in denies:
        applies = (
            not any(_within(who, p) for p in deny.principals)
            if deny.not_principal
            else any(_within(who, p) for p in deny.principals)
        )
        met, undecided = _conditions(deny.clauses, request)
        if applies and met and not undecided:  # an undecided Deny may be avoided
            return None
    return best
