"""Who can assume a role: a small, exact model of a trust policy.

``who_can_assume(document, context)`` reads every statement. Each principal an ``Allow`` names,
with its conditions, is a candidate; each ``Deny`` then removes the callers it certainly applies
to: a Deny whose conditions all read "the caller is not X" (``StringNotEquals
aws:PrincipalOrgID``...) leaves only X, and a Deny with a condition this model cannot read
removes nothing (a risk never turns into a pass because of a Deny that was not understood).
What is left is read into :class:`Assumer` entries that say who they are, which statement and
condition let them in, and which :class:`Risk` they are.

Conditions narrow the caller only when they pin an identity key (an account, organization,
principal ARN, source, external id or web identity claim) to values that are not everyone.
The AWS semantics relied on, with links, are in docs/checks.md ("Role trust").

:meth:`Assumers.admits` answers the privilege-escalation graph's question: can a principal of
the role's own account assume it, and does it need ``sts:AssumeRole`` in its identity policy too?
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from iamgate.model.config import TrustSettings
from iamgate.model.snapshot import Snapshot, Source
from iamgate.policy import providers as pv
from iamgate.policy.conditions import Clause, only_wildcards, parse_condition
from iamgate.policy.document import PolicyFormatError, as_tuple, parse_document
from iamgate.policy.wildcard import has_wildcard, literal_prefix, match_action, match_text

__all__ = [
    "ASSUME_ROLE",
    "Admission",
    "Assumer",
    "Assumers",
    "Kind",
    "PolicyFormatError",
    "Risk",
    "TrustContext",
    "who_can_assume",
]

ASSUME_ROLE = "sts:AssumeRole"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
ASSUME_SAML = "sts:AssumeRoleWithSAML"
_ALL_ACTIONS = frozenset({ASSUME_ROLE, WEB_IDENTITY, ASSUME_SAML})

# Identity keys (lower-case). Principal-side keys describe the caller; source-side keys the
# resource a service acts for (present only when a service principal calls). The bool says
# whether the value is an ARN (or an organization path) rather than a bare id.
_ACCOUNT_KEYS = {
    "aws:principalaccount": False,
    "aws:sourceaccount": False,
    "aws:sourceowner": False,
    "aws:principalarn": True,
    "aws:sourcearn": True,
}
_ORG_KEYS = {
    "aws:principalorgid": False,
    "aws:sourceorgid": False,
    "aws:principalorgpaths": True,
    "aws:sourceorgpaths": True,
}
_SOURCE_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
    }
)
_EXTERNAL_ID = "sts:externalid"
_IS_SERVICE = "aws:principalisawsservice"
_SERVICE_NAME = "aws:principalservicename"
_PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        _EXTERNAL_ID,
        _IS_SERVICE,
        _SERVICE_NAME,
    }
)
_MAX_CANDIDATES = 64  # Deny narrowing multiplies candidates; past this, stop narrowing


class Kind(StrEnum):
    ANYONE = "anyone"
    ACCOUNT = "account"
    ORGANIZATION = "organization"
    SERVICE = "service"
    WEB_IDENTITY = "web-identity"
    SAML = "saml"


class Risk(StrEnum):
    """What an assumer makes of the role; each is one check of ``checks/trust.py``."""

    PUBLIC = "public"  # anyone can assume it (role-trust-public)
    EXTERNAL = "external"  # an outside account, without an external id (...-external-account)
    UNPINNED_FEDERATION = "unpinned-federation"  # (role-trust-federated-subject)
    CONFUSED_DEPUTY = "confused-deputy"  # (role-trust-service-confused-deputy)


@dataclass(frozen=True, slots=True)
class TrustContext:
    """What a trust is compared with.

    ``oidc_owners`` lists the owners that are yours, one ``"<provider>:<owner>"`` each
    (``"github:my-org"``, ``"gitlab:my-group/sub"``, ``"github:id:1234"`` for a
    ``repository_owner_id``); an owner may name a path to accept less. Empty: any pinned owner
    passes; once it has an entry, every pinned owner of every provider must be listed.
    """

    account_id: str
    org_id: str | None = None  # None: the account is in no organization (or it is not known)
    org_known: bool = True  # False: the organization could not be read
    trusted_accounts: tuple[str, ...] = ()
    oidc_owners: tuple[str, ...] = ()

    @classmethod
    def of(cls, snapshot: Snapshot, settings: TrustSettings) -> TrustContext:
        org = snapshot.organization
        known = org is not None and not snapshot.errors_for([Source.ORGANIZATION])
        return cls(
            snapshot.account_id,
            org.id if org is not None else None,
            known,
            settings.trusted_accounts,
            settings.oidc_owners,
        )

    @property
    def own_org(self) -> str | None:
        return self.org_id if self.org_known else None

    def internal_account(self, account: str) -> bool:
        return account == self.account_id or account in self.trusted_accounts

    def owns(self, provider_ids: Iterable[str], path: tuple[str, ...]) -> bool:
        """Is a pin to ``path`` (owner first) inside one of the configured owners?"""
        if not self.oidc_owners:
            return True
        wanted = set(provider_ids)
        folded = tuple(segment.casefold() for segment in path)
        for entry in self.oidc_owners:
            provider, _, owner = entry.partition(":")
            segments = tuple(s.casefold() for s in owner.split("/"))
            if provider in wanted and folded[: len(segments)] == segments:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Assumer:
    """One kind of caller that can assume the role, and why."""

    kind: Kind
    who: str  # e.g. "any GitHub Actions workflow in any repository"
    statement: str  # "statement 'Sid'" or "statement #N"
    why: str  # e.g. "conditions only on aud"
    pinned: bool  # narrowed to named accounts, an organization, a source or a subject
    risks: frozenset[Risk]

    def describe(self) -> str:
        return f"{self.who} ({self.statement} {self.why})"


@dataclass(frozen=True, slots=True)
class Admission:
    """How a principal of the role's own account gets in (:meth:`Assumers.admits`)."""

    needs_identity_permission: bool  # True: its identity policy must allow sts:AssumeRole too
    statement: str  # the Allow statement that lets it in
    why: str


