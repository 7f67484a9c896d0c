"""A trust policy's statements, and what each Deny leaves of the callers an Allow admits.

Each principal an ``Allow`` names, with the actions it may use and the statement's conditions,
is a :class:`Candidate`. A ``Deny`` removes a candidate only where it certainly applies: it must
cover every action the candidate uses and certainly name its principal, and each of its
conditions must say whom it spares ("not in X, or absent" spares X; ``Null K true`` spares
callers with K). Then the candidate survives as one candidate per way out. A Deny with a
condition this model cannot read removes nothing: a risk never turns into a pass because of a
Deny that was not understood.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from iamgate.policy import providers as pv
from iamgate.policy.conditions import Clause, parse_condition
from iamgate.policy.document import PolicyFormatError, as_tuple, parse_document
from iamgate.policy.trust_pins import IS_SERVICE, is_identity_key
from iamgate.policy.wildcard import has_wildcard, match_action

ASSUME_ROLE = "sts:AssumeRole"
TAG_SESSION = "sts:TagSession"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
ASSUME_SAML = "sts:AssumeRoleWithSAML"
ALL_ACTIONS = frozenset({ASSUME_ROLE, WEB_IDENTITY, ASSUME_SAML})

MAX_CANDIDATES = 64  # Deny narrowing multiplies candidates; past this, stop narrowing


@dataclass(frozen=True, slots=True)
class TrustPrincipal:
    kind: str  # "any" | "aws" | "service" | "federated" | "canonical"
    value: str  # as written
    element: str  # "*", "AWS", "Service", "Federated", "CanonicalUser", "NotPrincipal"
    account: str | None = None  # aws: its account; federated: the provider ARN's account
    arn: str | None = None  # aws: one principal of the account (None: the whole account)


@dataclass(frozen=True, slots=True)
class TrustStatement:
    label: str
    effect: str
    principals: tuple[TrustPrincipal, ...]
    not_principal: bool
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    clauses: tuple[Clause, ...]

    def covers(self, action: str) -> bool:
        """Action names are case-insensitive and take ``*``/``?`` wildcards."""
        if self.actions is not None:
            return any(match_action(p, action) for p in self.actions)
        return self.not_actions is not None and not any(
            match_action(p, action) for p in self.not_actions
        )


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    return as_tuple(raw, where) or ()


def _aws_principal(value: str, where: str) -> TrustPrincipal | None:
    if value == "*":
        return TrustPrincipal("any", value, "AWS")
    if len(value) == 12 and value.isdigit():
        return TrustPrincipal("aws", value, "AWS", value)
    parts = value.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] in ("iam", "sts"):
        account, resource = parts[4], parts[5]
        if not account or has_wildcard(account):
            return TrustPrincipal("any", value, "AWS")  # IAM rejects this; read it as everyone
        whole = resource == "root" or has_wildcard(resource)
        return TrustPrincipal("aws", value, "AWS", account, None if whole else value)
    if len(value) >= 16 and value.isalnum() and value.isupper() and value[:4] in ("AROA", "AIDA"):
        return None  # a deleted role or user: IAM shows its unique id, and no one can match it
    raise PolicyFormatError(f"{where}: {value!r} is not an AWS account, ARN or '*'")


def _principals(raw: Any, where: str, notes: list[str]) -> tuple[TrustPrincipal, ...]:
    if raw == "*":
        return (TrustPrincipal("any", "*", "*"),)
    if not isinstance(raw, Mapping):
        raise PolicyFormatError(f'{where}: Principal must be "*" or an object')
    out: list[TrustPrincipal] = []
    for element, values in raw.items():
        for value in _strings(values, f"{where}: Principal {element}"):
            if element == "AWS":
                principal = _aws_principal(value, where)
                if principal is None:
                    notes.append(
                        f"{where} names {value}, the unique id of a deleted principal: "
                        "no one can use it"
                    )
                    continue
                out.append(principal)
            elif element == "Service":
                out.append(TrustPrincipal("service", value, element))  # "*": any service
            elif element == "Federated":
                parts = value.split(":", 5)
                account = parts[4] if len(parts) == 6 and parts[0] == "arn" else None
                out.append(TrustPrincipal("federated", value, element, account))
            elif element == "CanonicalUser":
                # IAM rejects it in a trust; read it as a principal of some other account.
                out.append(TrustPrincipal("canonical", value, element, f"canonical user {value}"))
            else:
                raise PolicyFormatError(f"{where}: unknown principal type {element!r}")
    return tuple(out)


# A trust parsed once and shared (its statements, and the notes on what it grants nobody).
ParsedTrust = tuple[tuple[TrustStatement, ...], tuple[str, ...]]


def parse_trust(document: Mapping[str, Any] | str) -> tuple[list[TrustStatement], list[str]]:
    doc = parse_document(document)
    if "iamgate:unparsed" in doc:
        raise PolicyFormatError(f"trust policy could not be read: {doc['iamgate:unparsed']!r}")
    raw = doc.get("Statement")
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyFormatError("trust policy Statement must be an object or a list")
    statements: list[TrustStatement] = []
    notes: list[str] = []
    for index, st in enumerate(raw, start=1):
        if not isinstance(st, Mapping):
            raise PolicyFormatError(f"statement #{index} is not an object")
        sid = st.get("Sid")
        label = f"statement {str(sid)!r}" if sid not in (None, "") else f"statement #{index}"
        effect = st.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyFormatError(f"{label}: Effect must be Allow or Deny")
        if ("Principal" in st) == ("NotPrincipal" in st):
            raise PolicyFormatError(f"{label}: a trust statement needs Principal or NotPrincipal")
        if ("Action" in st) == ("NotAction" in st):
            raise PolicyFormatError(f"{label}: needs Action or NotAction")
        not_principal = "NotPrincipal" in st
        principals = _principals(st["NotPrincipal" if not_principal else "Principal"], label, notes)
        actions = _strings(st["Action"], f"{label}: Action") if "Action" in st else None
        not_actions = (
            None if actions is not None else _strings(st["NotAction"], f"{label}: NotAction")
        )
        clauses = parse_condition(st.get("Condition"), label)
        statements.append(
            TrustStatement(label, effect, principals, not_principal, actions, not_actions, clauses)
        )
    return statements, notes


# --- candidates, and what each Deny leaves of them ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    principal: TrustPrincipal
    actions: frozenset[str]
    label: str
    clauses: tuple[Clause, ...]  # the Allow statement's
    spared: tuple[tuple[str, Clause], ...] = ()  # (Deny label, what that Deny leaves)
    unused_denies: tuple[tuple[str, str], ...] = ()  # (Deny label, why it did not narrow)
    everyone_but: bool = False  # Allow + NotPrincipal

    @property
    def all_clauses(self) -> tuple[Clause, ...]:
        return self.clauses + tuple(clause for _, clause in self.spared)


def actions_for(principal: TrustPrincipal) -> frozenset[str]:
    if principal.kind == "any":
        return ALL_ACTIONS
    if principal.kind == "federated":
        saml = ":saml-provider/" in principal.value
        return frozenset({ASSUME_SAML if saml else WEB_IDENTITY})
    return frozenset({ASSUME_ROLE})


def _same(a: TrustPrincipal, b: TrustPrincipal) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "service":
        return pv.normalize_service(a.value) == pv.normalize_service(b.value)
    return a.value.lower() == b.value.lower()


def _deny_covers(denied: TrustPrincipal, target: TrustPrincipal, signed_only: bool) -> bool:
    """Does a Deny naming ``denied`` certainly apply to every caller ``target`` stands for?"""
    if denied.kind == "any":  # {"AWS": "*"} is not documented to cover federated callers
        return denied.element == "*" or (target.kind in ("any", "aws", "canonical") and signed_only)
    if target.kind == "any":
        return False
    if denied.kind == "aws" and target.kind == "aws":
        return denied.account == target.account and denied.arn in (None, target.arn)
    return _same(denied, target)


def _meet_principal(target: TrustPrincipal, exempt: TrustPrincipal) -> TrustPrincipal | None:
    """The callers of ``target`` that a Deny's NotPrincipal entry ``exempt`` may spare."""
    if exempt.kind == "any":
        return target
    if target.kind == "any":
        return exempt
    if target.kind == "aws" and exempt.kind == "aws":
        if target.account != exempt.account:
            return None
        if exempt.arn is None or target.arn == exempt.arn:
            return target
        return exempt if target.arn is None else None
    return target if _same(target, exempt) else None


