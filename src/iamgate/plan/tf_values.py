"""Values of a Terraform plan, including those known only after apply.

A planned value is known when ``after`` holds it and ``after_unknown`` does not mark it. When it
is unknown, the plan's ``configuration`` still says which expressions it comes from (their
``references``): a value that is an attribute of a resource iamgate models (a new role's ARN, a
new policy's ARN, a rendered ``aws_iam_policy_document``) is worked out from that resource, and
named after its address when that too is known only after apply (``terraform-(aws_iam_role.x)``)
so that references between new resources still connect. A value that comes from a resource of
another kind (an S3 bucket's ARN) is a placeholder naming it: it can never be an IAM principal,
so it stands in as the real ARN would. Anything else (a local value, a function of unknowns) is
:class:`Unknown`, which the caller reads conservatively or reports as unresolved.

References are followed across module boundaries (a module's outputs, a module call's inputs),
and to the instance of a ``count``/``for_each`` resource with the same key as the referrer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from iamgate.formats.terraform_plan import PlannedChange, TerraformPlan
from iamgate.plan.names import Account, normal_path, placeholder

MAX_HOPS = 16  # references followed for one value: deeper is a cycle, not a configuration
_SKIP = ("each.", "count.", "self.", "path.", "terraform.", "local.")
_PART = re.compile(r'([^.\[\]]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+|[^\]]*)\])?)')


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value known only after apply that could not be traced: ``what`` it is (an address
    and attribute), and ``via`` what the configuration says it comes from."""

    what: str
    via: str = ""

    def describe(self) -> str:
        via = f" (it comes from {self.via})" if self.via else ""
        return f"{self.what} is known only after apply{via}"


Value = Any  # a known value, or Unknown


def is_unknown(value: Value) -> bool:
    return isinstance(value, Unknown)


def unknown_at(marks: Any, path: Sequence[str | int]) -> bool:
    """Whether ``after_unknown`` marks ``path`` (or a parent of it) unknown."""
    for key in path:
        if marks is True:
            return True
        if isinstance(marks, dict) and isinstance(key, str):
            marks = marks.get(key, False)
        elif isinstance(marks, list) and isinstance(key, int) and 0 <= key < len(marks):
            marks = marks[key]
        else:
            return False
    return marks is True


def _get(data: Any, path: Sequence[str | int]) -> Any:
    for key in path:
        if isinstance(data, dict) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


# An attribute of a modelled resource, worked out from the resource itself: (values, type) ->
# value. ``values`` reads the resource's own (possibly unknown) attributes.
Computed = Callable[["Instance", str], Value]


@dataclass(frozen=True, slots=True)
class Instance:
    """One planned resource instance, and how to read its attributes."""

    change: PlannedChange
    values: Values

    def get(self, *path: str | int) -> Value:
        return self.values.value(self.change, path)