# --- parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Principal:
    kind: str  # "any" | "aws" | "service" | "federated" | "canonical"
    value: str  # as written
    element: str  # "*", "AWS", "Service", "Federated", "CanonicalUser", "NotPrincipal"
    account: str | None = None  # aws: its account; federated: the provider ARN's account
    arn: str | None = None  # aws: one principal of the account (None: the whole account)


@dataclass(frozen=True, slots=True)
class _Statement:
    label: str
    effect: str
    principals: tuple[_Principal, ...]
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


def _aws_principal(value: str, where: str) -> _Principal | None:
    if value == "*":
        return _Principal("any", value, "AWS")
    if len(value) == 12 and value.isdigit():
        return _Principal("aws", value, "AWS", value)
    parts = value.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] in ("iam", "sts"):
        account, resource = parts[4], parts[5]
        if not account or has_wildcard(account):
            return _Principal("any", value, "AWS")  # IAM rejects this; read it as everyone
        whole = resource == "root" or has_wildcard(resource)
        return _Principal("aws", value, "AWS", account, None if whole else value)
    if len(value) >= 16 and value.isalnum() and value.isupper() and value[:4] in ("AROA", "AIDA"):
        return None  # a deleted role or user: IAM shows its unique id, and no one can match it
    raise PolicyFormatError(f"{where}: {value!r} is not an AWS account, ARN or '*'")


def _principals(raw: Any, where: str, notes: list[str]) -> tuple[_Principal, ...]:
    if raw == "*":
        return (_Principal("any", "*", "*"),)
    if not isinstance(raw, Mapping):
        raise PolicyFormatError(f'{where}: Principal must be "*" or an object')
    out: list[_Principal] = []
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
                out.append(_Principal("service", value, element))  # "*": any service
            elif element == "Federated":
                parts = value.split(":", 5)
                account = parts[4] if len(parts) == 6 and parts[0] == "arn" else None
                out.append(_Principal("federated", value, element, account))
            elif element == "CanonicalUser":
                # IAM rejects it in a trust; read it as a principal of some other account.
                out.append(_Principal("canonical", value, element, f"canonical user {value}"))
            else:
                raise PolicyFormatError(f"{where}: unknown principal type {element!r}")
    return tuple(out)


def _parse(document: Mapping[str, Any] | str) -> tuple[list[_Statement], list[str]]:
    doc = parse_document(document)
    if "iamgate:unparsed" in doc:
        raise PolicyFormatError(f"trust policy could not be read: {doc['iamgate:unparsed']!r}")
    raw = doc.get("Statement")
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyFormatError("trust policy Statement must be an object or a list")
    statements: list[_Statement] = []
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
            _Statement(label, effect, principals, not_principal, actions, not_actions, clauses)
        )
    return statements, notes


