"""What a trust statement's conditions pin: accounts, organizations, an external id, services.

A condition narrows the caller only when it is positive, false for a request without its key,
and every value is a real pin: an account id without a wildcard where the id sits
(``StringLike``'s ``*`` spans ``:``, ``ArnLike``'s and ``ArnEquals``' stay in their component),
an organization id without any wildcard (ids are random: a pattern such as ``o-*`` or
``o-*/*`` is no one's), an external id without a wildcard. Several pins on one dimension are
intersected (several keys are AND).

Exact operators (``StringEquals``, ``StringEqualsIgnoreCase``) read ``*`` and ``?`` as the
characters they are
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String):
a value no caller can carry (an account id that is not 12 digits, an organization id or path
with ``*`` in it, an external id with a character AssumeRole refuses) matches no one, and a
clause whose every value is such admits no one (``Pins.nobody``). ``ArnEquals`` takes wildcards
like ``ArnLike`` ("The ArnEquals and ArnLike condition operators behave identically").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from iamgate.policy import providers as pv
from iamgate.policy.conditions import Clause, only_wildcards, quoted
from iamgate.policy.wildcard import has_wildcard, literal_prefix, match_text

# Identity keys (lower-case). Principal-side keys describe the caller; source-side keys the
# resource a service acts for (present only when a service principal calls). The bool says
# whether the value is an ARN (or an organization path) rather than a bare id.
ACCOUNT_KEYS = {
    "aws:principalaccount": False,
    "aws:sourceaccount": False,
    "aws:sourceowner": False,
    "aws:principalarn": True,
    "aws:sourcearn": True,
}
ORG_KEYS = {
    "aws:principalorgid": False,
    "aws:sourceorgid": False,
    "aws:principalorgpaths": True,
    "aws:sourceorgpaths": True,
}
SOURCE_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
    }
)
EXTERNAL_ID = "sts:externalid"
IS_SERVICE = "aws:principalisawsservice"
SERVICE_NAME = "aws:principalservicename"
PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        EXTERNAL_ID,
        IS_SERVICE,
        SERVICE_NAME,
    }
)


# Caller keys a service principal's request does not carry: they describe a user or role and
# its account (aws:PrincipalServiceName and aws:PrincipalIsAWSService describe a service).
SERVICE_ABSENT_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:username",
    }
)
_ACCOUNT_ID = re.compile(r"\d{12}")
# What AssumeRole accepts as an ExternalId (its API reference: [\w+=,.@:\/-]*).
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]*")


def is_claim_key(key: str) -> bool:
    """``<provider URL>:<claim>`` (web identity) or ``saml:<attribute>``."""
    prefix, sep, _ = key.rpartition(":")
    return bool(sep) and ("." in prefix or prefix == "saml")


def is_identity_key(key: str) -> bool:
    return (
        key in ACCOUNT_KEYS
        or key in ORG_KEYS
        or is_claim_key(key)
        or key in (EXTERNAL_ID, IS_SERVICE, SERVICE_NAME)
    )


def is_pin(clause: Clause) -> bool:
    """A clause narrows only if it is false for callers without the key and is not negated."""
    return (
        clause.understood
        and not clause.negated
        and not clause.true_when_absent
        and clause.family in ("string", "arn", "bool")
    )


def why_not(clause: Clause) -> str:
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


def exact(clause: Clause) -> bool:
    """A string operator without wildcards: ``*`` and ``?`` in its values are literal."""
    return clause.family == "string" and not clause.wildcards


def _shape(value: str) -> str:
    if only_wildcards(value):
        return "everyone"
    return "some" if has_wildcard(value) else "exact"


def _literal_account(clause: Clause, value: str) -> tuple[str, str]:
    """An exact operator's value: the account it names, or "nobody" when no caller has it."""
    account = value
    if ACCOUNT_KEYS[clause.key_lower]:
        parts = value.split(":", 5)
        if len(parts) != 6:
            return "nobody", value
        account = parts[4]
        if not account:
            return "none", value
    return ("exact", account) if _ACCOUNT_ID.fullmatch(account) else ("nobody", value)


def _account_of(clause: Clause, value: str) -> tuple[str, str]:
    """-> (shape, account): shape "exact" | "some" (a pattern) | "everyone" | "none" (the ARN
    has no account field, like an S3 bucket's) | "nobody" (an exact value no account has)."""
    if exact(clause):
        return _literal_account(clause, value)
    if not ACCOUNT_KEYS[clause.key_lower]:
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
    """-> ("exact", org) | ("everyone", value): any wildcard in the organization id pins
    nothing | ("nobody", value): an exact operator's value with ``*`` or ``?`` in it."""
    if exact(clause):
        return ("nobody", value) if has_wildcard(value) else ("exact", value.split("/")[0])
    org = value.split("/")[0] if ORG_KEYS[clause.key_lower] else value  # o-xxx/r-yyy/ou-zzz/
    return ("everyone", value) if has_wildcard(org) else ("exact", org)


