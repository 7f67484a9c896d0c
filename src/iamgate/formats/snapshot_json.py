"""``snapshot.json``: the snapshot's JSON form, read and written here only.

A small generic codec driven by the dataclasses' type hints, so a new snapshot field needs no
code here. Reading validates every field's type; anything malformed is bad input naming the file
and the path inside it (``snapshot.users[3].name: expected str``).

Versions: 2 added the organization's SCPs and RCPs. A version 1 snapshot is read as one whose
organization policies were not collected (``organization_policies_unread`` says so), so it
evaluates exactly as it did; one that carries version 2's fields is malformed.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
import types
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum, StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Union

from iamgate.errors import InputError
from iamgate.formats.files import read_json
from iamgate.formats.times import format_time, parse_time
from iamgate.model.snapshot import SCHEMA_VERSION, ReportDate, Sentinel, Snapshot


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


# Memos of values decoded in one snapshot, emptied when it is read (never kept between reads).
_SHARED: list[dict[Any, Any]] = []


def _shared_memo() -> dict[Any, Any]:
    memo: dict[Any, Any] = {}
    _SHARED.append(memo)
    return memo


def _forget_shared() -> None:
    for memo in _SHARED:
        memo.clear()


_TIMES: dict[str, datetime] = _shared_memo()
_REPORT_DATES: dict[str, datetime | Sentinel] = _shared_memo()

# Times outside these years are damage, not data (and the end of the calendar would overflow
# the arithmetic on ages and expiries).
_YEARS = range(1900, 9000)


def _time(text: str) -> datetime:
    # Reports repeat times (a report's creation time on every row): each text parsed once.
    found = _TIMES.get(text)
    if found is None:
        found = _TIMES[text] = _parse_time(text)
    return found


def _parse_time(text: str) -> datetime:
    try:
        parsed = parse_time(text)
    except ValueError:  # say what: the bare message names no value
        _fail(f"not an ISO 8601 time: {text!r}")
    if parsed.year not in _YEARS:
        _fail(f"not a plausible time (years {_YEARS[0]}-{_YEARS[-1]}): {text!r}")
    return parsed


@cache
def _decoder(tp: Any) -> Decoder:
    """A decoder for one type, built once from its type hints (a new field needs no code)."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if datetime in options and Sentinel in options:
            sentinels = typing.cast(dict[str, Sentinel], Sentinel._value2member_map_)

            def report_date(v: Any) -> Any:
                if type(v) is str:  # each text read once (most are N/A or repeated)
                    found = _REPORT_DATES.get(v)
                    if found is None:
                        found = _REPORT_DATES[v] = sentinels[v] if v in sentinels else _time(v)
                    return found
                if not isinstance(v, str):
                    _fail("expected a date or a sentinel")
                return sentinels[v] if v in sentinels else _time(v)

            return report_date
        kinds = [o for o in options if o is not type(None)]
        if len(kinds) > 1:  # e.g. int | bool: scalars only, the first that fits
            if not all(k in (str, int, bool, float) for k in kinds):
                raise TypeError(f"cannot decode {tp!r}")
            names = " or ".join(k.__name__ for k in kinds)

            def either(v: Any) -> Any:
                if v is None and type(None) in options:
                    return None
                if not isinstance(v, tuple(kinds)):
                    _fail(f"expected {names}")
                return v

            return either
        inner = _decoder(kinds[0])
        if type(None) not in options:
            return inner
        return lambda v: None if v is None else inner(v)
    if tp is Any:
        return lambda v: v
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        item = _decoder(item_type)
        exact = _EXACT.get(item_type, frozenset())

        def sequence(v: Any) -> Any:
            if not isinstance(v, list):
                _fail("expected a list")
            if exact and exact.issuperset(map(type, v)):  # text or numbers: checked in C
                return tuple(v)
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
        args = typing.get_args(tp)
        value = _decoder(args[1]) if len(args) == 2 and args[1] is not Any else None

        def mapping(v: Any) -> Any:
            if not isinstance(v, dict):
                _fail("expected an object")
            if value is not None:  # typed values (Mapping[str, int]): each one checked
                for key, item in v.items():
                    try:
                        value(item)
                    except _DecodeError as exc:
                        raise exc.under(f"[{key!r}]") from None
            return v

        return mapping
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    if tp is datetime:

        def timestamp(v: Any) -> Any:
            if type(v) is str:
                found = _TIMES.get(v)
                return _time(v) if found is None else found
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
    if tp is float:

        def number(v: Any) -> Any:
            if not isinstance(v, int | float) or isinstance(v, bool):
                _fail("expected a number")
            return v

        return number
    raise TypeError(f"cannot decode {tp!r}")