# --- candidates and Deny narrowing --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    principal: _Principal
    actions: frozenset[str]
    label: str
    clauses: tuple[Clause, ...]  # the Allow statement's
    spared: tuple[tuple[str, Clause], ...] = ()  # (Deny label, what that Deny leaves)
    unused_denies: tuple[tuple[str, str], ...] = ()  # (Deny label, why it did not narrow)
    everyone_but: bool = False  # Allow + NotPrincipal

    @property
    def all_clauses(self) -> tuple[Clause, ...]:
        return self.clauses + tuple(clause for _, clause in self.spared)


def _actions_for(principal: _Principal) -> frozenset[str]:
    if principal.kind == "any":
        return _ALL_ACTIONS
    if principal.kind == "federated":
        saml = ":saml-provider/" in principal.value
        return frozenset({ASSUME_SAML if saml else WEB_IDENTITY})
    return frozenset({ASSUME_ROLE})


def _is_claim_key(key: str) -> bool:
    """``<provider URL>:<claim>`` (web identity) or ``saml:<attribute>``."""
    prefix, sep, _ = key.rpartition(":")
    return bool(sep) and ("." in prefix or prefix == "saml")


def _is_identity_key(key: str) -> bool:
    return (
        key in _ACCOUNT_KEYS
        or key in _ORG_KEYS
        or _is_claim_key(key)
        or key in (_EXTERNAL_ID, _IS_SERVICE, _SERVICE_NAME)
    )


def _same(a: _Principal, b: _Principal) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == "service":
        return pv.normalize_service(a.value) == pv.normalize_service(b.value)
    return a.value.lower() == b.value.lower()


def _deny_covers(denied: _Principal, target: _Principal, signed_only: bool) -> bool:
    """Does a Deny naming ``denied`` certainly apply to every caller ``target`` stands for?"""
    if denied.kind == "any":  # {"AWS": "*"} is not documented to cover federated callers
        return denied.element == "*" or (target.kind in ("any", "aws", "canonical") and signed_only)
    if target.kind == "any":
        return False
    if denied.kind == "aws" and target.kind == "aws":
        return denied.account == target.account and denied.arn in (None, target.arn)
    return _same(denied, target)


def _meet_principal(target: _Principal, exempt: _Principal) -> _Principal | None:
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
    if not clause.understood or not _is_identity_key(key):
        return None
    if clause.family == "null":  # {"Null": {K: "true"}} denies callers without K
        if not clause.true_when_absent:
            return None
        return Clause("Null", clause.key, ("false",), "Null", "null", False, False, "", False)
    if clause.family == "bool":
        # Bool aws:PrincipalIsAWSService "false" spares service principals only. The key is on
        # every signed request; without IfExists an unsigned (web identity) call escapes too.
        falsy = {v.lower() for v in clause.values} == {"false"}
        if key == _IS_SERVICE and falsy and (clause.true_when_absent or signed_only):
            return Clause("Bool", clause.key, ("true",), "Bool", "bool", False, False, "", False)
        return None
    if clause.negated and clause.true_when_absent:
        return clause.positive()  # "not in X, or absent": only callers in X escape
    return None


def _apply_deny(c: _Candidate, deny: _Statement) -> list[_Candidate] | None:
    """The candidates a Deny leaves of ``c``; None when it leaves ``c`` whole."""
    if not all(deny.covers(action) for action in c.actions):
        return None  # a Deny must cover every way this caller assumes the role
    signed_only = c.actions == {ASSUME_ROLE}
    exempt: list[_Principal] = []
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
                principal=_Principal("service", "*", "Service"),
                unused_denies=(*c.unused_denies, (deny.label, reason)),
            )
        )
    for principal in exempt:
        actions = c.actions & _actions_for(principal)
        if actions:
            out.append(replace(c, principal=principal, actions=actions, everyone_but=False))
    out += [replace(c, spared=(*c.spared, (deny.label, s))) for s in spared]
    return out


def _narrow(candidates: list[_Candidate], denies: list[_Statement]) -> list[_Candidate]:
    for deny in denies:
        nxt: list[_Candidate] = []
        for c in candidates:
            left = _apply_deny(c, deny)
            nxt.extend([c] if left is None else left)
        if len(nxt) > _MAX_CANDIDATES:
            reason = "has more exceptions than this model follows"
            return [
                replace(c, unused_denies=(*c.unused_denies, (deny.label, reason)))
                for c in candidates
            ]
        candidates = nxt
    return candidates


# --- what the conditions pin --------------------------------------------------------------------


def _pins(clause: Clause) -> bool:
    """A clause narrows only if it is false for callers without the key and is not negated."""
    return (
        clause.understood
        and not clause.negated
        and not clause.true_when_absent
        and clause.family in ("string", "arn", "bool")
    )


