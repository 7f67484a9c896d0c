"""CloudFormation's intrinsic functions, parameters, pseudo parameters and conditions, evaluated
as CloudFormation evaluates them when it deploys a template.

References:
- intrinsic functions: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
  (``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` in both forms, ``Fn::Join``, ``Fn::Select``,
  ``Fn::Split``, ``Fn::If``, ``Fn::Equals``, ``Fn::And``, ``Fn::Or``, ``Fn::Not``,
  ``Fn::FindInMap``, ``Fn::Base64``, ``Fn::GetAZs``, ``Fn::ImportValue``, ``Condition``);
- pseudo parameters: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html;
- parameters (``Default``, ``AllowedValues``, ``AllowedPattern``, ``NoEcho``, list types):
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html;
- generated names (a resource without a name property gets ``{stack}-{logicalId}-{random}``):
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html.

Values CloudFormation only knows while it deploys (another resource's physical id or
attribute, an import, an SSM parameter's value, a generated name's suffix) are placeholders
naming what they stand for; a function that cannot be evaluated at all (an unknown logical id,
parameter or condition, a malformed argument, an index out of range) is bad input naming the
template's file and the resource's line.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.cloudformation import Parameter, Template, TemplateResource
from iamgate.plan.names import Account, placeholder

NO_VALUE = object()  # AWS::NoValue: the property or list item is left out
_MISSING = object()  # a parameter with no value given and no Default
_SUB = re.compile(r"\$\{(!?)([^}]*)\}")
_URL_SUFFIX = {"aws-cn": "amazonaws.com.cn"}
MAX_DEPTH = 100


@dataclass(frozen=True, slots=True)
class Where:
    """What is being evaluated, for messages: the resource (or section) and its line."""

    what: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Stack:
    """The stack the template is deployed as."""

    name: str
    region: str
    account: Account
    parameters: Mapping[str, str] = field(default_factory=dict)  # --parameter KEY=VALUE


# A resource type's physical id (``Ref``) and attributes (``Fn::GetAtt``), given its resolved
# name: (evaluator, resource, attribute or "" for Ref) -> value.
Attributes = Callable[["Evaluator", TemplateResource, str], Any]


class Evaluator:
    """Evaluates a template's values for one stack; every unknown value is said in ``notes``."""

    def __init__(self, template: Template, stack: Stack, attributes: Mapping[str, Attributes]):
        self.template = template
        self.stack = stack
        self.attributes = attributes
        self.resources = {r.logical_id: r for r in template.resources}
        self.notes: list[str] = []  # values known only at deploy time, as placeholders
        self._conditions: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self.values = self._parameter_values()

    def fail(self, message: str, where: Where) -> InputError:
        return InputError(f"{where.what}: {message}", self.template.source, where.line)

    # --- parameters ------------------------------------------------------------------------------

    def _parameter_values(self) -> dict[str, Any]:
        given = dict(self.stack.parameters)
        known = self.template.parameters
        extra = sorted(set(given) - set(known))
        if extra:
            raise InputError(
                f"--parameter {', '.join(extra)}: not a parameter of the template",
                self.template.source,
            )
        values: dict[str, Any] = {}
        for name, spec in known.items():
            values[name] = self._parameter(spec, given.get(name))
        return values

    def _parameter(self, spec: Parameter, given: str | None) -> Any:
        where = Where(f"parameter {spec.name}", spec.line)
        shown = "(NoEcho value)" if spec.no_echo else None
        if spec.type.startswith("AWS::SSM::Parameter::Value<") and given is None:
            return placeholder("", f"SSM parameter {spec.default or spec.name}")
        value = given if given is not None else spec.default
        if value is None:
            return _MISSING  # an error only if something deployed needs it
        listed = spec.type.startswith("List<") or spec.type == "CommaDelimitedList"
        items = value if isinstance(value, list) else str(value).split(",") if listed else [value]
        for item in items:
            text = str(item).strip() if listed else str(item)
            self._check_value(spec, text, shown or repr(text), where)
        if listed:
            return [str(i).strip() for i in items]
        return str(value)

    def _check_value(self, spec: Parameter, text: str, shown: str, where: Where) -> None:
        if spec.allowed_values is not None and text not in spec.allowed_values:
            raise self.fail(f"{shown} is not one of its AllowedValues", where)
        if spec.allowed_pattern is not None and not re.fullmatch(spec.allowed_pattern, text):
            raise self.fail(f"{shown} does not match its AllowedPattern", where)
        if spec.type == "Number":
            try:
                float(text)
            except ValueError:
                raise self.fail(f"{shown} is not a Number", where) from None

    # --- conditions ------------------------------------------------------------------------------

    def condition(self, name: str, where: Where) -> bool:
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.template.conditions:
            raise self.fail(f"no condition named {name!r}", where)
        if name in self._evaluating:
            raise self.fail(f"condition {name} depends on itself", where)
        self._evaluating.add(name)
        try:
            value = self.evaluate(self.template.conditions[name], Where(f"condition {name}"))
        finally:
            self._evaluating.discard(name)
        if not isinstance(value, bool):
            raise self.fail(f"condition {name} is not true or false", where)
        self._conditions[name] = value
        return value

    def included(self, resource: TemplateResource) -> bool:
        if resource.condition is None:
            return True
        return self.condition(resource.condition, Where(resource.logical_id, resource.line))

    # --- values ----------------------------------------------------------------------------------

    def evaluate(self, value: Any, where: Where, depth: int = 0) -> Any:
        """``value`` with every intrinsic function evaluated (NO_VALUE where one says so)."""
        if depth > MAX_DEPTH:
            raise self.fail("nested too deeply", where)
        if isinstance(value, list):
            items = (self.evaluate(v, where, depth + 1) for v in value)
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, argument, where, depth + 1)
        out = {}
        for key, item in value.items():
            evaluated = self.evaluate(item, where, depth + 1)
            if evaluated is not NO_VALUE:
                out[key] = evaluated
        return out

    def text(self, value: Any, where: Where, depth: int, what: str) -> str:
        found = self.evaluate(value, where, depth)
        if isinstance(found, bool):
            return "true" if found else "false"
        if not isinstance(found, str | int | float):
            raise self.fail(f"{what}: expected a string, got {type(found).__name__}", where)
        return str(found)

    def ref(self, name: str, where: Where) -> Any:
        pseudo = self._pseudo(name, where)
        if pseudo is not None:
            return pseudo
        if name in self.values:
            value = self.values[name]
            if value is _MISSING:  # CloudFormation itself would not deploy without it
                raise self.fail(
                    f"parameter {name} has no value and no Default: give it with --parameter "
                    f"{name}=VALUE",
                    where,
                )
            return value
        resource = self._resource(name, where)
        return self.attribute(resource, "", where)

    def _resource(self, name: str, where: Where) -> TemplateResource:
        resource = self.resources.get(name)
        if resource is None:
            raise self.fail(f"refers to {name!r}, which is no parameter or resource", where)
        if not self.included(resource):
            raise self.fail(f"refers to {name}, which its condition leaves out", where)
        return resource

    def attribute(self, resource: TemplateResource, name: str, where: Where) -> Any:
        compute = self.attributes.get(resource.type)
        if compute is not None:
            return compute(self, resource, name)
        what = f"{resource.logical_id}.{name}" if name else resource.logical_id
        return placeholder("", f"known at deploy: {what}")

    def _pseudo(self, name: str, where: Where) -> Any:
        stack, account = self.stack, self.stack.account
        if not name.startswith("AWS::"):
            return None
        found: Any = {
            "AWS::AccountId": account.id,
            "AWS::Partition": account.partition,
            "AWS::Region": stack.region,
            "AWS::StackName": stack.name,
            "AWS::StackId": f"arn:{account.partition}:cloudformation:{stack.region}:{account.id}"
            f":stack/{stack.name}/(stack id)",
            "AWS::URLSuffix": _URL_SUFFIX.get(account.partition, "amazonaws.com"),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }.get(name)
        if found is None:
            raise self.fail(f"unknown pseudo parameter {name}", where)
        return found

    def generated_name(self, resource: TemplateResource) -> str:
        """The name CloudFormation generates: ``{stack}-{logicalId}-{random suffix}``."""
        return placeholder(f"{self.stack.name}-{resource.logical_id}-", "generated")