def _dataclass_decoder(cls: type) -> Decoder:
    hints = _hints(cls)
    fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}
    return _fast_decoder(cls, hints, _checked_decoder(cls, fields))


def _checked_decoder(cls: type, fields: dict[str, Decoder]) -> Decoder:
    """Every field decoded and checked, one call each: the reference, and the error messages."""
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


_Build = typing.Callable[[tuple[Any, ...]], Any]


def _fast_decoder(cls: type, hints: dict[str, Any], checked: Decoder) -> Decoder:
    """``checked``, with a fast path for an object holding every field (as ``snapshot_to_json``
    writes it). The fields that stay as they are (text, numbers, flags, free-form objects) are
    type-checked together in C, by exact type (what ``json`` makes); only the others (times,
    lists, nested objects, enums) take a call each. Exact types accept less than the checked
    path's ``isinstance``, never more: a bool where an int belongs, a subclass, a missing field
    and every failure go to the checked path, which decides and names the field."""
    fields = dataclasses.fields(cls)
    if not all(f.init and not f.kw_only for f in fields):  # built positionally below
        return checked
    names = frozenset(f.name for f in fields)
    as_is: list[tuple[str, frozenset[type]]] = []
    converted: list[tuple[int, Decoder, bool]] = []
    for index, f in enumerate(fields):
        allowed, inner, nullable = _field_plan(hints[f.name])
        if inner is not None:
            converted.append((index, _decoder(inner), nullable))
        elif allowed is not None:  # None: Any, nothing to check
            as_is.append((f.name, allowed))
    as_is_values = _tuple_getter([name for name, _ in as_is])
    types_allowed = [allowed for _, allowed in as_is]
    all_values = _tuple_getter([f.name for f in fields])

    def build_one(raw: tuple[Any, ...]) -> Any:
        values = list(raw)
        for index, convert, nullable in converted:
            value = values[index]
            if value is not None or not nullable:
                values[index] = convert(value)
        return cls(*values)

    shared = all(_scalar_key(hints[f.name]) for f in fields)
    build = _shared(build_one) if shared else build_one

    def decode(v: Any) -> Any:
        if (
            type(v) is dict
            and v.keys() == names
            and all(map(operator.contains, types_allowed, map(type, as_is_values(v))))
        ):
            try:
                return build(all_values(v))
            except (TypeError, ValueError, KeyError):
                pass  # the checked path says what is wrong, and where
        return checked(v)

    return decode


def _shared(build: _Build) -> _Build:
    """``build`` for rows of scalars, once per distinct row: equal rows (an attached policy, an
    unused key slot) decode to equal immutable objects, so one serves them all (less to build
    and to hold)."""
    memo = _shared_memo()

    def shared(raw: tuple[Any, ...]) -> Any:
        found = memo.get(raw)
        if found is None:
            found = memo[raw] = build(raw)
        return found

    return shared


def _scalar_key(tp: Any) -> bool:
    """Whether a field's raw JSON value can key a memo: a scalar whose equality implies the
    same decoded value. Checked fields are of one exact type (``1 == True == 1.0`` must not
    meet in one place); converted ones are read from text only."""
    allowed, inner, _ = _field_plan(tp)
    if inner is None:
        return allowed is not None and len(allowed - {_NONE}) == 1 and float not in allowed
    return inner is datetime or inner == ReportDate or _is_str_enum(inner)


def _is_str_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, StrEnum)


_NONE = type(None)
_EXACT: dict[Any, frozenset[type]] = {
    str: frozenset({str}),
    int: frozenset({int}),
    bool: frozenset({bool}),
    float: frozenset({int, float}),
}


