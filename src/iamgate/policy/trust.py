"""Trust policies: who (``Principal``) may assume a role, and on what terms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamgate.policy.document import PolicyFormatError, as_tuple, parse_document


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
                principals[str(kind)] = as_tuple(value, f"Principal.{kind}") or ()
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
