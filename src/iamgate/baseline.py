"""The committed baseline of accepted exceptions: loading, validation and matching.

YAML is read with PyYAML's *safe* composer only, node by node, so every message names the file
and line. Anchors and aliases are refused (no alias bombs, and an exception is written out in
full where it is reviewed), and so are duplicate keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from iamgate.errors import InputError

BASELINE_VERSION = 1
MAX_BASELINE_BYTES = 5 * 1024 * 1024
REQUIRED_KEYS = ("check", "resource", "reason", "owner", "expires")
OPTIONAL_KEYS = ("ticket", "allow-broad")
_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True, slots=True)
class BaselineException:
    check: str
    resource: str
    reason: str
    owner: str
    expires: date
    ticket: str | None = None
    allow_broad: bool = False
    source: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def is_glob(self) -> bool:
        return "*" in self.resource

    def matches(self, check: str, resource: str) -> bool:
        if check != self.check:
            return False
        if not self.is_glob:
            return resource == self.resource
        return glob_match(self.resource, resource)

    def is_broad(self, account_id: str) -> bool:
        """A glob that covers every resource, or every resource of a kind in the account."""
        if not self.is_glob:
            return False
        stripped = self.resource.rstrip("*")
        return stripped == "" or bool(re.fullmatch(r"arn:[^:]*:[^:]*:[^:]*:\d{12}:?", stripped))


def glob_match(pattern: str, text: str) -> bool:
    """``*``-only glob match in linear passes of ``str.find``.

    The regex it replaces (``a.*b.*c`` with fullmatch) backtracks catastrophically on a pattern
    with many stars (found by fuzzing: one baseline entry could hang the gate). Matching each
    literal segment at its leftmost place is exact for globs whose only wildcard is ``*``.
    """
    if "*" not in pattern:
        return pattern == text
    first, *middle, last = pattern.split("*")
    if len(text) < len(first) + len(last) or not (text.startswith(first) and text.endswith(last)):
        return False
    pos, end = len(first), len(text) - len(last)
    for segment in middle:
        found = text.find(segment, pos, end)
        if found < 0:
            return False
        pos = found + len(segment)
    return True


@dataclass(frozen=True)  # no slots: the per-check index below is cached on the instance
class Baseline:
    account: str
    exceptions: tuple[BaselineException, ...]
    source: str = ""
    account_line: int = 0
    version: int = BASELINE_VERSION

    @cached_property
    def _by_check(self) -> dict[str, list[BaselineException]]:
        index: dict[str, list[BaselineException]] = {}
        for exc in self.exceptions:
            index.setdefault(exc.check, []).append(exc)
        return index

    def candidates(self, check: str) -> list[BaselineException]:
        return self._by_check.get(check, [])


EMPTY = Baseline(account="", exceptions=())


class _Loader(yaml.SafeLoader):
    """Safe loader that refuses anchors/aliases and keeps node positions."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                "anchors and aliases are not allowed in a baseline", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                "anchors and aliases are not allowed in a baseline", event.start_mark
            )
        return super().compose_node(parent, index)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(loader: _Loader, node: yaml.Node) -> Any:
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. "!!timestamp 2026-99-01": give it the node's line
        raise yaml.MarkedYAMLError(
            problem=f"cannot read value: {exc}", problem_mark=node.start_mark
        ) from None