def _why_not(clause: Clause) -> str:
    if clause.has_variable:
        return f"{clause.key} is compared with a policy variable"
    if clause.family == "other":
        return f"{clause.operator} on {clause.key} is not an operator this model reads"
    if clause.family == "null":
        return f"Null on {clause.key} only tests whether the key is present"
    if clause.negated and not clause.true_when_absent:
        return f"{clause.operator} on {clause.key} only excludes some values"
    if clause.negated:
        return (
            f"{clause.operator} on {clause.key} only excludes some values, and is true "
            "when the key is absent"
        )
    return f"{clause.operator} is true when {clause.key} is absent"


def _shape(value: str) -> str:
    if only_wildcards(value):
        return "everyone"
    return "some" if has_wildcard(value) else "exact"


def _account_of(clause: Clause, value: str) -> tuple[str, str]:
    """-> (shape, account): shape "exact" | "some" (a pattern) | "everyone" | "none" (the ARN
    has no account field, like an S3 bucket's)."""
    if not _ACCOUNT_KEYS[clause.key_lower]:
        return _shape(value), value
    if clause.family == "arn" or not has_wildcard(value):
        parts = value.split(":", 5)  # ArnLike: a wildcard stays inside its component
        if len(parts) != 6:
            return ("everyone" if only_wildcards(value) else "some"), value
        account = parts[4]
    else:  # StringLike: a wildcard may span ':', so only the literal head fixes anything
        parts = literal_prefix(value).split(":", 5)
        if len(parts) < 6:
            fixed = parts[4] if len(parts) == 5 else ""
            if len(fixed) == 12 and fixed.isdigit():
                return "exact", fixed  # 12 digits, then ':' (account ids have 12)
            return ("some", fixed + "*") if fixed else ("everyone", value)
        account = parts[4]
    if not account:
        return ("everyone" if has_wildcard(value) else "none"), value
    return _shape(account), account


def _org_of(clause: Clause, value: str) -> tuple[str, str]:
    org = value
    if _ORG_KEYS[clause.key_lower]:  # a path o-xxx/r-yyy/ou-zzz/: the org comes first
        head = literal_prefix(value)
        org = head.split("/")[0] if "/" in head else value
    if not has_wildcard(org):
        return "exact", org
    rest = org[2:] if org.lower().startswith("o-") else org
    return ("everyone" if only_wildcards(rest) else "some"), org


def _meet(a: frozenset[str] | None, b: frozenset[str]) -> frozenset[str]:
    """Values allowed by both pins (exact ids, or patterns kept as an over-approximation)."""
    if a is None:
        return b

    def within(value: str, patterns: frozenset[str]) -> bool:
        return any(value == p or match_text(p, value) for p in patterns)

    out = {x for x in a if not has_wildcard(x) and within(x, b)}
    out |= {y for y in b if not has_wildcard(y) and within(y, a)}
    if any(has_wildcard(x) for x in a) and any(has_wildcard(y) for y in b):
        out |= {x for x in a if has_wildcard(x)}
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class _Pins:
    """What a candidate's identity conditions pin."""

    accounts: frozenset[str] | None  # None: any account
    orgs: frozenset[str] | None
    external_id: bool
    services: frozenset[str] | None  # aws:PrincipalIsAWSService / aws:PrincipalServiceName
    source: bool  # a positive aws:Source* test: only a service principal carries those keys
    arn_without_account: bool
    notes: tuple[str, ...]
    used: tuple[Clause, ...]


