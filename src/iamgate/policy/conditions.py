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

:func:`decide` reads a whole block against what is known of one request: a key whose value is
known (or known to be absent) is evaluated; a key whose value is not known leaves its clause
undecided. The clauses of a block are AND, so one clause that is false decides the block
whatever the undecided ones say; otherwise one undecided clause leaves the block undecided.
Policy variables in condition values (``${aws:username}``, ``Version: 2012-10-17`` only) are
substituted from the same request: "When you use a variable with no value in the condition
element [...] StringEquals or StringLike do not match [...] StringNotEquals or StringNotLike do
match" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value),
so a value whose variable has no value is dropped from the clause's list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from iamgate.policy.errors import PolicyFormatError
from iamgate.policy.wildcard import LITERAL_QMARK, LITERAL_STAR, match_text

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


def quoted(value: str) -> str:
    """A condition value as messages show it: quoted, or said to be empty (an empty pair of
    quotes reads as a slip)."""
    return repr(value) if value else "(an empty string)"


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
        shown = " or ".join(quoted(value) for value in self.values) or "(no value)"
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


# --- a block decided against what is known of one request ---------------------------------------


class Unknown:
    """The value of a key nothing tells (the caller's choice, or not collected)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
Values = tuple[str, ...] | None  # a key's values in a request; None: the key is absent
Lookup = Callable[[str], "Values | Unknown"]  # lower-cased key -> its values, or UNKNOWN


@dataclass(frozen=True, slots=True)
class Truth:
    """What a Condition block comes to for one request."""

    holds: bool | None  # None: some clause cannot be decided, and none is false
    undecided: tuple[Clause, ...] = ()
    met: tuple[Clause, ...] = ()  # the clauses decided true
    failed: Clause | None = None  # the clause decided false


ALWAYS: Final = Truth(True)
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def substitute(text: str, lookup: Lookup, glob: bool) -> str | Unknown | None:
    """``text`` with its policy variables replaced; None when one has no value (and no
    default); UNKNOWN when one is not known. ``glob``: the value is a pattern, so a ``*`` or
    ``?`` that comes from a variable (or ``${*}``) must stay literal."""
    star, qmark = (LITERAL_STAR, LITERAL_QMARK) if glob else ("*", "?")
    escapes = {"*": star, "?": qmark, "$": "$"}
    out: list[str] = []
    at = 0
    for m in _VARIABLE.finditer(text):
        out.append(text[at : m.start()])
        at = m.end()
        body = m.group(1).strip()
        if body in escapes:
            out.append(escapes[body])
            continue
        key, comma, default = body.partition(",")
        found = lookup(key.strip().lower())
        if isinstance(found, Unknown) or (found is not None and len(found) != 1):
            return UNKNOWN  # a multivalued key is no variable
        if found is None:
            if not comma:
                return None
            value = default.strip().strip("'")
        else:
            value = found[0]
        out.append(value.replace("*", star).replace("?", qmark))
    out.append(text[at:])
    return "".join(out)


def _resolved(clause: Clause, lookup: Lookup) -> Clause | None:
    """The clause with its variables substituted; None when one is not known."""
    values: list[str] = []
    for value in clause.values:
        if "${" not in value:
            values.append(value)
            continue
        found = substitute(value, lookup, clause.wildcards)
        if isinstance(found, Unknown):
            return None
        if found is not None:
            values.append(found)
    return replace(clause, values=tuple(values))


def clause_truth(clause: Clause, lookup: Lookup, variables: bool = True) -> bool | None:
    """The clause on a request: True, False, or None when it cannot be decided.

    ``variables``: ``${...}`` in its values are policy variables (``Version: 2012-10-17``).
    An operator this module does not model (numeric, date, IP, binary) is decided only when
    the key is absent, where every operator but the negated ones, ``...IfExists`` and
    ``ForAllValues`` is false.
    """
    found = lookup(clause.key_lower)
    if isinstance(found, Unknown):
        return None
    if variables and clause.has_variable:
        resolved = _resolved(clause, lookup)
        if resolved is None:
            return None
        clause = resolved
    if clause.family == "other":
        return clause.true_when_absent if found is None else None
    return clause.evaluate(found)


def decide(clauses: Iterable[Clause], lookup: Lookup, variables: bool = True) -> Truth:
    """A Condition block (its clauses AND) on a request: false as soon as one clause is."""
    undecided: list[Clause] = []
    met: list[Clause] = []
    for clause in clauses:
        truth = clause_truth(clause, lookup, variables)
        if truth is False:
            return Truth(False, failed=clause)
        (met if truth else undecided).append(clause)
    return Truth(None if undecided else True, tuple(undecided), tuple(met))
