"""CloudFormation templates (JSON or YAML; CDK's synthesized templates are JSON), read here only.

The template anatomy is documented at
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html. This
module reads the sections ``iamgate plan`` needs (``Parameters``, ``Mappings``, ``Conditions``,
``Resources``), checks their shapes, and keeps the line of every resource, so that each
finding and each error can point at the template. Intrinsic functions stay as CloudFormation
writes them in JSON (``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``): ``plan/cloudformation.py``
evaluates them.

YAML is read by the one safe composer (``safe_yaml``: no anchors, no aliases, no duplicate
keys, no Python objects). The short forms of intrinsic functions (``!Ref``, ``!GetAtt``,
``!Sub``, ...) become their full forms
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html);
any other local tag is bad input. Plain scalars keep their text unless they are YAML
integers, booleans or null: ``Version: 2012-10-17`` stays the string IAM wants, not a date.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from iamgate.errors import InputError
from iamgate.formats.files import read_text
from iamgate.formats.safe_yaml import compose, line_of, mapping, scalar, yaml_errors

FORMAT_VERSION = "2010-09-09"
LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
# Short form -> full form. ``!GetAtt a.b`` is also split into its two parts.
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "GetAtt",
            "Sub",
            "Join",
            "Select",
            "Split",
            "If",
            "Equals",
            "And",
            "Or",
            "Not",
            "FindInMap",
            "ImportValue",
            "GetAZs",
            "Base64",
            "Cidr",
            "Transform",
            "ToJsonString",
            "Length",
        )
    },
}
_COLLECTIONS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", None}
_FOREIGN = {"tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"}
_KEEP_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float", "tag:yaml.org,2002:binary"}


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: str
    default: Any = None  # None: no default
    allowed_values: tuple[str, ...] | None = None
    allowed_pattern: str | None = None
    no_echo: bool = False
    line: int | None = None


@dataclass(frozen=True, slots=True)
class TemplateResource:
    logical_id: str
    type: str
    properties: Mapping[str, Any]
    condition: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Template:
    source: str
    resources: tuple[TemplateResource, ...]
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    conditions: Mapping[str, Any] = field(default_factory=dict)
    transforms: tuple[str, ...] = ()


def read_template(path: Path) -> Template:
    """A template file, JSON or YAML, checked for its shape; bad input names file and line."""
    text = read_text(path, "CloudFormation template")
    source = str(path)
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", source, exc.lineno) from None
        except RecursionError:
            raise InputError("invalid JSON: nested too deeply", source) from None
        lines = _json_resource_lines(text)
    else:
        data, lines = _yaml_template(text, source)
    return template_from_data(data, source, lines)


def template_from_data(data: Any, source: str, lines: Mapping[str, int]) -> Template:
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise InputError(
            "not a CloudFormation template: no Resources section (a mapping of logical ids)",
            source,
        )
    version = data.get("AWSTemplateFormatVersion")
    if version is not None and str(version) != FORMAT_VERSION:
        raise InputError(
            f"AWSTemplateFormatVersion {version!r} is not {FORMAT_VERSION!r}, the only one",
            source,
        )
    transforms = data.get("Transform") or ()
    transforms = (transforms,) if isinstance(transforms, str) else tuple(transforms)
    if transforms:
        raise InputError(
            f"the template uses the transform(s) {', '.join(map(str, transforms))}: iamgate "
            "reads the processed template (aws cloudformation get-template --template-stage "
            "Processed, or `sam build` and the template it writes)",
            source,
        )
    resources = tuple(_resources(data["Resources"], source, lines))
    parameters = {
        name: _parameter(name, spec, source, lines.get(f"Parameters.{name}"))
        for name, spec in _section(data, "Parameters", source).items()
    }
    return Template(
        source=source,
        resources=resources,
        parameters=parameters,
        mappings=_section(data, "Mappings", source),
        conditions=_section(data, "Conditions", source),
    )


def _section(data: Mapping[str, Any], name: str, source: str) -> dict[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise InputError(f"{name}: expected a mapping", source)
    return value


def _resources(section: Mapping[str, Any], source: str, lines: Mapping[str, int]) -> list[Any]:
    found = []
    for logical_id, spec in section.items():
        line = lines.get(f"Resources.{logical_id}")
        if not isinstance(logical_id, str) or not LOGICAL_ID.fullmatch(logical_id):
            raise InputError(
                f"resource {logical_id!r}: a logical id is alphanumeric (A-Za-z0-9)", source, line
            )
        if not isinstance(spec, dict) or not isinstance(spec.get("Type"), str):
            raise InputError(f"resource {logical_id}: no Type", source, line)
        properties = spec.get("Properties") or {}
        if not isinstance(properties, dict):
            raise InputError(f"resource {logical_id}: Properties is not a mapping", source, line)
        condition = spec.get("Condition")
        if condition is not None and not isinstance(condition, str):
            raise InputError(f"resource {logical_id}: Condition is not a name", source, line)
        found.append(TemplateResource(logical_id, spec["Type"], properties, condition, line))
    return found


def _parameter(name: str, spec: Any, source: str, line: int | None) -> Parameter:
    if not isinstance(spec, dict) or not isinstance(spec.get("Type"), str):
        raise InputError(f"parameter {name}: no Type", source, line)
    allowed = spec.get("AllowedValues")
    if allowed is not None and not isinstance(allowed, list):
        raise InputError(f"parameter {name}: AllowedValues is not a list", source, line)
    pattern = spec.get("AllowedPattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise InputError(f"parameter {name}: AllowedPattern: {exc}", source, line) from None
    default = spec.get("Default")
    return Parameter(
        name=name,
        type=spec["Type"],
        default=None if default is None else _as_text(default),
        allowed_values=None if allowed is None else tuple(_as_text(v) for v in allowed),
        allowed_pattern=None if pattern is None else str(pattern),
        no_echo=str(spec.get("NoEcho", "false")).lower() == "true",
        line=line,
    )


def _as_text(value: Any) -> Any:
    """Parameter values are strings to CloudFormation (a list stays a list, for list types)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return str(value)