def _read_pins(clauses: Iterable[Clause], keys: frozenset[str] | None) -> _Pins:
    """Read account, organization, external id and service pins (``keys``: only these)."""
    accounts: frozenset[str] | None = None
    orgs: frozenset[str] | None = None
    services: frozenset[str] | None = None
    external_id = source = arn_without_account = False
    notes: list[str] = []
    used: list[Clause] = []
    for clause in clauses:
        key = clause.key_lower
        if (
            (keys is not None and key not in keys)
            or _is_claim_key(key)
            or not _is_identity_key(key)
        ):
            continue
        if not _pins(clause):
            notes.append(_why_not(clause))
            continue
        values = clause.values
        source = source or key in _SOURCE_KEYS
        if key in _ACCOUNT_KEYS:
            shapes = [_account_of(clause, v) for v in values]
            if not shapes or any(shape == "everyone" for shape, _ in shapes):
                notes.append(
                    f"{clause.key} {_first_everyone(values, shapes)!r} matches every account"
                )
            elif any(shape == "none" for shape, _ in shapes):
                arn_without_account = True
                notes.append(f"{clause.key} {values[0]!r} names no account")
            else:
                accounts = _meet(accounts, frozenset(v for _, v in shapes))
                used.append(clause)
        elif key in _ORG_KEYS:
            if clause.test.endswith("IgnoreCase"):  # organization ids are lower-case
                values = tuple(v.lower() for v in values)
            shapes = [_org_of(clause, v) for v in values]
            if not shapes or any(shape == "everyone" for shape, _ in shapes):
                notes.append(
                    f"{clause.key} {_first_everyone(values, shapes)!r} matches every organization"
                )
            else:
                orgs = _meet(orgs, frozenset(v for _, v in shapes))
                used.append(clause)
        elif key == _EXTERNAL_ID:
            loose = [v for v in values if not v or has_wildcard(v)]
            if loose or not values:
                notes.append(f"sts:ExternalId {(loose or [''])[0]!r} is a wildcard")
            else:
                external_id = True
                used.append(clause)
        elif key == _IS_SERVICE and all(v.lower() == "true" for v in values):
            services = services or frozenset({"*"})
            used.append(clause)
        elif key == _SERVICE_NAME and not any(has_wildcard(v) for v in values):
            named = frozenset(pv.normalize_service(v) for v in values)
            services = named if services in (None, frozenset({"*"})) else services & named
            used.append(clause)
    return _Pins(
        accounts,
        orgs,
        external_id,
        services,
        source,
        arn_without_account,
        tuple(notes),
        tuple(used),
    )


def _first_everyone(values: tuple[str, ...], shapes: list[tuple[str, str]]) -> str:
    for value, (shape, _) in zip(values, shapes, strict=True):
        if shape == "everyone":
            return value
    return values[0] if values else ""


def _why(c: _Candidate, notes: Iterable[str], used: Iterable[Clause], keys: str = "") -> str:
    """``has no condition`` / ``conditions only on aud`` / what pinned, what did not, Denies."""
    parts: list[str] = []
    used, notes = tuple(used), tuple(notes)
    if not c.clauses:
        parts.append("has no condition")
    elif used:
        parts.append("pins " + ", ".join(f"{cl.key} to {_shown(cl)}" for cl in used))
    elif keys or not notes:
        shown = keys or ", ".join(dict.fromkeys(cl.key for cl in c.clauses))
        parts.append(f"conditions only on {shown}")
    parts += notes
    for label in dict.fromkeys(label for label, _ in c.spared):
        parts.append(f"after the exceptions of Deny {label}")
    for label, reason in dict.fromkeys(c.unused_denies):
        parts.append(f"Deny {label} {reason}")
    return "; ".join(parts) if parts else "conditions do not identify the caller"


def _shown(clause: Clause) -> str:
    return " or ".join(repr(v) for v in clause.values)


# --- assumers by kind ---------------------------------------------------------------------------


def _assumer(
    kind: Kind, who: str, c: _Candidate, why: str, pinned: bool, risks: Iterable[Risk]
) -> Assumer:
    return Assumer(kind, who, c.label, why, pinned, frozenset(risks))


def _assumers(c: _Candidate, ctx: TrustContext) -> list[Assumer]:
    kind = c.principal.kind
    if kind in ("any", "aws", "canonical"):
        return _aws_assumers(c, ctx)
    if kind == "service":
        return [_service_assumer(c, c.principal.value, ctx)]
    return [_federated_assumer(c, ctx)]