def _field_plan(tp: Any) -> tuple[frozenset[type] | None, Any, bool]:
    """How the fast path treats a field of type ``tp``: (the exact types it may hold as it is,
    None, _) when it stays as read (None for ``Any``: anything); (_, the type to decode it as,
    whether None stays None) when it is converted."""
    if tp is Any:
        return None, None, False
    if tp in _EXACT:
        return _EXACT[tp], None, False
    origin = typing.get_origin(tp)
    if (origin in (Mapping, dict) or tp is dict) and typing.get_args(tp)[1:] in ((), (Any,)):
        return frozenset({dict}), None, False
    if origin not in (Union, types.UnionType):
        return None, tp, False
    options = typing.get_args(tp)
    kinds = [o for o in options if o is not _NONE]
    nullable = len(kinds) < len(options)
    if len(kinds) > 1:
        if all(k in _EXACT for k in kinds):  # ``either``: isinstance of one kind, exactly
            return frozenset({*kinds, *([_NONE] if nullable else [])}), None, False
        return None, tp, False
    allowed, inner, _ = _field_plan(kinds[0])
    if inner is None and allowed is not None and nullable:
        return allowed | {_NONE}, None, False
    if inner is None and allowed is not None:
        return allowed, None, False
    return None, (kinds[0] if nullable else tp), nullable


def _tuple_getter(names: list[str]) -> typing.Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``operator.itemgetter`` that always answers a tuple (it answers a bare value for one)."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        one = operator.itemgetter(names[0])
        return lambda v: (one(v),)
    return lambda v: ()


def _decode(tp: Any, value: Any, where: str) -> Any:
    try:
        return _located(_decoder(tp), value)
    except _DecodeError as exc:
        raise TypeError(f"{where}{exc.path}: {exc.problem}") from None


_ACCOUNT = re.compile(r"[0-9]{12}")
# The fields version 2 added; a version 1 snapshot never has them.
_SINCE_V2 = ("organization_policies", "organization_policies_unread")
V1_UNREAD = "a snapshot of schema version 1, taken before iamgate read them"


def _upgraded(data: dict[str, Any], source: str) -> dict[str, Any]:
    """``data`` as the current version: a version 1 snapshot gains "not collected"."""
    version = data.get("schema_version")
    if version == SCHEMA_VERSION:
        return data
    if version != 1 or isinstance(version, bool):
        raise InputError(
            f"unsupported snapshot schema_version {version!r} "
            f"(this iamgate reads 1 and {SCHEMA_VERSION})",
            source,
        )
    newer = [name for name in _SINCE_V2 if name in data]
    if newer:
        raise InputError(
            f"malformed snapshot: snapshot.{newer[0]}: not a field of schema_version 1", source
        )
    return {**data, "schema_version": SCHEMA_VERSION, "organization_policies_unread": V1_UNREAD}


def snapshot_from_dict(data: Any, source: str = "snapshot") -> Snapshot:
    if not isinstance(data, dict):
        raise InputError("not a snapshot (expected a JSON object)", source)
    data = _upgraded(data, source)
    try:
        snapshot = typing.cast(Snapshot, _decode(Snapshot, data, "snapshot"))
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"malformed snapshot: {exc}", source) from None
    finally:
        _forget_shared()
    if not _ACCOUNT.fullmatch(snapshot.account_id):
        raise InputError(
            f"malformed snapshot: snapshot.account_id: not a 12-digit account id: "
            f"{snapshot.account_id!r}",
            source,
        )
    policies = snapshot.organization_policies
    problem = policies.shape_problem(snapshot.account_id) if policies is not None else None
    if problem is not None:
        raise InputError(f"malformed snapshot: snapshot.organization_policies.{problem}", source)
    return snapshot


def snapshot_to_json(snapshot: Snapshot) -> str:
    """One line per user, row, policy...: readable, diffable, and written by the C encoder
    (``indent`` would switch ``json`` to its pure-Python encoder, 5x slower)."""
    parts = []
    for key, value in to_jsonable(snapshot).items():
        if key == "projection" and value is None:  # only a plan's snapshot says it is one
            continue
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(v) for v in value)
            parts.append(f" {json.dumps(key)}: [\n  {items}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}"


def load_snapshot(path: Path) -> Snapshot:
    return snapshot_from_dict(read_json(path, "snapshot"), str(path))
