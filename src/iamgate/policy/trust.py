"""Who can assume a role: a small, exact model of a trust policy.

``who_can_assume(document, context)`` reads every statement. Each principal an ``Allow`` names,
with its conditions, is a candidate; each ``Deny`` then removes the callers it certainly applies
to: a Deny whose conditions all read "the caller is not X" (``StringNotEquals
aws:PrincipalOrgID``...) leaves only X, and a Deny with a condition this model cannot read
removes nothing (a risk never turns into a pass because of a Deny that was not understood;
``trust_statements.py``). What is left is read into :class:`Assumer` entries that say who they
are, which statement and condition let them in, and which :class:`Risk` they are.

Conditions narrow the caller only when they pin an identity key (an account, organization,
principal ARN, source, external id or web identity claim) to values that are not everyone.
The AWS semantics relied on, with links, are in docs/checks.md ("Role trust").

:meth:`Assumers.admits` answers the privilege-escalation graph's question: can a principal of
the role's own account assume it, and does it need ``sts:AssumeRole`` in its identity policy too?
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from iamgate.policy import providers as pv
from iamgate.policy.conditions import (
    Clause,
    quoted,
)
from iamgate.policy.document import PolicyFormatError
from iamgate.policy.trust_callers import Admission, admits
from iamgate.policy.trust_context import TrustContext
from iamgate.policy.trust_pins import (
    EXTERNAL_ID,
    PRINCIPAL_KEYS,
    SOURCE_KEYS,
    is_pin,
    meet,
    read_pins,
    service_cannot_meet,
    shown_values,
    why_not,
)
from iamgate.policy.trust_statements import (
    ASSUME_ROLE,
    Candidate,
    ParsedTrust,
    TrustPrincipal,
    TrustStatement,
    actions_for,
    narrow,
    parse_trust,
)
from iamgate.policy.wildcard import has_wildcard

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


# --- why they get in ----------------------------------------------------------------------------


def _why(c: Candidate, notes: Iterable[str], used: Iterable[Clause], keys: str = "") -> str:
    """``has no condition`` / ``conditions only on aud`` / what pinned, what did not, and what
    each Deny lets through."""
    parts: list[str] = []
    notes = tuple(notes)
    own = [cl for cl in used if cl in c.clauses]
    if own:
        parts.append("pins " + ", ".join(f"{cl.key} to {shown_values(cl)}" for cl in own))
    elif not c.clauses:
        parts.append("has no condition")
    elif keys or not notes:
        shown = keys or ", ".join(dict.fromkeys(cl.key for cl in c.clauses))
        parts.append(f"conditions only on {shown}")
    parts += notes
    for label, clause in dict.fromkeys(c.spared):
        parts.append(f"Deny {label} lets through only {clause.render()}")
    for label, reason in dict.fromkeys(c.unused_denies):
        parts.append(f"Deny {label} {reason}")
    return "; ".join(parts) if parts else "conditions do not identify the caller"


# --- assumers by kind ---------------------------------------------------------------------------


def _assumer(
    kind: Kind, who: str, c: Candidate, why: str, pinned: bool, risks: Iterable[Risk]
) -> Assumer:
    return Assumer(kind, who, c.label, why, pinned, frozenset(risks))


def _assumers(c: Candidate, ctx: TrustContext) -> list[Assumer]:
    kind = c.principal.kind
    if kind in ("any", "aws", "canonical"):
        return _aws_assumers(c, ctx)
    if kind == "service":
        return [_service_assumer(c, c.principal.value, ctx)]
    found = _federated_assumer(c, ctx)
    return [found] if found is not None else []


def _aws_assumers(c: Candidate, ctx: TrustContext) -> list[Assumer]:
    p = c.principal
    pins = read_pins(c.all_clauses, None if p.kind == "any" else PRINCIPAL_KEYS)
    if pins.nobody is not None:
        return []  # an exact test no caller can meet: no one
    if p.kind == "any" and (pins.services is not None or pins.source):
        # Only service principals carry aws:Source* keys or aws:PrincipalIsAWSService=true.
        return [_service_assumer(c, name, ctx) for name in sorted(pins.services or {"*"})]
    if pins.services is not None:
        return []  # aws:PrincipalIsAWSService is false on every request an IAM principal signs
    accounts = pins.accounts
    if p.account is not None:
        own = frozenset({p.account})
        accounts = own if accounts is None else meet(own, accounts)
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


def _service_assumer(c: Candidate, name: str, ctx: TrustContext) -> Assumer:
    service = "any AWS service" if name == "*" else name
    barred = service_cannot_meet(c.all_clauses)
    if barred is not None:
        why = f"pins {barred.key} to {shown_values(barred)}, which no service principal carries"
        return _assumer(Kind.SERVICE, f"no request of {service}", c, why, True, ())
    pins = read_pins(c.all_clauses, SOURCE_KEYS | {EXTERNAL_ID})
    if pins.nobody is not None:
        never = pins.nobody
        why = f"{never.operator} {never.key} = {shown_values(never)} matches no request"
        return _assumer(Kind.SERVICE, f"no request of {service}", c, why, True, ())
    pinned = pins.accounts is not None or pins.orgs is not None or pins.external_id
    notes = pins.notes
    if pins.arn_without_account and not pinned:
        notes = (*notes, "AWS asks for aws:SourceAccount beside such an aws:SourceArn")
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


def _saml_assumer(c: Candidate, ctx: TrustContext) -> Assumer:
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


@dataclass(slots=True)
class _Subject:
    """What a web identity trust's subject conditions pin (several are AND)."""

    provider: pv.Provider
    paths: list[tuple[str, ...]] | None = None  # None: nothing pinned
    owner_ids: tuple[str, ...] = ()
    family: pv.Provider | None = None  # a known family, read from a self-hosted subject
    used: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read_subject(
    provider: pv.Provider, clauses: Iterable[Clause], ctx: TrustContext
) -> _Subject | None:
    """The pins of the subject claim's conditions; None when one of them matches no subject
    the provider issues (``StringEquals sub "*"``): then no one gets in."""
    found = _Subject(provider, owner_ids=(provider.id,), family=provider)
    for clause in clauses:
        if not is_pin(clause):
            found.notes.append(why_not(clause))
            continue
        grammar = [
            (pv.self_hosted(v) or provider) if provider is pv.GENERIC else provider
            for v in clause.values
        ]
        exact = clause.family == "string" and not clause.wildcards
        read = [pv.read_subject(g, v, exact) for g, v in zip(grammar, clause.values, strict=True)]
        if read and all(f == pv.NOBODY for f in read):
            return None
        kept = [
            (g, v, f)
            for g, v, f in zip(grammar, clause.values, read, strict=True)
            if f != pv.NOBODY
        ]
        grammar = [g for g, _, _ in kept]
        paths = [f for _, _, f in kept if not isinstance(f, str)]
        loose = [v for _, v, f in kept if f is None]
        if loose or not paths:
            found.notes.append(
                f"{clause.key} {quoted(loose[0])} pins no {grammar[0].scope}"
                if loose
                else f"{clause.key} has no value"
            )
            continue
        ids = tuple(dict.fromkeys(g.id for g in grammar))
        if provider is pv.GENERIC and ids in (("terraform",), ("buildkite",)):
            ids = ("terraform", "buildkite")  # "organization:..." is either one's shape
        pinned = [f for f in paths if f is not None]
        # Several subject conditions are AND: keep the one whose owners are all yours.
        if found.paths is None or all(ctx.owns(ids, path) for path in pinned):
            found.paths, found.owner_ids, found.used = pinned, ids, [clause]
            found.family = grammar[0]
    return found


