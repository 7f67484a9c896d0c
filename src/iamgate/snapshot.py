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
    REGIONS = "regions"  # which regions are in scope (ec2:DescribeRegions)
    ACCESS_ANALYZER = "access_analyzer"  # a failure that spoils every region
    # A failure in one region only: errors carry the region, and the Access Analyzer checks
    # report ``error`` for that region alone (no check ``requires`` it, so it never spoils all).
    ACCESS_ANALYZER_REGION = "access_analyzer_region"
    CLOUDTRAIL = "cloudtrail"
    LOG_METRICS = "log_metrics"  # CloudWatch Logs metric filters and CloudWatch alarms
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
class Analyzer:
    arn: str
    name: str
    type: str  # ACCOUNT | ORGANIZATION (external access), *_UNUSED_ACCESS, *_INTERNAL_ACCESS
    status: str  # ACTIVE | CREATING | DISABLED | FAILED


@dataclass(frozen=True, slots=True)
class AnalyzerFinding:
    """One ACTIVE IAM Access Analyzer finding (from ListFindingsV2 or an exported file)."""

    id: str
    resource: str
    resource_type: str
    finding_type: str  # ExternalAccess | UnusedIAMRole | UnusedIAMUserAccessKey | ...
    status: str = "ACTIVE"
    analyzer_arn: str = ""
    resource_owner_account: str = ""
    principal: Mapping[str, str] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    is_public: bool | None = None  # None: not known (the list summary does not say)
    detail: str = ""  # unused access: what is unused, e.g. "s3 actions last used ..."


@dataclass(frozen=True, slots=True)
class AnalyzerRegion:
    """IAM Access Analyzer in one region; ``export`` names the file the findings came from."""

    region: str
    analyzers: tuple[Analyzer, ...] = ()
    findings: tuple[AnalyzerFinding, ...] = ()
    export: str = ""


@dataclass(frozen=True, slots=True)
class Trail:
    name: str
    arn: str
    home_region: str
    multi_region: bool = False
    global_events: bool = False
    log_validation: bool = False
    is_logging: bool | None = None  # None: status not known
    management_events: str = ""  # All | ReadOnly | WriteOnly | None ("" not known)
    log_group_arn: str | None = None
    organization: bool = False
    status_error: str = ""  # why the status or selectors are not known


@dataclass(frozen=True, slots=True)
class MetricFilter:
    log_group: str
    region: str
    name: str
    pattern: str
    metrics: tuple[str, ...] = ()  # "namespace/metric name" of each transformation


@dataclass(frozen=True, slots=True)
class Alarm:
    name: str
    region: str
    metric: str  # "namespace/metric name"
    actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CollectionError:
    source: str
    operation: str
    region: str
    code: str
    message: str
    hint: str = ""
    account_id: str = ""  # set when several accounts are reported together

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
    regions: tuple[str, ...] = ()  # regions in scope for regional sources
    access_analyzer: tuple[AnalyzerRegion, ...] = ()
    trails: tuple[Trail, ...] = ()
    metric_filters: tuple[MetricFilter, ...] = ()
    alarms: tuple[Alarm, ...] = ()

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
    cls = type(value)
    if cls in _SCALARS:
        return value
    names = _field_names(cls)
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """Field names of a dataclass (looked up once per class: ``fields()`` is slow)."""
    if cls not in _FIELD_NAMES:
        is_dc = dataclasses.is_dataclass(cls)
        _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dc else None
    return _FIELD_NAMES[cls]


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


class _DecodeError(TypeError):
    """A decoding failure; ``path`` is built on the way out, so the happy path never pays."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem

    def under(self, prefix: str) -> _DecodeError:
        return _DecodeError(prefix + self.path, self.problem)


Decoder = typing.Callable[[Any], Any]


def _fail(problem: str) -> typing.NoReturn:
    raise _DecodeError("", problem)


def _located(fn: Decoder, value: Any) -> Any:
    try:
        return fn(value)
    except _DecodeError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise _DecodeError("", str(exc)) from None


def _time(text: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError:  # say what: the bare message names no value
        _fail(f"not an ISO 8601 time: {text!r}")


@cache
def _decoder(tp: Any) -> Decoder:
    """A decoder for one type, built once from its type hints (a new field needs no code)."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if datetime in options and Sentinel in options:
            sentinels = Sentinel._value2member_map_

            def report_date(v: Any) -> Any:
                if not isinstance(v, str):
                    _fail("expected a date or a sentinel")
                return sentinels[v] if v in sentinels else _time(v)

            return report_date
        inner = _decoder(next(o for o in options if o is not type(None)))
        if type(None) not in options:
            return inner
        return lambda v: None if v is None else inner(v)
    if tp is Any:
        return lambda v: v
    if origin is tuple:
        item = _decoder(typing.get_args(tp)[0])

        def sequence(v: Any) -> Any:
            if not isinstance(v, list):
                _fail("expected a list")
            try:
                return tuple(map(item, v))
            except (TypeError, ValueError, KeyError):
                for i, x in enumerate(v):  # find which item, for the message
                    try:
                        _located(item, x)
                    except _DecodeError as exc:
                        raise exc.under(f"[{i}]") from None
                raise

        return sequence
    if origin in (Mapping, dict) or tp is dict:

        def mapping(v: Any) -> Any:
            if not isinstance(v, dict):
                _fail("expected an object")
            return v

        return mapping
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if tp is datetime:

        def timestamp(v: Any) -> Any:
            if not isinstance(v, str):
                _fail("expected an ISO 8601 time")
            return _time(v)

        return timestamp
    if isinstance(tp, type) and issubclass(tp, Enum):
        return typing.cast(Decoder, tp)
    if tp in (str, int, bool):

        def scalar(v: Any) -> Any:
            if not isinstance(v, tp) or (tp is int and isinstance(v, bool)):
                _fail(f"expected {tp.__name__}")
            return v

        return scalar
    raise TypeError(f"cannot decode {tp!r}")


def _dataclass_decoder(cls: type) -> Decoder:
    hints = _hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
    known = fields.keys()

    def decode(v: Any) -> Any:
        if not isinstance(v, dict):
            _fail("expected an object")
        if not known >= v.keys():
            unknown = ", ".join(sorted(set(v) - set(known)))
            _fail(f"unknown field(s) {unknown}")
        try:
            return cls(**{k: fields[k](x) for k, x in v.items()})
        except (TypeError, ValueError, KeyError) as exc:
            for k, x in v.items():  # find which field, for the message
                try:
                    _located(fields[k], x)
                except _DecodeError as inner:
                    raise inner.under(f".{k}") from None
            raise _DecodeError("", str(exc)) from None

    return decode


def _decode(tp: Any, value: Any, where: str) -> Any:
    try:
        return _located(_decoder(tp), value)
    except _DecodeError as exc:
        raise TypeError(f"{where}{exc.path}: {exc.problem}") from None


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
    """One line per user, row, policy...: readable, diffable, and written by the C encoder
    (``indent`` would switch ``json`` to its pure-Python encoder, 5x slower)."""
    parts = []
    for key, value in to_jsonable(snapshot).items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(v) for v in value)
            parts.append(f" {json.dumps(key)}: [\n  {items}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


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
