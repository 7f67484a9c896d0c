"""One Terraform resource change, read: its values before and after (unknown ones traced by
``tf_values``), where it is written, and the row shape of ``terraform.TYPES``."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from iamgate.formats.terraform_plan import PlannedChange
from iamgate.model.change import Op
from iamgate.model.results import Origin
from iamgate.model.snapshot import Source
from iamgate.plan.names import Account
from iamgate.plan.tf_values import Instance, Unknown, Value, Values

AUTH = (Source.AUTHORIZATION_DETAILS,)
REPORT = (Source.CREDENTIAL_REPORT,)


class Unresolvable(Exception):
    """A value the change needs is known only after apply and could not be traced."""


@dataclass
class Resource:
    """One resource change, read: its values before and after, and where it is written."""

    change: PlannedChange
    values: Values
    account: Account
    origin: Origin

    @property
    def instance(self) -> Instance:
        return Instance(self.change, self.values)

    def after(self, *path: str | int) -> Value:
        return self.values.value(self.change, path)

    def before(self, *path: str | int) -> Any:
        data: Any = self.change.before
        for key in path:
            data = data.get(key) if isinstance(data, dict) else None
        return data

    def text(self, *path: str | int, before: bool = False) -> str:
        value = self.before(*path) if before else self.after(*path)
        if isinstance(value, Unknown):
            raise Unresolvable(value.describe())
        if not isinstance(value, str) or not value:
            where = ".".join(map(str, path))
            raise Unresolvable(f"{self.change.address}.{where} is not set")
        return value

    def texts(self, *path: str | int, before: bool = False) -> tuple[str, ...]:
        value = self.before(*path) if before else self.after(*path)
        if isinstance(value, Unknown):
            raise Unresolvable(value.describe())
        out = []
        for i, item in enumerate(value if isinstance(value, list) else []):
            if item is None and not before:
                item = self.after(*path, i)
            if isinstance(item, Unknown):
                raise Unresolvable(item.describe())
            if isinstance(item, str):
                out.append(item)
        return tuple(out)

    def document(self, *path: str | int, before: bool = False) -> Mapping[str, Any]:
        value = self.before(*path) if before else self.after(*path)
        if isinstance(value, Unknown):
            raise Unresolvable(f"the policy document {value.describe()}")
        if isinstance(value, dict):
            return value
        try:
            parsed = json.loads(value) if isinstance(value, str) else None
        except json.JSONDecodeError as exc:
            raise Unresolvable(f"the policy document is not JSON: {exc.msg}") from None
        if not isinstance(parsed, dict):
            raise Unresolvable("the policy document is not a JSON object")
        return parsed

    def name(self, before: bool = False) -> str:
        if before:
            return self.text("name", before=True)
        return str(self.values.name(self.instance))

    def boundary(self, before: bool = False) -> str | None:
        value = (
            self.before("permissions_boundary") if before else self.after("permissions_boundary")
        )
        if isinstance(value, Unknown):
            raise Unresolvable(f"the permissions boundary {value.describe()}")
        return value if isinstance(value, str) and value else None

    def policy_arn(self, attribute: str = "policy_arn", before: bool = False) -> str:
        arn = self.text(attribute, before=before)
        if not arn.startswith("arn:"):
            raise Unresolvable(f"{self.change.address}.{attribute} is not an ARN: {arn!r}")
        return arn


Make = Callable[[Resource], list[Op]]


@dataclass(frozen=True, slots=True)
class Mapper:
    """What a resource type does to the account: on create/update, on delete."""

    put: Make
    delete: Make
    touches: tuple[Source, ...] = AUTH


def nothing(_r: Resource) -> list[Op]:
    return []
