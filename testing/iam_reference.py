"""A second, deliberately simple reading of IAM policy evaluation, written from the AWS
documentation alone, to check ``iamgate.policy.evaluate.allows`` against (it imports nothing of
iamgate). It knows the whole request: every key's values are in ``context``.

Sources:
- evaluation logic: an explicit Deny in any policy wins; otherwise an identity policy must Allow,
  and a permissions boundary, when there is one, must Allow too
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
- Action/NotAction, Resource/NotResource
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html,
  .../reference_policies_elements_notresource.html): ``*`` any run, ``?`` one character; action
  names without case; ARNs with case, a wildcard kept inside its colon-separated segment;
- condition operators, ``...IfExists`` and ``Null``
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  a key absent from the request makes a condition false except for the negated operators;
- set qualifiers (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
  ``ForAllValues`` is true when every request value matches (and when there is none),
  ``ForAnyValue`` when at least one does; the clauses of a block are AND, a key's values OR;
- policy variables (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
  ``${key}`` is the key's value; a key with no value makes a Resource entry match nothing and a
  condition value match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

Context = Mapping[str, Sequence[str]]  # lower-cased key -> its values; a missing key is absent


def _list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _glob(pattern: str, text: str, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.IGNORECASE if ignore_case else 0) is not None


def _arn_like(pattern: str, arn: str) -> bool:
    """Each of the six colon-separated parts on its own."""
    p, a = pattern.split(":", 5), arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return pattern == "*"
    return all(_glob(x, y) for x, y in zip(p, a, strict=True))


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _substitute(text: str, context: Context) -> str | None:
    """``text`` with its variables replaced; None when one has no value."""
    missing = False

    def value(m: re.Match[str]) -> str:
        nonlocal missing
        found = context.get(m.group(1).strip().lower())
        if not found:
            missing = True
            return ""
        return found[0]

    out = _VARIABLE.sub(value, text)
    return None if missing else out


def _resource_hits(patterns: list[str], resource: str, context: Context, versioned: bool) -> bool:
    for pattern in patterns:
        text = _substitute(pattern, context) if versioned else pattern
        if text is not None and _arn_like(text, resource):
            return True
    return False


def _match(operator: str, policy_value: str, value: str) -> bool:
    if operator.startswith("Arn"):
        return _arn_like(policy_value, value)
    if operator == "Bool" or "IgnoreCase" in operator:
        return policy_value.lower() == value.lower()
    if "Like" in operator:
        return _glob(policy_value, value)
    return policy_value == value


def _clause(operator: str, key: str, wanted: list[str], context: Context) -> bool:
    qualifier = ""
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    present = key.lower() in context
    values = list(context.get(key.lower(), ()))
    if operator == "Null":
        return (not present) == (wanted[0].lower() == "true")
    negated = "Not" in operator
    base = operator.replace("Not", "", 1)
    if not present:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return if_exists or negated

    def hit(value: str) -> bool:
        return any(_match(base, w, value) for w in wanted)

    if qualifier == "ForAllValues":
        return all(hit(v) != negated for v in values)
    if qualifier == "ForAnyValue":
        return any(hit(v) != negated for v in values)
    return all(not hit(v) for v in values) if negated else any(hit(v) for v in values)


def _condition(block: Mapping[str, Any], context: Context, versioned: bool) -> bool:
    for operator, keys in block.items():
        for key, raw in keys.items():
            wanted: list[str] = []
            for value in _list(raw):
                text = _substitute(value, context) if versioned else value
                if text is not None:  # a variable with no value matches nothing
                    wanted.append(text)
            if not _clause(operator, key, wanted, context):
                return False
    return True


def _applies(st: Mapping[str, Any], action: str, resource: str, ctx: Context, v: bool) -> bool:
    if "Action" in st:
        if not any(_glob(a, action, True) for a in _list(st["Action"])):
            return False
    elif any(_glob(a, action, True) for a in _list(st["NotAction"])):
        return False
    if "Resource" in st:
        if not _resource_hits(_list(st["Resource"]), resource, ctx, v):
            return False
    elif _resource_hits(_list(st["NotResource"]), resource, ctx, v):
        return False
    return _condition(st.get("Condition", {}), ctx, v)


def _effects(document: Mapping[str, Any], action: str, resource: str, context: Context) -> set[str]:
    versioned = document.get("Version") == "2012-10-17"
    return {
        st["Effect"]
        for st in _list_of(document["Statement"])
        if _applies(st, action, resource, context, versioned)
    }


def _list_of(statements: Any) -> list[Mapping[str, Any]]:
    return [statements] if isinstance(statements, Mapping) else list(statements)


def evaluate(
    policies: Sequence[Mapping[str, Any]],
    boundary: Mapping[str, Any] | None,
    action: str,
    resource: str,
    context: Context,
) -> bool:
    """Whether the request is allowed by these identity policies (and boundary)."""
    effects = [_effects(p, action, resource, context) for p in policies]
    bound = _effects(boundary, action, resource, context) if boundary is not None else set()
    if any("Deny" in e for e in effects) or "Deny" in bound:
        return False
    if not any("Allow" in e for e in effects):
        return False
    return boundary is None or "Allow" in bound
