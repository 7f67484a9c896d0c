"""The ``Condition`` element of a policy, read the way AWS evaluates it.

Semantics relied on
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):

- keys are case-insensitive; ``StringEquals``/``StringLike`` values are case-sensitive,
  ``StringEqualsIgnoreCase`` is not; ``StringLike`` wildcards (``*``, ``?``) may span ``:``,
  while ``ArnLike`` and ``ArnEquals`` (which behave the same) match each of the six
  colon-separated components of an ARN on its own;
- several values for one key are OR; several keys or operators in one block are AND;
- a key absent from the request makes a condition false, except for the negated operators
  (``StringNotEquals``...), ``...IfExists`` and ``ForAllValues:`` (all true) and ``Null``;
  ``ForAnyValue:`` with an absent key is false; for both set qualifiers an empty string is an
  absent ("null") data set.

StringLike globs are matched by :func:`iamgate.policy.wildcard.match_text`, the project's one
linear glob matcher: a policy author controls every pattern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iamgate.policy.document import PolicyFormatError
from iamgate.policy.wildcard import match_text

# base operator (lower-case) -> (canonical name, family, negated, values are globs)
_OPERATORS: dict[str, tuple[str, str, bool, bool]] = {
    "stringequals": ("StringEquals", "string", False, False),
    "stringnotequals": ("StringNotEquals", "string", True, False),
    "stringequalsignorecase": ("StringEqualsIgnoreCase", "string", False, False),
    "stringnotequalsignorecase": ("StringNotEqualsIgnoreCase", "string", True, False),
    "stringlike": ("StringLike", "string", False, True),
    "stringnotlike": ("StringNotLike", "string", True, True),
    "arnequals": ("ArnEquals", "arn", False, True),
    "arnlike": ("ArnLike", "arn", False, True),
    "arnnotequals": ("ArnNotEquals", "arn", True, True),
    "arnnotlike": ("ArnNotLike", "arn", True, True),
    "bool": ("Bool", "bool", False, False),
    "null": ("Null", "null", False, False),
}


def only_wildcards(text: str) -> bool:
    """``*``, ``**``, ``????``: a glob with no literal character, which pins nothing."""
    return bool(text) and all(char in "*?" for char in text)


def arn_match(pattern: str, value: str) -> bool:
    """``ArnLike``/``ArnEquals``: each of the six components matched on its own."""
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return only_wildcards(pattern)  # "*" alone still matches every ARN
    return all(match_text(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


@dataclass(frozen=True, slots=True)
class Clause:
    """One ``operator: {key: values}`` test of a Condition block."""

    operator: str  # as written, e.g. "ForAnyValue:StringLike"
    key: str  # as written; compare with ``key_lower``
    values: tuple[str, ...]
    test: str  # canonical base operator, e.g. "StringLike"; "" when not modelled
    family: str  # "string" | "arn" | "bool" | "null" | "other" (not modelled)
    negated: bool
    wildcards: bool  # values are globs (StringLike, Arn*)
    qualifier: str  # "" | "ForAnyValue" | "ForAllValues"
    if_exists: bool

    @property
    def key_lower(self) -> str:
        return self.key.lower()

    @property
    def has_variable(self) -> bool:
        """``${...}`` resolves per request: nothing here can say what it matches."""
        return any("${" in value for value in self.values)

    @property
    def understood(self) -> bool:
        return self.family != "other" and not self.has_variable

    @property
    def true_when_absent(self) -> bool:
        if self.family == "null":
            return any(value.lower() == "true" for value in self.values)
        if self.qualifier == "ForAllValues":
            return True
        if self.qualifier == "ForAnyValue":
            return False
        return self.if_exists or self.negated

    def matches(self, value: str) -> bool:
        """The un-negated test: does one request value match one of the policy values?"""
        return any(self._match_one(pattern, value) for pattern in self.values)

    def _match_one(self, pattern: str, value: str) -> bool:
        if self.family == "arn":
            return arn_match(pattern, value)
        if self.family == "bool" or self.test.endswith("IgnoreCase"):
            return pattern.lower() == value.lower()
        return match_text(pattern, value) if self.wildcards else pattern == value

    def evaluate(self, request: tuple[str, ...] | None) -> bool:
        """The clause on a request whose key has these values (None: the key is absent)."""
        if self.family == "null":
            return (request is None) == self.true_when_absent
        if self.qualifier and request is not None and not any(request):
            request = None  # the set qualifiers read an empty string as a "null data set"
        if not request:
            return self.true_when_absent
        hits = [self.matches(value) != self.negated for value in request]
        if self.qualifier == "ForAllValues":
            return all(hits)
        if self.qualifier == "ForAnyValue":
            return any(hits)
        # A plain operator on a multivalued key: read as "any value", negated as "none".
        return any(hits) if not self.negated else all(hits)

    def positive(self) -> Clause:
        """The un-negated, unqualified form: what a caller must meet to make a negated
        clause false (the way out of a Deny)."""
        test = self.test.replace("Not", "", 1) if self.negated else self.test
        return Clause(
            test, self.key, self.values, test, self.family, False, self.wildcards, "", False
        )

    def render(self) -> str:
        shown = " or ".join(repr(value) for value in self.values) or "(no value)"
        return f"{self.operator} {self.key} = {shown}"


def parse_operator(operator: str) -> tuple[str, str, bool, bool, str, bool]:
    """-> (test, family, negated, wildcards, qualifier, if_exists); test "" if not modelled."""
    rest, qualifier = operator, ""
    for name in ("ForAnyValue", "ForAllValues"):
        if rest.lower().startswith(name.lower() + ":"):
            qualifier, rest = name, rest[len(name) + 1 :]
    if_exists = rest.lower().endswith("ifexists") and rest.lower() != "ifexists"
    base = rest[: -len("IfExists")] if if_exists else rest
    known = _OPERATORS.get(base.lower())
    if known is None or (if_exists and known[1] == "null"):  # NullIfExists does not exist
        return "", "other", "not" in base.lower(), False, qualifier, if_exists
    test, family, negated, wildcards = known
    return test, family, negated, wildcards, qualifier, if_exists


def _values(raw: Any, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, bool):  # before int: a bool is an int
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            raise PolicyFormatError(
                f"{where}: condition values must be strings, numbers or booleans"
            )
    return tuple(out)


def parse_condition(block: Any, where: str) -> tuple[Clause, ...]:
    """Every clause of a Condition block, in order; PolicyFormatError if it is malformed."""
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        raise PolicyFormatError(f"{where}: Condition must be an object")
    clauses = []
    for operator, body in block.items():
        if not isinstance(operator, str) or not isinstance(body, Mapping):
            raise PolicyFormatError(
                f"{where}: Condition operator {operator!r} must map keys to values"
            )
        test, family, negated, wildcards, qualifier, if_exists = parse_operator(operator)
        for key, raw in body.items():
            if not isinstance(key, str):
                raise PolicyFormatError(f"{where}: condition key {key!r} is not a string")
            clauses.append(
                Clause(
                    operator,
                    key,
                    _values(raw, where),
                    test,
                    family,
                    negated,
                    wildcards,
                    qualifier,
                    if_exists,
                )
            )
    return tuple(clauses)
