"""A Terraform (or OpenTofu) plan as ``terraform show -json PLANFILE`` writes it, read here only.

The format is documented at https://developer.hashicorp.com/terraform/internals/json-format:
``format_version`` is major.minor, a minor version only adds properties (unknown ones are
ignored), a major version breaks readers (so only 0.x and 1.x are read; others are refused, as
the document asks). What iamgate reads:

- ``resource_changes[]``: ``address``, ``module_address``, ``mode`` (``managed`` | ``data``),
  ``type``, ``name``, ``index`` (``count``: a number, ``for_each``: a string), ``deposed``,
  and ``change``: ``actions`` (``no-op``, ``create``, ``read``, ``update``, ``delete``,
  ``forget``; a replacement is ``["delete", "create"]`` or ``["create", "delete"]``),
  ``before``, ``after`` and ``after_unknown`` (the values known only after apply, mirroring
  ``after``'s shape with ``true`` at each unknown);
- ``configuration``: for each resource (in each module call), the ``references`` of each
  argument's expression, so that a value known only after apply can still be traced to the
  resource it comes from; module outputs' and module inputs' references, to follow a value
  across module boundaries.

Everything is checked for its type here; a malformed plan is bad input naming the file and the
resource address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import read_json

SUPPORTED_MAJORS = (0, 1)  # terraform-json reads ">= 0.1, < 2.0" too
ACTIONS = frozenset({"no-op", "create", "read", "update", "delete", "forget"})
_VERSION = re.compile(r"(\d+)\.(\d+)")

# Flattened attribute path -> the references of its expression ("statement.0.resources").
References = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """One ``resource_changes`` entry."""

    address: str  # module.ci.aws_iam_role.deploy["prod"]
    module_address: str  # module.ci ("" in the root module)
    mode: str  # managed | data
    type: str
    name: str
    index: int | str | None  # count index, for_each key, or None
    actions: tuple[str, ...]
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    after_unknown: Any  # True, False, or the shape of ``after`` with True where unknown
    deposed: str = ""

    @property
    def config_address(self) -> str:
        """The address of its resource block (no instance key): how configuration names it."""
        prefix = f"{self.module_config_path}." if self.module_config_path else ""
        data = "data." if self.mode == "data" else ""
        return f"{prefix}{data}{self.type}.{self.name}"

    @property
    def module_config_path(self) -> str:
        """``module.a["x"].module.b[0]`` -> ``module.a.module.b``: the module calls."""
        return re.sub(r"\[[^\]]*\]", "", self.module_address)


@dataclass(frozen=True, slots=True)
class TerraformPlan:
    source: str
    format_version: str
    terraform_version: str
    changes: tuple[PlannedChange, ...]
    # Resource blocks by config address (module path + type.name), their arguments' references.
    references: Mapping[str, References] = field(default_factory=dict)
    # "module.a.out" (the module call's path + output name) -> the output expression's refs.
    outputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # "module.a.var_name" -> the references of that input in the module call (in the parent).
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class _Bad(ValueError):
    """What is wrong, and where in the plan."""


def read_terraform_plan(path: Path) -> TerraformPlan:
    """A plan file's changes and configuration references; bad input names the file."""
    return terraform_plan_from_json(read_json(path, "Terraform plan"), str(path))


def terraform_plan_from_json(data: Any, source: str) -> TerraformPlan:
    if not isinstance(data, dict) or "format_version" not in data:
        raise InputError(
            "not a Terraform plan in JSON (no format_version): write one with "
            "`terraform show -json PLANFILE > plan.json`",
            source,
        )
    version = data["format_version"]
    found = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if found is None or int(found.group(1)) not in SUPPORTED_MAJORS:
        raise InputError(
            f"unsupported Terraform plan format_version {version!r} (iamgate reads 0.x and "
            "1.x; a new major version is not backward-compatible)",
            source,
        )
    if data.get("errored") is True:
        raise InputError("the plan is marked errored: terraform plan did not finish", source)
    if "resource_changes" not in data and "planned_values" not in data:
        raise InputError(
            "not a plan: no resource_changes or planned_values (a state file? use "
            "`terraform show -json PLANFILE`)",
            source,
        )
    try:
        changes = tuple(_changes(data.get("resource_changes") or []))
        config = data.get("configuration") or {}
        if not isinstance(config, dict):
            raise _Bad("configuration: expected an object")
        references: dict[str, References] = {}
        outputs: dict[str, tuple[str, ...]] = {}
        inputs: dict[str, tuple[str, ...]] = {}
        root = config.get("root_module") or {}
        _module(root, "", references, outputs, inputs, depth=0)
    except _Bad as exc:
        raise InputError(f"malformed plan: {exc}", source) from None
    return TerraformPlan(
        source=source,
        format_version=version,
        terraform_version=str(data.get("terraform_version", "")),
        changes=changes,
        references=references,
        outputs=outputs,
        inputs=inputs,
    )


