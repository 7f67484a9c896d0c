"""The IAM policy language, as AWS evaluates it, for the questions the checks ask.

One place normalizes the str-or-list fields (``Action``/``NotAction``, ``Resource``/
``NotResource``, ``Principal``); the rest are pure functions over :class:`Statement`:

- action names match case-insensitively, with ``*`` and ``?`` anywhere (``iam:*Policy*``);
- an explicit ``Deny`` wins over any ``Allow``, but a Deny with a ``Condition`` may not apply,
  so it never removes a grant here (the conservative reading for a compliance gate);
- ``Allow`` + ``NotAction`` grants everything *but* the listed actions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ADMIN_POLICY_ARN_SUFFIX = ":policy/AdministratorAccess"


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] | None  # None when the statement uses NotAction
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    has_condition: bool
    sid: str
    index: int  # position in the policy, for messages when there is no Sid
    source: str = ""  # the policy that holds it: an ARN or "<principal>#inline/<name>"

    @property
    def label(self) -> str:
        name = f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"
        return f"{name} of {self.source}" if self.source else name


class PolicyFormatError(ValueError):
    pass


def _as_tuple(value: Any, field: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyFormatError(f"{field} must be a string or a list of strings")


def parse_document(document: Mapping[str, Any] | str) -> Mapping[str, Any]:
    """Accept a document as AWS returns it: a dict, or JSON text (possibly URL-encoded)."""
    if isinstance(document, str):
        from urllib.parse import unquote

        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyFormatError(f"policy document is not JSON: {exc.msg}") from None
    if not isinstance(document, Mapping):
        raise PolicyFormatError("policy document is not a JSON object")
    return document


def statements(document: Mapping[str, Any] | str, source: str = "") -> tuple[Statement, ...]:
    doc = parse_document(document)
    if "iamgate:unparsed" in doc:
        raise PolicyFormatError(f"policy document could not be read: {doc['iamgate:unparsed']!r}")
    if "Statement" not in doc:
        raise PolicyFormatError("policy document has no Statement")
    raw = doc["Statement"]
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyFormatError("Statement must be an object or a list")
    result = []
    for i, st in enumerate(raw):
        if not isinstance(st, Mapping):
            raise PolicyFormatError(f"statement #{i + 1} is not an object")
        effect = st.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyFormatError(f"statement #{i + 1}: Effect must be Allow or Deny")
        result.append(
            Statement(
                effect=effect,
                actions=_as_tuple(st.get("Action"), "Action"),
                not_actions=_as_tuple(st.get("NotAction"), "NotAction"),
                resources=_as_tuple(st.get("Resource"), "Resource"),
                not_resources=_as_tuple(st.get("NotResource"), "NotResource"),
                has_condition=bool(st.get("Condition")),
                sid=str(st.get("Sid") or ""),
                index=i,
                source=source,
            )
        )
    return tuple(result)


@lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(glob: str, value: str) -> bool:
    """IAM wildcard match: ``*`` any run, ``?`` one character, case-insensitive."""
    return _pattern(glob).fullmatch(value) is not None


def _covers_action(st: Statement, action: str) -> bool:
    if st.actions is not None:
        return any(matches(p, action) for p in st.actions)
    if st.not_actions is not None:
        return not any(matches(p, action) for p in st.not_actions)
    return False


def _all_resources(st: Statement) -> bool:
    """The statement applies to every resource (``*``), or to all but a few (NotResource)."""
    if st.resources is not None:
        return "*" in st.resources
    return st.not_resources is not None


def _deny_all_resources(st: Statement) -> bool:
    """A Deny applies everywhere only with ``Resource: *`` (NotResource spares the listed ones)."""
    if st.resources is not None:
        return "*" in st.resources
    return st.not_resources is not None and not st.not_resources


def _is_all_actions(st: Statement) -> bool:
    return st.actions is not None and any(a in ("*", "*:*") for a in st.actions)


def admin_grants(sts: Iterable[Statement]) -> list[Statement]:
    """Allow statements that grant full administrator access (or its equivalent)."""
    return [
        st
        for st in sts
        if st.effect == "Allow"
        and _all_resources(st)
        and (_is_all_actions(st) or st.not_actions is not None)
    ]


def admin_revoked_by(sts: Iterable[Statement]) -> Statement | None:
    """An unconditional Deny of every action on every resource, if there is one."""
    for st in sts:
        if (
            st.effect == "Deny"
            and not st.has_condition
            and _deny_all_resources(st)
            and (_is_all_actions(st) or (st.not_actions is not None and not st.not_actions))
        ):
            return st
    return None


def describe_admin(grant: Statement) -> str:
    if grant.not_actions is not None:
        listed = ", ".join(grant.not_actions)
        return f"Allow NotAction [{listed}] on * (everything else) in {grant.label}"
    return f"Allow * on * in {grant.label}"


@dataclass(frozen=True, slots=True)
class Grant:
    action: str
    statement: Statement


@dataclass(frozen=True, slots=True)
class Decision:
    """What one policy says about one action."""

    grant: Statement | None = None  # the first Allow that covers it
    deny: Statement | None = None  # the first unconditional Deny of it on every resource


def decide(sts: Iterable[Statement], action: str) -> Decision:
    grant = None
    for st in sts:
        if not _covers_action(st, action):
            continue
        if st.effect == "Deny":
            if not st.has_condition and _deny_all_resources(st):
                return Decision(grant, st)
        elif grant is None:
            grant = st
    return Decision(grant, None)


def combine(action: str, decisions: Iterable[Decision]) -> Grant | None:
    """Several policies together: any unconditional Deny wins, else the first grant."""
    grant = None
    for d in decisions:
        if d.deny is not None:
            return None
        if grant is None and d.grant is not None:
            grant = Grant(action, d.grant)
    return grant


def allowed(sts: Iterable[Statement], action: str) -> Grant | None:
    """Whether ``action`` is allowed on some resource, and by which statement.

    An unconditional Deny covering the action on every resource removes the grant; a Deny
    with a Condition or scoped to some resources does not (it may not apply).
    """
    return combine(action, [decide(sts, action)])


# --- effective access of a principal ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Access:
    """What a principal may do: its identity statements, limited by a permissions boundary.

    ``boundary`` is None when the principal has none. An action is effective only when the
    identity statements allow it *and* the boundary allows it (AWS intersects the two).
    """

    statements: tuple[Statement, ...]
    boundary: tuple[Statement, ...] | None = None

    def allows(self, action: str) -> Grant | None:
        grant = allowed(self.statements, action)
        if grant is None:
            return None
        if self.boundary is not None and allowed(self.boundary, action) is None:
            return None
        return grant

    def admin(self) -> tuple[bool, str]:
        """(full administrator, why), reading Deny and the boundary as AWS does."""
        grants = admin_grants(self.statements)
        if not grants:
            return False, "no statement grants full administrator access"
        revoked = admin_revoked_by(self.statements)
        if revoked is not None:
            return False, f"administrator access is granted but denied by {revoked.label}"
        if self.boundary is not None:
            if not admin_grants(self.boundary):
                return False, (
                    f"{describe_admin(grants[0])}, but the permissions boundary limits it"
                )
            limited = admin_revoked_by(self.boundary)
            if limited is not None:
                return False, f"the permissions boundary denies it ({limited.label})"
        return True, describe_admin(grants[0])


def service_wildcards(sts: Iterable[Statement]) -> list[tuple[str, Statement]]:
    """``(service:*, statement)`` for each Allow of a whole service (``iam:*``, ``S3:*``)."""
    found = []
    for st in sts:
        if st.effect != "Allow" or st.actions is None:
            continue
        for action in st.actions:
            service, sep, name = action.partition(":")
            if sep and name == "*" and service and "*" not in service:
                found.append((action, st))
    return found


# --- trust policies ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustStatement:
    """An Allow of a trust policy: who (``Principal``) may assume the role, and on what terms."""

    principals: Mapping[str, tuple[str, ...]]  # {"AWS": (...), "Service": (...), ...}; "*" -> AWS
    condition_keys: frozenset[str]  # lower-cased keys under every operator
    sid: str
    index: int

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"


def trust_statements(document: Mapping[str, Any] | str) -> tuple[TrustStatement, ...]:
    """The Allow statements of a trust policy (Deny in a trust policy only narrows)."""
    doc = parse_document(document)
    if "iamgate:unparsed" in doc:
        raise PolicyFormatError(f"trust policy could not be read: {doc['iamgate:unparsed']!r}")
    raw = doc.get("Statement", [])
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise PolicyFormatError("Statement must be an object or a list")
    out = []
    for i, st in enumerate(raw):
        if not isinstance(st, Mapping):
            raise PolicyFormatError(f"statement #{i + 1} is not an object")
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        principals: dict[str, tuple[str, ...]] = {}
        if principal == "*":
            principals["AWS"] = ("*",)
        elif isinstance(principal, Mapping):
            for kind, value in principal.items():
                principals[str(kind)] = _as_tuple(value, f"Principal.{kind}") or ()
        elif principal is not None:
            raise PolicyFormatError(f"statement #{i + 1}: Principal must be * or an object")
        keys: set[str] = set()
        condition = st.get("Condition") or {}
        if not isinstance(condition, Mapping):
            raise PolicyFormatError(f"statement #{i + 1}: Condition must be an object")
        for block in condition.values():
            if isinstance(block, Mapping):
                keys.update(str(k).lower() for k in block)
        out.append(TrustStatement(principals, frozenset(keys), str(st.get("Sid") or ""), i))
    return tuple(out)


_ACCOUNT_IN_PRINCIPAL = re.compile(r"^(?:arn:[^:]+:(?:iam|sts)::)?(\d{12})(?::.*)?$")


def principal_account(principal: str) -> str | None:
    """The account of an AWS principal: ``123456789012`` or an ARN in it; None for ``*``."""
    found = _ACCOUNT_IN_PRINCIPAL.match(principal)
    return found.group(1) if found else None