def _federated_assumer(c: Candidate, ctx: TrustContext) -> Assumer | None:
    """Who a web identity or SAML principal lets in; None when its subject test matches no
    subject the provider issues."""
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
    subject = _read_subject(provider, claims.get(provider.subject_claim, []), ctx)
    if subject is None:
        return None
    paths = subject.paths
    if provider.tenant_pins and match.tenant:  # CircleCI org, Bitbucket workspace in the URL
        tenant = (match.tenant,)
        paths = (
            [tenant]
            if paths is None
            else [tenant + (path[1:] if provider is pv.CIRCLECI else path) for path in paths]
        )
    # "conditions only on aud": the claims conditioned, when none is the subject claim
    keys = ", ".join(claims) if claims and provider.subject_claim not in claims else ""
    why = _why(c, subject.notes, subject.used, keys)
    risks: set[Risk] = set()
    if p.account not in (None, ctx.account_id):
        risks.add(Risk.UNPINNED_FEDERATION)
        why += f"; the OIDC provider is registered in account {p.account}, not this one"
    if paths is None:
        return _unpinned(c, match, url, why, risks)
    return _pinned(c, match, subject, paths, claims.get("amr", []), why, risks, ctx)


def _unpinned(
    c: Candidate, match: pv.ProviderMatch, url: str, why: str, risks: set[Risk]
) -> Assumer:
    provider = match.provider
    suffix = f" ({match.url})" if match.tenant or provider is pv.GENERIC else ""
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