def _mapping(node: yaml.Node, what: str, source: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise InputError(f"{what} must be a mapping", source, _line(node))
    result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise InputError(f"{what}: keys must be plain strings", source, _line(key_node))
        key = str(key_node.value)
        if key in result:
            raise InputError(
                f"{what}: duplicate key {key!r} (first on line {_line(result[key][0])})",
                source,
                _line(key_node),
            )
        result[key] = (key_node, value_node)
    return result


def _text(loader: _Loader, node: yaml.Node, key: str, source: str) -> str:
    value = _scalar(loader, node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key} must be a non-empty string", source, _line(node))
    return value.strip()


def _date(loader: _Loader, node: yaml.Node, source: str) -> date:
    value = _scalar(loader, node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError("expires must be a date (YYYY-MM-DD)", source, _line(node))


def parse_baseline(text: str, source: str, known_checks: Iterable[str]) -> Baseline:
    """Parse a baseline; anything wrong with it is an ``InputError`` naming the line."""
    # Every YAML failure is caught here, wherever it happens: creating the loader (control
    # characters), composing (syntax, nesting too deep) or constructing a value (a bad
    # !!timestamp). Before, those escaped as internal errors (exit 4).
    try:
        return _parse_baseline(text, source, set(known_checks))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", source, line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InputError(
            f"invalid YAML: character U+{char:04X} is not allowed", source, line
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {' '.join(str(exc).split())}", source) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", source) from None


def _parse_baseline(text: str, source: str, known: set[str]) -> Baseline:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is None:
        raise InputError("empty baseline (expected version, account and exceptions)", source)
    top = _mapping(root, "the baseline", source)
    unknown = sorted(set(top) - {"version", "account", "exceptions"})
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r}", source, _line(top[unknown[0]][0]))
    for key in ("version", "account"):
        if key not in top:
            raise InputError(f"missing {key!r}", source, _line(root))
    version = _scalar(loader, top["version"][1])
    if version != BASELINE_VERSION:
        raise InputError(
            f"unsupported version {version!r} (expected {BASELINE_VERSION})",
            source,
            _line(top["version"][1]),
        )
    account_node = top["account"][1]
    account = _scalar(loader, account_node) if isinstance(account_node, yaml.ScalarNode) else None
    if isinstance(account, int) and not isinstance(account, bool):
        account = str(account)
    if not isinstance(account, str) or not _ACCOUNT.match(account):
        raise InputError(
            'account must be a 12-digit AWS account id in quotes, e.g. "123456789012"',
            source,
            _line(account_node),
        )
    exceptions: list[BaselineException] = []
    seen: dict[tuple[str, str], int] = {}
    if "exceptions" in top:
        seq = top["exceptions"][1]
        is_null = isinstance(seq, yaml.ScalarNode) and _scalar(loader, seq) is None
        if not is_null and not isinstance(seq, yaml.SequenceNode):
            raise InputError("exceptions must be a list", source, _line(seq))
        for item in [] if is_null else seq.value:
            entry = _exception(loader, item, source, known, account)
            ident = (entry.check, entry.resource)
            if ident in seen:
                raise InputError(
                    f"duplicate exception for {entry.check} on {entry.resource} "
                    f"(first on line {seen[ident]})",
                    source,
                    entry.line,
                )
            seen[ident] = entry.line
            exceptions.append(entry)
    return Baseline(
        account=account,
        exceptions=tuple(exceptions),
        source=source,
        account_line=_line(account_node),
    )


def _exception(
    loader: _Loader, node: yaml.Node, source: str, known: set[str], account: str
) -> BaselineException:
    fields = _mapping(node, "an exception", source)
    line = _line(node)
    unknown = sorted(set(fields) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise InputError(
            f"unknown key {unknown[0]!r} in an exception (allowed: "
            f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})",
            source,
            _line(fields[unknown[0]][0]),
        )
    for key in REQUIRED_KEYS:
        if key not in fields:
            raise InputError(f"exception is missing {key!r}", source, line)
    check = _text(loader, fields["check"][1], "check", source)
    if check not in known:
        raise InputError(
            f"unknown check {check!r} (see `iamgate checks`)", source, _line(fields["check"][1])
        )
    ticket = None
    if "ticket" in fields:
        ticket = _text(loader, fields["ticket"][1], "ticket", source)
    allow_broad = False
    if "allow-broad" in fields:
        node_value = fields["allow-broad"][1]
        value = _scalar(loader, node_value) if isinstance(node_value, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise InputError("allow-broad must be true or false", source, _line(node_value))
        allow_broad = value
    exc = BaselineException(
        check=check,
        resource=_text(loader, fields["resource"][1], "resource", source),
        reason=_text(loader, fields["reason"][1], "reason", source),
        owner=_text(loader, fields["owner"][1], "owner", source),
        expires=_date(loader, fields["expires"][1], source),
        ticket=ticket,
        allow_broad=allow_broad,
        source=source,
        line=line,
    )
    if exc.is_broad(account) and not exc.allow_broad:
        raise InputError(
            f"resource {exc.resource!r} matches every resource: narrow it, or set "
            "'allow-broad: true' and say why in the reason",
            source,
            _line(fields["resource"][1]),
        )
    return exc


def read_text(path: Path, what: str = "file") -> str:
    """Read a UTF-8 input file; every failure is bad input naming the file."""
    try:
        if path.stat().st_size > MAX_BASELINE_BYTES:
            raise InputError(
                f"{what} is larger than {MAX_BASELINE_BYTES // 1024 // 1024} MiB", str(path)
            )
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from None


def load_baseline(path: Path, known_checks: Iterable[str]) -> Baseline:
    return parse_baseline(read_text(path, "baseline"), str(path), known_checks)