def _aws_assumers(c: _Candidate, ctx: TrustContext) -> list[Assumer]:
    p = c.principal
    pins = _read_pins(c.all_clauses, None if p.kind == "any" else _PRINCIPAL_KEYS)
    if p.kind == "any" and (pins.services is not None or pins.source):
        # Only service principals carry aws:Source* keys or aws:PrincipalIsAWSService=true.
        return [_service_assumer(c, name, ctx) for name in sorted(pins.services or {"*"})]
    if pins.services is not None:
        return []  # aws:PrincipalIsAWSService is false on every request an IAM principal signs
    accounts = pins.accounts
    if p.account is not None:
        own = frozenset({p.account})
        accounts = own if accounts is None else _meet(own, accounts)
    if accounts == frozenset() or pins.orgs == frozenset():
        return []  # the conditions contradict the principal: no one
    why = _why(c, pins.notes, pins.used)
    if accounts is None and pins.orgs is None:
        if c.everyone_but:
            who = "anyone but the principals in NotPrincipal"
        elif ASSUME_ROLE in c.actions:
            who = "any principal of any AWS account"
        else:
            who = "any web identity or SAML user"
        if pins.external_id:
            why += "; an external id is not a secret: any account can send it"
        return [_assumer(Kind.ANYONE, who, c, why, False, {Risk.PUBLIC})]
    own_org = ctx.own_org is not None and pins.orgs == frozenset({ctx.own_org})
    outside = sorted(a for a in accounts or () if not ctx.internal_account(a))
    external = not own_org and not pins.external_id and (accounts is None or bool(outside))
    risks = {Risk.EXTERNAL} if external else set()
    if accounts is not None:
        if p.kind == "canonical":
            who = f"S3 canonical user {p.value}"
        elif p.arn is not None and accounts == frozenset({p.account}):
            who = p.arn
        else:
            who = f"any principal of {_accounts_text(outside or sorted(accounts))}"
        if own_org:
            who += f" in your organization {ctx.own_org}"
        return [_assumer(Kind.ACCOUNT, who, c, why, True, risks)]
    if own_org:
        who = f"principals of your organization {ctx.own_org}"
    else:
        if not ctx.org_known:
            yours = "this account's organization could not be read"
        elif ctx.org_id:
            yours = f"yours is {ctx.org_id}"
        else:
            yours = "this account is in no organization"
        who = f"any principal of organization {', '.join(sorted(pins.orgs or ()))} ({yours})"
    return [_assumer(Kind.ORGANIZATION, who, c, why, True, risks)]


def _accounts_text(accounts: list[str]) -> str:
    exact = [a for a in accounts if not has_wildcard(a)]
    patterns = [a for a in accounts if has_wildcard(a)]
    parts = [f"account{'s' if len(exact) > 1 else ''} {', '.join(exact)}"] if exact else []
    parts += [f"accounts matching {', '.join(patterns)}"] if patterns else []
    return " and ".join(parts)


def _service_assumer(c: _Candidate, name: str, ctx: TrustContext) -> Assumer:
    pins = _read_pins(c.all_clauses, _SOURCE_KEYS | {_EXTERNAL_ID})
    pinned = pins.accounts is not None or pins.orgs is not None or pins.external_id
    notes = pins.notes
    if pins.arn_without_account and not pinned:
        notes = (*notes, "AWS asks for aws:SourceAccount beside such an aws:SourceArn")
    service = "any AWS service" if name == "*" else name
    for_others = name == "*" or pv.acts_for_other_accounts(name)
    own_org = ctx.own_org is not None and pins.orgs == frozenset({ctx.own_org})
    risks = {Risk.CONFUSED_DEPUTY} if for_others and not pinned else set()
    if pins.accounts is not None:
        outside = sorted(a for a in pins.accounts if not ctx.internal_account(a))
        who = f"{service} acting for {_accounts_text(outside or sorted(pins.accounts))}"
        if outside and not own_org and not pins.external_id:
            risks.add(Risk.EXTERNAL)
    elif pins.orgs is not None:
        who = f"{service} acting for organization {', '.join(sorted(pins.orgs))}"
        if not own_org and not pins.external_id:
            risks.add(Risk.EXTERNAL)
    elif for_others:
        who = f"{service} acting for any account"
    else:
        who = f"{service} for this account's own resources"
    return _assumer(Kind.SERVICE, who, c, _why(c, notes, pins.used), pinned, risks)


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


def _saml_assumer(c: _Candidate, ctx: TrustContext) -> Assumer:
    p = c.principal
    name = p.value.split(":saml-provider/", 1)[1]
    if p.account not in (None, ctx.account_id):
        return _assumer(
            Kind.SAML,
            f"users of SAML provider {name} of account {p.account}",
            c,
            "trusts an identity provider of another account",
            False,
            {Risk.UNPINNED_FEDERATION},
        )
    # This account's own IdP decides which of its users get the role (the Role attribute of
    # its assertion); SAML:aud only names the sign-in endpoint.
    return _assumer(
        Kind.SAML,
        f"users that SAML provider {name} signs in to this role",
        c,
        "trusts this account's own identity provider",
        True,
        (),
    )