def _pinned(
    c: Candidate,
    match: pv.ProviderMatch,
    subject: _Subject,
    paths: list[tuple[str, ...]],
    amr: list[Clause],
    why: str,
    risks: set[Risk],
    ctx: TrustContext,
) -> Assumer:
    provider = match.provider
    shown = ", ".join("/".join(path) for path in paths)
    if provider is pv.COGNITO:
        if all(cl.understood and cl.evaluate(("unauthenticated",)) for cl in amr):
            fix = "" if amr else f"; add ForAnyValue:StringLike {match.url}:amr = 'authenticated'"
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
    suffix = f" ({match.url})" if match.tenant or provider is pv.GENERIC else ""
    family = subject.family or provider
    who = f"{_plural(family.caller)} of {shown}{suffix}"
    owners = subject.owner_ids
    if owners[0] in pv.OWNER_PROVIDERS and not all(ctx.owns(owners, x) for x in paths):
        risks.add(Risk.UNPINNED_FEDERATION)
        who += ", an owner not in [trust] oidc_owners"
    return _assumer(Kind.WEB_IDENTITY, who, c, why, True, risks)


# --- entry point --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assumers:
    """Everyone who can assume the role, as far as its trust policy says."""

    entries: tuple[Assumer, ...]
    notes: tuple[str, ...]  # statements that grant nothing, deleted principals...
    context: TrustContext = field(repr=False, compare=False)
    statements: tuple[TrustStatement, ...] = field(default=(), repr=False, compare=False)

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
        return admits(self.statements, self.context, principal_arn)

    def admits_service(self, service: str) -> Admission | None:
        """Whether the AWS service ``service`` (``lambda.amazonaws.com``) may assume the role:
        whoever can pass the role to that service runs code with it. Source conditions count as
        met (the service then acts for this very account) and only an unconditional Deny of the
        service keeps it out: escalation is never under-reported."""
        wanted = pv.normalize_service(service)

        def names(st: TrustStatement) -> bool:
            return any(
                p.kind == "any" or (p.kind == "service" and pv.normalize_service(p.value) == wanted)
                for p in st.principals
            )

        applies = [
            st
            for st in self.statements
            if not st.not_principal and st.covers(ASSUME_ROLE) and names(st)
        ]
        if any(st.effect == "Deny" and not st.clauses for st in applies):
            return None
        for st in applies:
            if st.effect == "Allow":
                conditioned = " (its conditions taken as met)" if st.clauses else ""
                return Admission(False, st.label, f"trusts {service}{conditioned}")
        return None


def who_can_assume(
    document: Mapping[str, Any] | str,
    ctx: TrustContext,
    outside: tuple[TrustStatement, ...] = (),
    parsed: ParsedTrust | None = None,
) -> Assumers:
    """Everyone a role's trust policy lets assume the role, after conditions and Denies.
    ``outside``: Denies from outside the trust that apply to assuming the role, as AWS adds
    them (the organization's RCPs, :meth:`.organization.OrganizationBounds.trust_denies`).
    ``parsed``: ``parse_trust(document)`` when the caller already has it."""
    read, first_notes = parsed if parsed is not None else parse_trust(document)
    statements = [*read, *outside]
    notes = list(first_notes)
    denies = [st for st in statements if st.effect == "Deny"]
    entries: list[Assumer] = []
    for st in statements:
        if st.effect != "Allow":
            continue
        principals = (
            (TrustPrincipal("any", "NotPrincipal", "NotPrincipal"),)
            if st.not_principal
            else st.principals
        )
        for principal in principals:
            actions = frozenset(a for a in actions_for(principal) if st.covers(a))
            if not actions:
                wanted = " or ".join(sorted(actions_for(principal)))
                notes.append(f"{st.label} does not grant {wanted} to {principal.value}")
                continue
            start = Candidate(
                principal, actions, st.label, st.clauses, everyone_but=st.not_principal
            )
            for candidate in narrow([start], denies):
                entries.extend(_assumers(candidate, ctx))
    return Assumers(tuple(entries), tuple(notes), ctx, tuple(statements))