# --- JSON: where each resource is --------------------------------------------------------------


def _json_resource_lines(text: str) -> dict[str, int]:
    """The line of each key of the top-level ``Resources`` and ``Parameters`` objects (as
    ``Resources.<id>``), found by one pass over the text: ``json`` itself keeps no positions."""
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]
    found: dict[str, int] = {}
    stack: list[tuple[str, str | None]] = []  # (bracket, the key it is the value of)
    key: str | None = None
    expect_key = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            value, end = _scanstring(text, i + 1)
            if expect_key and stack and stack[-1][0] == "{":
                key = value
                if len(stack) == 2 and stack[0][1] is None and stack[1][1] in _LINED:
                    found[f"{stack[1][1]}.{value}"] = bisect.bisect_left(newlines, i) + 1
            i = end
            continue
        if ch in "{[":
            stack.append((ch, key if stack and stack[-1][0] == "{" else None))
            expect_key = ch == "{"
        elif ch in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif ch == ",":
            expect_key = bool(stack) and stack[-1][0] == "{"
        elif ch == ":":
            expect_key = False
        i += 1
    return found


_LINED = ("Resources", "Parameters")
# The JSON decoder's own string scanner (C): how a key's end is found, escapes and all.
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (not in the stubs)


# --- YAML, with CloudFormation's short tags ------------------------------------------------------


def _yaml_template(text: str, source: str) -> tuple[Any, dict[str, int]]:
    with yaml_errors(text, source):
        loader, root = compose(text)
        if root is None:
            raise InputError("not a CloudFormation template: the file is empty", source)
        data = _value(loader, root, source, 0)
        lines: dict[str, int] = {}
        if isinstance(root, yaml.MappingNode):
            top = mapping(root, "the template", source)
            for section in _LINED:
                if section in top and isinstance(top[section][1], yaml.MappingNode):
                    for name, (key_node, _v) in mapping(top[section][1], section, source).items():
                        lines[f"{section}.{name}"] = line_of(key_node)
    return data, lines


MAX_DEPTH = 200  # a template nested deeper is damage (or an attack), not IAM


def _value(loader: Any, node: yaml.Node, source: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise InputError("nested too deeply", source, line_of(node))
    tag = node.tag
    if tag in SHORT_TAGS:
        return _intrinsic(loader, node, SHORT_TAGS[tag], source, depth)
    foreign = tag is not None and (tag.startswith("!") or tag in _FOREIGN or "python/" in tag)
    collection = isinstance(node, yaml.MappingNode | yaml.SequenceNode)
    if foreign or (collection and tag not in _COLLECTIONS):
        raise InputError(
            f"unknown tag {tag} (not a CloudFormation function)", source, line_of(node)
        )
    if isinstance(node, yaml.MappingNode):
        return {
            key: _value(loader, value, source, depth + 1)
            for key, (_k, value) in mapping(node, "a mapping", source).items()
        }
    if isinstance(node, yaml.SequenceNode):
        return [_value(loader, item, source, depth + 1) for item in node.value]
    return _scalar(loader, node)


def _scalar(loader: Any, node: yaml.Node) -> Any:
    if node.tag is None:  # composed by the fast path: resolved as PyYAML would
        node.tag = loader.resolve(yaml.ScalarNode, node.value, node.implicit)
    if node.tag in _KEEP_TEXT:  # dates and decimals stay the text CloudFormation passes on
        return str(node.value)
    return scalar(loader, node)


def _intrinsic(loader: Any, node: yaml.Node, name: str, source: str, depth: int) -> Any:
    if isinstance(node, yaml.ScalarNode):
        text = str(node.value)
        if name == "Fn::GetAtt":  # "!GetAtt Resource.Attribute" (the attribute may hold dots)
            logical, _, attribute = text.partition(".")
            return {name: [logical, attribute]}
        if name == "Fn::GetAZs" and text == "":
            return {name: ""}
        return {name: text}
    if isinstance(node, yaml.SequenceNode):
        return {name: [_value(loader, item, source, depth + 1) for item in node.value]}
    inner = {
        key: _value(loader, value, source, depth + 1)
        for key, (_k, value) in mapping(node, name, source).items()
    }
    return {name: inner}
