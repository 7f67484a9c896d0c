"""The immutable snapshot of an account: everything the checks may look at.

Collected once (``collect.py``), written as JSON, and read back for offline replay. Checks are
pure functions of it. A failed collection is recorded in ``errors`` against the *source* it was
for, so that the checks that need that source report ``error`` instead of ``pass``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Union

from iamgate.errors import InputError

SCHEMA_VERSION = 1


class Source(StrEnum):
    """What a collector gathers; checks declare which of these they need."""

    IDENTITY = "identity"
    AUTHORIZATION_DETAILS = "authorization_details"
    CREDENTIAL_REPORT = "credential_report"
    PASSWORD_POLICY = "password_policy"
    ACCOUNT_SUMMARY = "account_summary"
    VIRTUAL_MFA_DEVICES = "virtual_mfa_devices"
    SERVER_CERTIFICATES = "server_certificates"
    # Documents of attached AWS-managed policies (GetPolicy + GetPolicyVersion). Without them a
    # group's admin access cannot be judged: the check needing them must say error, not pass.
    AWS_MANAGED_POLICIES = "aws_managed_policies"


class Sentinel(StrEnum):
    """Credential-report values that are not dates. Each means something different."""

    NA = "N/A"  # never (e.g. key never used, no password)
    NO_INFORMATION = "no_information"  # not used since AWS started tracking it
    NOT_SUPPORTED = "not_supported"  # the field does not apply (e.g. root password fields)


ReportDate = datetime | Sentinel


@dataclass(frozen=True, slots=True)
class AttachedPolicy:
    name: str
    arn: str


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class User:
    name: str
    arn: str
    create_date: datetime
    path: str = "/"
    groups: tuple[str, ...] = ()
    attached: tuple[AttachedPolicy, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    permissions_boundary: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    arn: str
    create_date: datetime
    path: str = "/"
    attached: tuple[AttachedPolicy, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    arn: str
    create_date: datetime
    trust_policy: Mapping[str, Any]
    path: str = "/"
    attached: tuple[AttachedPolicy, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    permissions_boundary: str | None = None
    last_used: datetime | None = None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    arn: str
    name: str
    document: Mapping[str, Any]  # the default version's document
    attachment_count: int = 0
    aws_managed: bool = False


@dataclass(frozen=True, slots=True)
class AccessKeySlot:
    """One of the two access-key columns of the credential report."""

    slot: int
    active: bool
    last_rotated: ReportDate
    last_used: ReportDate


@dataclass(frozen=True, slots=True)
class CredentialRow:
    user: str
    arn: str
    user_creation_time: ReportDate
    password_enabled: bool | None  # None: not_supported (the root row)
    password_last_used: ReportDate
    password_last_changed: ReportDate
    mfa_active: bool
    keys: tuple[AccessKeySlot, ...]

    @property
    def is_root(self) -> bool:
        return self.user == "<root_account>"


@dataclass(frozen=True, slots=True)
class VirtualMfaDevice:
    serial: str
    user_arn: str | None
    enable_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServerCertificate:
    name: str
    arn: str
    expiration: datetime
    upload_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class CollectionError:
    source: str
    operation: str
    region: str
    code: str
    message: str
    hint: str = ""

    def describe(self) -> str:
        text = f"{self.operation} ({self.region}) failed: {self.code}: {self.message}"
        return f"{text}. {self.hint}" if self.hint else text


@dataclass(frozen=True, slots=True)
class Snapshot:
    account_id: str
    collected_at: datetime
    partition: str = "aws"
    caller_arn: str = ""
    tool_version: str = ""
    schema_version: int = SCHEMA_VERSION
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()
    credential_report: tuple[CredentialRow, ...] = ()
    password_policy: Mapping[str, Any] | None = None  # None: no policy set (a finding)
    account_summary: Mapping[str, int] = field(default_factory=dict)
    virtual_mfa_devices: tuple[VirtualMfaDevice, ...] = ()
    server_certificates: tuple[ServerCertificate, ...] = ()
    errors: tuple[CollectionError, ...] = ()
    api_calls: Mapping[str, int] = field(default_factory=dict)

    @property
    def account_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def errors_for(self, sources: typing.Iterable[str]) -> list[CollectionError]:
        wanted = {str(s.value if isinstance(s, Enum) else s) for s in sources}
        return [e for e in self.errors if e.source in wanted]

    @property
    def root_row(self) -> CredentialRow | None:
        return next((r for r in self.credential_report if r.is_root), None)

    def policy_by_arn(self) -> dict[str, ManagedPolicy]:
        return {p.arn: p for p in self.policies}


# --- JSON round trip -------------------------------------------------------------------------
# A small generic codec driven by the dataclasses' type hints, so a new field needs no code here.


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def format_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        if datetime in options and Sentinel in options:
            if value in Sentinel._value2member_map_:
                return Sentinel(value)
            return _decode(datetime, value, where)
        inner = [o for o in options if o is not type(None)]
        return _decode(inner[0], value, where)
    if tp is Any:
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError(f"{where}: expected a list")
        item = typing.get_args(tp)[0]
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (Mapping, dict) or tp is dict:
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        hints = _hints(tp)
        known = {f.name for f in dataclasses.fields(tp)}
        unknown = set(value) - known
        if unknown:
            raise TypeError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        return tp(**{k: _decode(hints[k], v, f"{where}.{k}") for k, v in value.items()})
    if tp is datetime:
        if not isinstance(value, str):
            raise TypeError(f"{where}: expected an ISO 8601 time")
        try:
            return parse_time(value)
        except ValueError:  # say where: the bare message named no field
            raise TypeError(f"{where}: not an ISO 8601 time: {value!r}") from None
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(value)
    if tp in (str, int, bool):
        if not isinstance(value, tp) or (tp is int and isinstance(value, bool)):
            raise TypeError(f"{where}: expected {tp.__name__}")
        return value
    raise TypeError(f"{where}: cannot decode {tp!r}")


def snapshot_from_dict(data: Any, source: str = "snapshot") -> Snapshot:
    if not isinstance(data, dict):
        raise InputError("not a snapshot (expected a JSON object)", source)
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"unsupported snapshot schema_version {version!r} "
            f"(this iamgate reads {SCHEMA_VERSION})",
            source,
        )
    try:
        return typing.cast(Snapshot, _decode(Snapshot, data, "snapshot"))
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"malformed snapshot: {exc}", source) from None


def snapshot_to_json(snapshot: Snapshot) -> str:
    return json.dumps(to_jsonable(snapshot), indent=1, sort_keys=False)


def load_snapshot(path: Path) -> Snapshot:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read snapshot: {exc.strerror}", str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", str(path), exc.lineno) from None
    except RecursionError:  # was an internal error (exit 4)
        raise InputError("invalid JSON: nested too deeply", str(path)) from None
    return snapshot_from_dict(data, str(path))