def _federated_assumer(c: _Candidate, ctx: TrustContext) -> Assumer:
    p = c.principal
    if ":saml-provider/" in p.value:
        return _saml_assumer(c, ctx)
    url = p.value.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in p.value else p.value
    match = pv.identify(url)
    provider = match.provider
    claims: dict[str, list[Clause]] = {}
    for clause in c.all_clauses:
        prefix, _, claim = clause.key_lower.rpartition(":")
        if prefix.rstrip("/") == match.key_prefix:
            claims.setdefault(claim, []).append(clause)
    notes: list[str] = []
    paths: list[tuple[str, ...]] | None = None
    owner_ids: tuple[str, ...] = (provider.id,)
    family = provider  # a known family, read from a self-hosted provider's subject
    used: list[Clause] = []
    for clause in claims.get(provider.subject_claim, []):
        if not _pins(clause):
            notes.append(_why_not(clause))
            continue
        grammar = [
            (pv.self_hosted(v) or provider) if provider is pv.GENERIC else provider
            for v in clause.values
        ]
        found = [g.read(v) for g, v in zip(grammar, clause.values, strict=True)]
        loose = [v for v, f in zip(clause.values, found, strict=True) if f is None]
        if loose or not found:
            notes.append(
                f"{clause.key} {loose[0]!r} pins no {grammar[0].scope}"
                if loose
                else f"{clause.key} has no value"
            )
            continue
        ids = tuple(dict.fromkeys(g.id for g in grammar))
        if provider is pv.GENERIC and ids in (("terraform",), ("buildkite",)):
            ids = ("terraform", "buildkite")  # "organization:..." is either one's shape
        pinned = [f for f in found if f is not None]
        # Several subject conditions are AND: keep the one whose owners are all yours.
        if paths is None or all(ctx.owns(ids, path) for path in pinned):
            paths, owner_ids, used, family = pinned, ids, [clause], grammar[0]
    if provider.tenant_pins and match.tenant:  # CircleCI org, Bitbucket workspace in the URL
        tenant = (match.tenant,)
        paths = (
            [tenant]
            if paths is None
            else [tenant + (path[1:] if provider is pv.CIRCLECI else path) for path in paths]
        )
    # "conditions only on aud": the claims conditioned, when none is the subject claim
    keys = ", ".join(claims) if claims and provider.subject_claim not in claims else ""
    why = _why(c, notes, used, keys)
    risks: set[Risk] = set()
    if p.account not in (None, ctx.account_id):
        risks.add(Risk.UNPINNED_FEDERATION)
        why += f"; the OIDC provider is registered in account {p.account}, not this one"
    suffix = f" ({match.url})" if match.tenant or provider is pv.GENERIC else ""
    if paths is None:
        subject = f"{url.rstrip('/')}:{provider.subject_claim}"
        if provider is pv.GENERIC:
            anyone = f"any identity of OIDC provider {url}"
        else:
            anyone = provider.anyone + suffix
        risks.add(Risk.UNPINNED_FEDERATION)
        if provider.open_signup and not match.tenant:
            risks.add(Risk.PUBLIC)
        why = f"{why}; pin {subject} to {provider.subject_form}"
        return _assumer(Kind.WEB_IDENTITY, anyone, c, why, False, risks)
    shown = ", ".join("/".join(path) for path in paths)
    if provider is pv.COGNITO:
        amr = claims.get("amr", [])
        if all(cl.understood and cl.evaluate(("unauthenticated",)) for cl in amr):
            fix = "" if amr else f"; add ForAnyValue:StringLike {url}:amr = 'authenticated'"
            return _assumer(
                Kind.WEB_IDENTITY,
                f"unauthenticated (guest) identities of identity pool {shown}, that is anyone",
                c,
                why + fix,
                False,
                {Risk.PUBLIC, Risk.UNPINNED_FEDERATION},
            )
        who = f"authenticated identities of identity pool {shown}"
        return _assumer(Kind.WEB_IDENTITY, who, c, why, True, risks)
    who = f"{_plural(family.caller)} of {shown}{suffix}"
    if owner_ids[0] in pv.OWNER_PROVIDERS and not all(ctx.owns(owner_ids, x) for x in paths):
        risks.add(Risk.UNPINNED_FEDERATION)
        who += ", an owner not in [trust] oidc_owners"
    return _assumer(Kind.WEB_IDENTITY, who, c, why, True, risks)


# --- in-account principals (the privilege-escalation graph) -------------------------------------