# --- the functions -------------------------------------------------------------------------------


def _ref(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    return ev.ref(ev.text(argument, where, depth, "Ref"), where)


def _get_att(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    if not isinstance(argument, list) or len(argument) != 2:
        raise ev.fail("Fn::GetAtt takes [logicalId, attribute]", where)
    logical = ev.text(argument[0], where, depth, "Fn::GetAtt")
    attribute = ev.text(argument[1], where, depth, "Fn::GetAtt")
    return ev.attribute(ev._resource(logical, where), attribute, where)


def _sub(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if isinstance(argument, list):
        if len(argument) != 2 or not isinstance(argument[1], dict):
            raise ev.fail("Fn::Sub takes a string, or [string, {name: value}]", where)
        template, variables = argument[0], argument[1]
    else:
        template, variables = argument, {}
    if not isinstance(template, str):
        raise ev.fail("Fn::Sub: the string to substitute into is not a string", where)
    bound = {k: ev.evaluate(v, where, depth) for k, v in variables.items()}

    def one(found: re.Match[str]) -> str:
        if found.group(1) == "!":  # ${!Literal} is the text ${Literal}
            return "${" + found.group(2) + "}"
        name = found.group(2).strip()
        if name in bound:
            value = bound[name]
        elif "." in name and not name.startswith("AWS::"):
            logical, _, attribute = name.partition(".")
            value = ev.attribute(ev._resource(logical, where), attribute, where)
        else:
            value = ev.ref(name, where)
        if isinstance(value, list) or value is NO_VALUE:
            raise ev.fail(f"Fn::Sub: ${{{name}}} is not a string", where)
        return str(value)

    return _SUB.sub(one, template)


def _join(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise ev.fail("Fn::Join takes [delimiter, [values]]", where)
    delimiter = ev.text(argument[0], where, depth, "Fn::Join")
    items = ev.evaluate(argument[1], where, depth)
    if not isinstance(items, list):
        raise ev.fail("Fn::Join: the values are not a list", where)
    return delimiter.join(ev.text(i, where, depth, "Fn::Join") for i in items)


def _select(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise ev.fail("Fn::Select takes [index, [values]]", where)
    index = ev.text(argument[0], where, depth, "Fn::Select")
    items = ev.evaluate(argument[1], where, depth)
    if not index.isdigit() or not isinstance(items, list) or int(index) >= len(items):
        raise ev.fail(f"Fn::Select: index {index} is not in the list", where)
    return items[int(index)]


def _split(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise ev.fail("Fn::Split takes [delimiter, string]", where)
    delimiter = ev.text(argument[0], where, depth, "Fn::Split")
    if not delimiter:
        raise ev.fail("Fn::Split: the delimiter is empty", where)
    return ev.text(argument[1], where, depth, "Fn::Split").split(delimiter)


def _if(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 3 or not isinstance(argument[0], str):
        raise ev.fail("Fn::If takes [condition, value if true, value if false]", where)
    chosen = argument[1] if ev.condition(argument[0], where) else argument[2]
    return ev.evaluate(chosen, where, depth)


def _equals(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 2:
        raise ev.fail("Fn::Equals takes [value, value]", where)
    left, right = (ev.evaluate(a, where, depth) for a in argument)
    return _comparable(left) == _comparable(right)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int | float) else value


def _logic(name: str) -> Callable[[Evaluator, Any, Where, int], Any]:
    def logic(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
        wanted = (1, 1) if name == "Fn::Not" else (2, 10)
        if not isinstance(argument, list) or not wanted[0] <= len(argument) <= wanted[1]:
            raise ev.fail(f"{name} takes {'one condition' if wanted[0] == 1 else '2 to 10'}", where)
        values = [ev.evaluate(a, where, depth) for a in argument]
        if not all(isinstance(v, bool) for v in values):
            raise ev.fail(f"{name}: a condition is not true or false", where)
        if name == "Fn::Not":
            return not values[0]
        return all(values) if name == "Fn::And" else any(values)

    return logic


def _condition(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, str):
        raise ev.fail("Condition takes a condition's name", where)
    return ev.condition(argument, where)


def _find_in_map(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) != 3:
        raise ev.fail("Fn::FindInMap takes [map, top-level key, second-level key]", where)
    keys = [ev.text(a, where, depth, "Fn::FindInMap") for a in argument]
    found: Any = ev.template.mappings
    for key in keys:
        if not isinstance(found, dict) or key not in found:
            raise ev.fail(f"Fn::FindInMap: no {key!r} in {'.'.join(keys)}", where)
        found = found[key]
    return found


def _base64(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    text = ev.text(argument, where, depth, "Fn::Base64")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _get_azs(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    region = ev.text(argument, where, depth, "Fn::GetAZs") or ev.stack.region
    return [placeholder(f"{region}-", f"availability zone {i}") for i in (1, 2, 3)]


def _import_value(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
    name = ev.text(argument, where, depth, "Fn::ImportValue")
    ev.notes.append(f"{where.what}: Fn::ImportValue {name} is known only at deploy time")
    return placeholder("", f"import {name}")


def _unsupported(name: str) -> Callable[[Evaluator, Any, Where, int], Any]:
    def unsupported(ev: Evaluator, argument: Any, where: Where, depth: int) -> Any:
        raise ev.fail(f"{name} cannot be evaluated before deploy", where)

    return unsupported


_FUNCTIONS: dict[str, Callable[[Evaluator, Any, Where, int], Any]] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::And": _logic("Fn::And"),
    "Fn::Or": _logic("Fn::Or"),
    "Fn::Not": _logic("Fn::Not"),
    "Condition": _condition,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::GetAZs": _get_azs,
    "Fn::ImportValue": _import_value,
    "Fn::Cidr": _unsupported("Fn::Cidr"),
    "Fn::Transform": _unsupported("Fn::Transform"),
    "Fn::ToJsonString": _unsupported("Fn::ToJsonString (AWS::LanguageExtensions)"),
    "Fn::Length": _unsupported("Fn::Length (AWS::LanguageExtensions)"),
}