def _survivor(clause: Clause, signed_only: bool) -> Clause | None:
    """What a caller must meet to escape a Deny through this clause, if it can be said.

    ``signed_only``: the caller can only use sts:AssumeRole, a signed request (web identity
    and SAML calls are unsigned and carry no aws:PrincipalIsAWSService).
    """
    key = clause.key_lower
    if not clause.understood or not is_identity_key(key):
        return None
    if clause.family == "null":  # {"Null": {K: "true"}} denies callers without K
        if not clause.true_when_absent:
            return None
        return Clause("Null", clause.key, ("false",), "Null", "null", False, False, "", False)
    if clause.family == "bool":
        # Bool aws:PrincipalIsAWSService "false" spares service principals only. The key is on
        # every signed request; without IfExists an unsigned (web identity) call escapes too.
        falsy = {v.lower() for v in clause.values} == {"false"}
        if key == IS_SERVICE and falsy and (clause.true_when_absent or signed_only):
            return Clause("Bool", clause.key, ("true",), "Bool", "bool", False, False, "", False)
        return None
    if clause.negated and clause.true_when_absent:
        return clause.positive()  # "not in X, or absent": only callers in X escape
    return None


def _apply_deny(c: Candidate, deny: TrustStatement) -> list[Candidate] | None:
    """The candidates a Deny leaves of ``c``; None when it leaves ``c`` whole."""
    if not all(deny.covers(action) for action in c.actions):
        return None  # a Deny must cover every way this caller assumes the role
    signed_only = c.actions == {ASSUME_ROLE}
    exempt: list[TrustPrincipal] = []
    if deny.not_principal:
        exempt = [p for e in deny.principals if (p := _meet_principal(c.principal, e))]
    elif not any(_deny_covers(p, c.principal, signed_only) for p in deny.principals):
        return None
    spared = []
    for clause in deny.clauses:
        survivor = _survivor(clause, signed_only)
        if survivor is None:
            reason = f"has a condition on {clause.key} that does not say whom it spares"
            return [replace(c, unused_denies=(*c.unused_denies, (deny.label, reason)))]
        spared.append(survivor)
    out = []
    if (
        c.principal.kind == "any"
        and not deny.not_principal
        and not any(p.kind == "any" and p.element == "*" for p in deny.principals)
    ):  # only {"AWS": "*"} covered "*": it is not documented to cover service principals
        reason = 'names {"AWS": "*"}, not documented to cover service principals'
        out.append(
            replace(
                c,
                principal=TrustPrincipal("service", "*", "Service"),
                unused_denies=(*c.unused_denies, (deny.label, reason)),
            )
        )
    for principal in exempt:
        actions = c.actions & actions_for(principal)
        if actions:
            out.append(replace(c, principal=principal, actions=actions, everyone_but=False))
    out += [replace(c, spared=(*c.spared, (deny.label, s))) for s in spared]
    return out