class Values:
    """Reads a plan's values, tracing unknown ones through the configuration's references."""

    def __init__(
        self,
        plan: TerraformPlan,
        account: Account,
        computed: Mapping[str, Computed],
    ) -> None:
        self.plan = plan
        self.account = account
        self.computed = computed
        self.by_config: dict[str, list[PlannedChange]] = {}
        for change in plan.changes:
            if change.deposed:  # an old object being destroyed: not what references reach
                continue
            self.by_config.setdefault(change.config_address, []).append(change)
        self._depth = 0
        # (address, note) of every value read conservatively since the caller last looked.
        self.notes: list[tuple[str, str]] = []

    def value(self, change: PlannedChange, path: Sequence[str | int]) -> Value:
        """The planned (``after``) value at ``path``, or what its references resolve to."""
        if not unknown_at(change.after_unknown, path):
            return _get(change.after, path)
        flat = ".".join(str(p) for p in path)
        configured = self.plan.references.get(change.config_address, {})
        refs: tuple[str, ...] = ()
        for end in range(len(path), 0, -1):  # an element's references are its list's
            refs = configured.get(".".join(str(p) for p in path[:end]), ())
            if refs or not isinstance(path[end - 1], int):
                break
        hint = next((_HINTS[p] for p in reversed(path) if isinstance(p, str) and p in _HINTS), "")
        return self.resolve(refs, change, f"{change.address}.{flat}", hint)

    def resolve(
        self, refs: Sequence[str], referrer: PlannedChange, what: str, hint: str = ""
    ) -> Value:
        """The value the first traceable reference gives, else :class:`Unknown`. ``hint`` is
        the attribute meant by a reference to a whole resource (``aws_iam_role.r[each.key]``
        is written ``aws_iam_role.r`` in the references: a ``role`` argument takes its name)."""
        via = ", ".join(r for r in refs if not r.startswith(_SKIP))
        if self._depth > MAX_HOPS:
            return Unknown(what, via)
        self._depth += 1
        try:
            for ref in _attribute_refs(refs, hint):
                if hint == "json" and not ref.endswith(_DOCUMENTS) and not ref.startswith(_PASSED):
                    continue  # a document is not the ARN it holds: jsonencode({... x.arn ...})
                found = self._follow(ref, referrer.module_config_path, referrer)
                if not is_unknown(found):
                    return found
            return Unknown(what, via)
        finally:
            self._depth -= 1

    def _follow(self, ref: str, module: str, referrer: PlannedChange) -> Value:
        parts = [(name, key) for name, key in _PART.findall(ref)]
        names = [name for name, _ in parts]
        if names[0] == "module" and len(names) >= 3:
            child = f"{module}.module.{names[1]}" if module else f"module.{names[1]}"
            refs = self.plan.outputs.get(f"{child}.{names[2]}", ())
            inner = _SyntheticReferrer.at(child, referrer)
            return self.resolve(refs, inner, ref)
        if names[0] == "var" and len(names) >= 2 and module:
            refs = self.plan.inputs.get(f"{module}.{names[1]}", ())
            parent = module.rsplit(".module.", 1)[0] if ".module." in module else ""
            return self.resolve(refs, _SyntheticReferrer.at(parent, referrer), ref)
        data = names[0] == "data"
        if data:
            parts = parts[1:]
        if len(parts) < 3:
            return Unknown(ref)
        (rtype, _), (rname, key), (attr, _) = parts[0], parts[1], parts[2]
        config = f"{module + '.' if module else ''}{'data.' if data else ''}{rtype}.{rname}"
        target = self._instance(config, key, referrer)
        if target is None:
            if rtype.startswith("aws_iam_") or data:
                return Unknown(ref)
            return f"(known after apply: {ref})"  # another service's resource: never IAM's
        return self.attribute(target, attr)

    def _instance(self, config: str, key: str, referrer: PlannedChange) -> PlannedChange | None:
        found = self.by_config.get(config, [])
        if key:
            wanted: int | str = int(key[1:-1]) if key[1:-1].isdigit() else _unquote(key[1:-1])
            found = [c for c in found if c.index == wanted]
        elif len(found) > 1:
            same = [c for c in found if c.module_address == referrer.module_address] or found
            keyed = [c for c in same if c.index == referrer.index]
            found = keyed if len(keyed) == 1 else same
        return found[0] if len(found) == 1 else None

    def attribute(self, target: PlannedChange, attr: str) -> Value:
        """An attribute of a planned resource: known, computed from what is, or a placeholder."""
        if not unknown_at(target.after_unknown, [attr]) and target.after is not None:
            known = target.after.get(attr)
            if known is not None:
                return known
        compute = self.computed.get(("data." if target.mode == "data" else "") + target.type)
        if compute is not None:
            return compute(Instance(target, self), attr)
        if target.type.startswith("aws_iam_"):
            return Unknown(f"{target.address}.{attr}")
        return f"(known after apply: {target.address}.{attr})"

    def name(self, instance: Instance, default_prefix: str = "terraform-") -> Value:
        """A name, or the placeholder for one generated from ``name_prefix``."""
        name = instance.get("name")
        if isinstance(name, str) and name:
            return name
        prefix = instance.get("name_prefix")
        prefix = prefix if isinstance(prefix, str) and prefix else default_prefix
        return placeholder(prefix, instance.change.address)

    def path(self, instance: Instance) -> str:
        path = instance.get("path")
        return normal_path(path) if not is_unknown(path) else "/"


@dataclass(frozen=True, slots=True)
class _SyntheticReferrer:
    """Who refers, when following a reference into another module."""

    @staticmethod
    def at(module_path: str, referrer: PlannedChange) -> PlannedChange:
        return PlannedChange(
            address=referrer.address,
            module_address=module_path if module_path else "",
            mode="managed",
            type="(reference)",
            name="(reference)",
            index=referrer.index,
            actions=("no-op",),
            before=None,
            after=None,
            after_unknown=False,
        )


_DOCUMENTS = (".json", ".minified_json", ".policy")
_DOCUMENT_SOURCE = "data.aws_iam_policy_document."
_PASSED = ("module.", "var.")
# The attribute an argument takes from a resource it names without one.
_HINTS = {
    "role": "name",
    "user": "name",
    "group": "name",
    "role_name": "name",
    "user_name": "name",
    "group_name": "name",
    "users": "name",
    "roles": "name",
    "groups": "name",
    "policy_arn": "arn",
    "policy_arns": "arn",
    "managed_policy_arns": "arn",
    "permissions_boundary": "arn",
    "policy": "json",
    "assume_role_policy": "json",
}


def _attribute_refs(refs: Sequence[str], hint: str = "") -> list[str]:
    """The references that name a value (an attribute or an output), in order; then a whole
    resource's, with the attribute ``hint`` names."""
    out: list[str] = []
    bare: list[str] = []
    for ref in refs:
        if ref.startswith(_SKIP) or ref in out:
            continue
        names = [name for name, _ in _PART.findall(ref)]
        depth = len(names) - (1 if names and names[0] == "data" else 0)
        if (names and names[0] in ("module", "var")) or depth >= 3:
            out.append(ref)
        elif depth == 2 and hint and (hint != "json" or ref.startswith(_DOCUMENT_SOURCE)):
            bare.append(f"{ref}.{hint}")
    return out + [b for b in bare if b not in out]


def _unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"') if text.startswith('"') else text