def meet(a: frozenset[str] | None, b: frozenset[str]) -> frozenset[str]:
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
class Pins:
    """What a candidate's identity conditions pin."""

    accounts: frozenset[str] | None  # None: any account
    orgs: frozenset[str] | None
    external_id: bool
    services: frozenset[str] | None  # aws:PrincipalIsAWSService / aws:PrincipalServiceName
    source: bool  # a positive aws:Source* test: only a service principal carries those keys
    arn_without_account: bool
    notes: tuple[str, ...]
    used: tuple[Clause, ...]
    nobody: Clause | None = None  # an exact test whose every value no caller can carry


def read_pins(clauses: Iterable[Clause], keys: frozenset[str] | None) -> Pins:
    """Read account, organization, external id and service pins (``keys``: only these)."""
    accounts: frozenset[str] | None = None
    orgs: frozenset[str] | None = None
    services: frozenset[str] | None = None
    external_id = source = arn_without_account = False
    notes: list[str] = []
    used: list[Clause] = []
    nobody: Clause | None = None
    for clause in clauses:
        key = clause.key_lower
        if (keys is not None and key not in keys) or is_claim_key(key) or not is_identity_key(key):
            continue
        if not is_pin(clause):
            notes.append(why_not(clause))
            continue
        values = _possible(clause)
        if not values:
            nobody = nobody or clause
            continue
        source = source or key in SOURCE_KEYS
        if key in ACCOUNT_KEYS or key in ORG_KEYS:
            pinned, note, no_account = _pinned_ids(clause, values)
            if pinned is None:
                notes.append(note)
                arn_without_account = arn_without_account or no_account
            elif key in ACCOUNT_KEYS:
                accounts = meet(accounts, pinned)
                used.append(clause)
            else:
                orgs = meet(orgs, pinned)
                used.append(clause)
        elif key == EXTERNAL_ID:
            loose = [v for v in values if not v or has_wildcard(v)]
            if loose or not values:
                notes.append(f"sts:ExternalId {quoted((loose or [''])[0])} is a wildcard")
            else:
                external_id = True
                used.append(clause)
        elif key == IS_SERVICE and all(v.lower() == "true" for v in values):
            services = services or frozenset({"*"})
            used.append(clause)
        elif key == SERVICE_NAME and not any(has_wildcard(v) for v in values):
            named = frozenset(pv.normalize_service(v) for v in values)
            services = named if services in (None, frozenset({"*"})) else services & named
            used.append(clause)
    return Pins(
        accounts,
        orgs,
        external_id,
        services,
        source,
        arn_without_account,
        tuple(notes),
        tuple(used),
        nobody,
    )


def _pinned_ids(clause: Clause, values: tuple[str, ...]) -> tuple[frozenset[str] | None, str, bool]:
    """(the accounts or organizations a clause pins, or None; why it pins none; whether that is
    an ARN with no account field)."""
    if clause.key_lower in ORG_KEYS:
        if clause.test.endswith("IgnoreCase"):  # organization ids are lower-case
            values = tuple(v.lower() for v in values)
        shapes = [_org_of(clause, v) for v in values]
        what = "organization"
    else:
        shapes = [_account_of(clause, v) for v in values]
        what = "account"
    if not shapes or any(shape == "everyone" for shape, _ in shapes):
        anyone = quoted(_first_everyone(values, shapes))
        return None, f"{clause.key} {anyone} matches every {what}", False
    if any(shape == "none" for shape, _ in shapes):
        return None, f"{clause.key} {quoted(values[0])} names no account", True
    return frozenset(v for _, v in shapes), "", False


def _possible(clause: Clause) -> tuple[str, ...]:
    """The clause's values some caller can carry: under an exact operator, an account that is
    not 12 digits, an organization id or path with ``*`` or ``?``, an external id AssumeRole
    refuses are no one's (``StringIgnoreCase`` compares organization ids lower-cased)."""
    if not exact(clause):
        return clause.values
    key = clause.key_lower
    if key in ACCOUNT_KEYS:
        return tuple(v for v in clause.values if _account_of(clause, v)[0] != "nobody")
    if key in ORG_KEYS:
        return tuple(v for v in clause.values if not has_wildcard(v))
    if key == EXTERNAL_ID:
        return tuple(v for v in clause.values if _EXTERNAL_ID.fullmatch(v))
    return clause.values


def service_cannot_meet(clauses: Iterable[Clause]) -> Clause | None:
    """A positive test of a caller key that describes a user or role (its account, ARN,
    organization, name or id): a service principal's request does not carry it, so it is
    false for every service, whichever customer the service acts for. A value that is only
    wildcards is left out: it might match whatever a service carries."""
    for clause in clauses:
        key = clause.key_lower
        if key not in SERVICE_ABSENT_KEYS or not is_pin(clause):
            continue
        if clause.values and not any(clause.wildcards and only_wildcards(v) for v in clause.values):
            return clause
    return None


def _first_everyone(values: tuple[str, ...], shapes: list[tuple[str, str]]) -> str:
    for value, (shape, _) in zip(values, shapes, strict=True):
        if shape == "everyone":
            return value
    return values[0] if values else ""


def shown_values(clause: Clause) -> str:
    return " or ".join(quoted(v) for v in clause.values) or "(no value)"