def narrow(candidates: list[Candidate], denies: list[TrustStatement]) -> list[Candidate]:
    for deny in denies:
        nxt: list[Candidate] = []
        for c in candidates:
            left = _apply_deny(c, deny)
            nxt.extend([c] if left is None else left)
        if len(nxt) > MAX_CANDIDATES:
            reason = "has more exceptions than this model follows"
            return [
                replace(c, unused_denies=(*c.unused_denies, (deny.label, reason)))
                for c in candidates
            ]
        candidates = nxt
    return candidates


def document_key(trust: Mapping[str, Any] | str) -> str:
    """The same text for the same trust policy (roles made from one template share theirs),
    and different text for different ones: who can assume a role, and whether it takes
    session tags, depend on its trust policy alone (and the run's context)."""
    if isinstance(trust, str):
        return "text:" + trust
    # repr: one C-level pass, a third of sorted JSON's cost (made for every role); a trust
    # whose keys come in another order gets its own key, and is read once more.
    return repr(trust)


def allows_session_tags(document: Mapping[str, Any] | str) -> bool:
    """Whether a role's trust lets a caller pass session tags (an Allow of sts:TagSession):
    they override the role's own tags in aws:PrincipalTag, "regardless of case", and without
    sts:TagSession in the trust "the AssumeRole operation fails"
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html). An unreadable
    trust counts as allowing them."""
    try:
        statements, _notes = parse_trust(document)
    except PolicyFormatError:
        return True
    return takes_session_tags(statements)


def takes_session_tags(statements: Iterable[TrustStatement]) -> bool:
    """:func:`allows_session_tags` of a trust already parsed."""
    return any(st.effect == "Allow" and st.covers(TAG_SESSION) for st in statements)