_UNKNOWN = object()  # a context key whose value the snapshot cannot tell (the caller may choose)


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

    def named_by(self, principal: _Principal) -> bool:
        """Does an ``AWS`` principal ARN name this user or role (or a session of the role)?"""
        if principal.kind != "aws" or principal.account != self.account or principal.arn is None:
            return False
        parts = principal.arn.split(":", 5)
        kind, _, rest = parts[5].partition("/")
        if parts[2] == "sts" and kind == "assumed-role":
            return self.kind == "role" and rest.split("/")[0].lower() == self.name
        return kind == self.kind and rest.rsplit("/", 1)[-1].lower() == self.name

    def context(self, ctx: TrustContext) -> dict[str, Any]:
        """The request's identity keys; any key missing here is _UNKNOWN (caller's choice)."""
        org: Any = (ctx.org_id,) if ctx.org_id else None
        if not ctx.org_known:
            org = _UNKNOWN
        return {
            "aws:principalaccount": (self.account,),
            "aws:principalarn": (self.arn,) if self.exact_arn else _UNKNOWN,
            "aws:principalorgid": org,
            "aws:principalorgpaths": None if org is None else _UNKNOWN,
            "aws:principalisawsservice": ("false",),
            "aws:principalservicename": None,
            **{key: None for key in _SOURCE_KEYS},
        }


def _truth(clause: Clause, request: dict[str, Any]) -> bool | None:
    """The clause for this request: True, False, or None when it cannot be decided."""
    key = clause.key_lower
    value = None if _is_claim_key(key) else request.get(key, _UNKNOWN)
    if value is _UNKNOWN or not clause.understood:
        return None
    return clause.evaluate(value)


def _conditions(clauses: Iterable[Clause], request: dict[str, Any]) -> tuple[bool, list[Clause]]:
    """(False if some clause is certainly false, the clauses that cannot be decided)."""
    undecided = []
    for clause in clauses:
        truth = _truth(clause, request)
        if truth is False:
            return False, []
        if truth is None:
            undecided.append(clause)
    return True, undecided


def _allow_match(st: _Statement, who: _Caller) -> tuple[bool, str] | None:
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


def _within(who: _Caller, p: _Principal) -> bool:
    """Is the caller one of the principals ``p`` stands for (for Deny and NotPrincipal)?"""
    if p.kind == "any":
        return True
    if p.kind != "aws" or p.account != who.account:
        return False
    return p.arn is None or who.named_by(p)


def _admits(statements: Iterable[_Statement], ctx: TrustContext, arn: str) -> Admission | None:
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


# --- entry point --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assumers:
    """Everyone who can assume the role, as far as its trust policy says."""

    entries: tuple[Assumer, ...]
    notes: tuple[str, ...]  # statements that grant nothing, deleted principals...
    context: TrustContext = field(repr=False, compare=False)
    statements: tuple[_Statement, ...] = field(default=(), repr=False, compare=False)

    def with_risk(self, risk: Risk) -> tuple[Assumer, ...]:
        return tuple(a for a in self.entries if risk in a.risks)

    def admits(self, principal_arn: str) -> Admission | None:
        """Whether a user or role of the role's own account can assume the role.

        ``principal_arn`` is a user or role ARN (an assumed-role session ARN stands for its
        role). Named by its ARN, or trusted through ``"*"`` / ``NotPrincipal``: admitted
        without identity permission (AWS: a resource-based policy that grants to the principal
        itself needs no identity-based allow in the same account). Trusted through its account
        (``123456789012``, ``arn:aws:iam::123456789012:root``): admitted, and the caller still
        needs ``sts:AssumeRole`` on the role in its identity policy
        (``needs_identity_permission=True``). A condition the snapshot cannot decide (MFA, source
        IP, tags, the external id, the organization when it could not be read) counts as met in
        an Allow and as avoidable in a Deny: escalation is never under-reported. None: not
        admitted, or a principal of another account. ValueError: not a user or role ARN.
        """
        return _admits(self.statements, self.context, principal_arn)


def who_can_assume(document: Mapping[str, Any] | str, ctx: TrustContext) -> Assumers:
    """Everyone a role's trust policy lets assume the role, after conditions and Denies."""
    statements, notes = _parse(document)
    denies = [st for st in statements if st.effect == "Deny"]
    entries: list[Assumer] = []
    for st in statements:
        if st.effect != "Allow":
            continue
        principals = (
            (_Principal("any", "NotPrincipal", "NotPrincipal"),)
            if st.not_principal
            else st.principals
        )
        for principal in principals:
            actions = frozenset(a for a in _actions_for(principal) if st.covers(a))
            if not actions:
                wanted = " or ".join(sorted(_actions_for(principal)))
                notes.append(f"{st.label} does not grant {wanted} to {principal.value}")
                continue
            start = _Candidate(
                principal, actions, st.label, st.clauses, everyone_but=st.not_principal
            )
            for candidate in _narrow([start], denies):
                entries.extend(_assumers(candidate, ctx))
    return Assumers(tuple(entries), tuple(notes), ctx, tuple(statements))