def _text(entry: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if not isinstance(value, str):
        raise _Bad(f"{where}.{key}: expected a string")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad(f"{where}: expected an object or null")
    return value


def _changes(entries: Any) -> Iterator[PlannedChange]:
    if not isinstance(entries, list):
        raise _Bad("resource_changes: expected a list")
    for i, entry in enumerate(entries):
        where = f"resource_changes[{i}]"
        if not isinstance(entry, dict):
            raise _Bad(f"{where}: expected an object")
        address = _text(entry, "address", where)
        where = address
        change = entry.get("change")
        if not isinstance(change, dict):
            raise _Bad(f"{where}: change: expected an object")
        actions = change.get("actions")
        if (
            not isinstance(actions, list)
            or not actions
            or not all(isinstance(a, str) for a in actions)
        ):
            raise _Bad(f"{where}: change.actions: expected a list of action names")
        unknown = sorted(set(actions) - ACTIONS)
        if unknown:
            raise _Bad(f"{where}: change.actions: unknown action(s) {', '.join(unknown)}")
        index = entry.get("index")
        if index is not None and (not isinstance(index, int | str) or isinstance(index, bool)):
            raise _Bad(f"{where}: index: expected a number or a string")
        mode = _text(entry, "mode", where, "managed")
        if mode not in ("managed", "data"):
            raise _Bad(f"{where}: mode: expected managed or data, not {mode!r}")
        yield PlannedChange(
            address=address,
            module_address=_text(entry, "module_address", where, ""),
            mode=mode,
            type=_text(entry, "type", where),
            name=_text(entry, "name", where),
            index=index,
            actions=tuple(actions),
            before=_object(change.get("before"), f"{where}: change.before"),
            after=_object(change.get("after"), f"{where}: change.after"),
            after_unknown=change.get("after_unknown", False),
            deposed=_text(entry, "deposed", where, ""),
        )


MAX_MODULE_DEPTH = 64  # module calls nest; a deeper plan is damage, not a configuration


def _module(
    module: Any,
    path: str,
    references: dict[str, References],
    outputs: dict[str, tuple[str, ...]],
    inputs: dict[str, tuple[str, ...]],
    depth: int,
) -> None:
    if depth > MAX_MODULE_DEPTH:
        raise _Bad(f"configuration: modules nested more than {MAX_MODULE_DEPTH} deep")
    if not isinstance(module, dict):
        raise _Bad(f"configuration of {path or 'the root module'}: expected an object")
    prefix = f"{path}." if path else ""
    for resource in module.get("resources") or []:
        if not isinstance(resource, dict):
            raise _Bad(f"configuration of {path or 'the root module'}: expected resources")
        address = _text(resource, "address", f"configuration {path}")
        flat: dict[str, tuple[str, ...]] = {}
        _flatten(resource.get("expressions") or {}, "", flat, 0)
        references[prefix + address] = flat
    for name, output in (module.get("outputs") or {}).items():
        if isinstance(output, dict):
            outputs[f"{prefix}{name}" if path else name] = _refs(output.get("expression"))
    for name, call in (module.get("module_calls") or {}).items():
        if not isinstance(call, dict):
            raise _Bad(f"configuration: module call {name}: expected an object")
        child = f"{prefix}module.{name}"
        for var, expression in (call.get("expressions") or {}).items():
            inputs[f"{child}.{var}"] = _refs(expression)
        _module(call.get("module") or {}, child, references, outputs, inputs, depth + 1)


def _refs(expression: Any) -> tuple[str, ...]:
    if isinstance(expression, dict):
        found = expression.get("references")
        if isinstance(found, list):
            return tuple(r for r in found if isinstance(r, str))
    return ()


def _flatten(expressions: Any, path: str, out: dict[str, tuple[str, ...]], depth: int) -> None:
    """Attribute expressions by path: ``{"statement": [{"resources": {...}}]}`` gives
    ``statement.0.resources``. A leaf holds ``references`` or ``constant_value``."""
    if depth > MAX_MODULE_DEPTH:
        raise _Bad("configuration: expressions nested too deeply")
    if isinstance(expressions, list):
        for i, block in enumerate(expressions):
            _flatten(block, f"{path}.{i}" if path else str(i), out, depth + 1)
        return
    if not isinstance(expressions, dict):
        return
    if "references" in expressions or "constant_value" in expressions:
        out[path] = _refs(expressions)
        return
    for key, value in expressions.items():
        _flatten(value, f"{path}.{key}" if path else str(key), out, depth + 1)
