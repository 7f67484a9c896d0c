"""Policy documents: parsed once into :class:`Statement` values.

One place normalizes the str-or-list fields (``Action``/``NotAction``, ``Resource``/
``NotResource``) and rejects what AWS would not store; everything else in ``policy/`` works on
statements.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote


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


def as_tuple(value: Any, field: str) -> tuple[str, ...] | None:
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
        text = document if document.lstrip().startswith("{") else unquote(document)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyFormatError(f"policy document is not JSON: {exc.msg}") from None
        except RecursionError:
            raise PolicyFormatError("policy document is nested too deeply") from None
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
                actions=as_tuple(st.get("Action"), "Action"),
                not_actions=as_tuple(st.get("NotAction"), "NotAction"),
                resources=as_tuple(st.get("Resource"), "Resource"),
                not_resources=as_tuple(st.get("NotResource"), "NotResource"),
                has_condition=bool(st.get("Condition")),
                sid=str(st.get("Sid") or ""),
                index=i,
                source=source,
            )
        )
    return tuple(result)
