"""Baseline files (``baselines/<account>.yml``): parsed here with every error's file and line,
and written here (``baseline init``).

The shape is in docs/baselines.md; a bad baseline (unknown check, missing reason, duplicate entry,
over-broad glob, YAML error) is bad input naming the line.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from iamgate.errors import InputError
from iamgate.formats.files import read_text
from iamgate.formats.safe_yaml import compose, line_of, mapping, scalar, yaml_errors
from iamgate.model.baseline import BASELINE_VERSION, Baseline, BaselineException, broad_reach

REQUIRED_KEYS = ("check", "resource", "reason", "owner", "expires")
OPTIONAL_KEYS = ("ticket", "allow-broad")
_ACCOUNT = re.compile(r"[0-9]{12}")


# Characters no entry may hold: controls (an escaped "\\n" followed by "::error" would print as a
# workflow command of its own), format characters (bidirectional overrides that make a reviewer
# read something else), line and paragraph separators, and lone surrogates (which cannot even be
# written out as UTF-8). A reason written as a block scalar (| or >) may span lines.
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_BLOCK_LINES = frozenset({"\n", "\t"})


def inert_problem(value: str, block: bool = False) -> str | None:
    """Why ``value`` cannot be accepted as baseline text (None when it can)."""
    if value.isprintable():
        return None
    for ch in value:
        if unicodedata.category(ch) in _REFUSED and not (block and ch in _BLOCK_LINES):
            name = unicodedata.name(ch, "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "")
            return (
                f"contains U+{ord(ch):04X}{f' ({name})' if name else ''}: control and format "
                "characters, line separators and lone surrogates are not allowed"
            )
    return None


def _text(loader: Any, node: yaml.Node, key: str, source: str) -> str:
    value = scalar(loader, node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{key} must be a non-empty string", source, line_of(node))
    block = key == "reason" and getattr(node, "style", None) in ("|", ">")
    problem = inert_problem(value.strip(), block)
    if problem is not None:
        raise InputError(f"{key} {problem}", source, line_of(node))
    return value.strip()


def _date(loader: Any, node: yaml.Node, source: str) -> date:
    value = scalar(loader, node) if isinstance(node, yaml.ScalarNode) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError("expires must be a date (YYYY-MM-DD)", source, line_of(node))


def parse_baseline(text: str, source: str, known_checks: Iterable[str]) -> Baseline:
    """Parse a baseline; anything wrong with it is an ``InputError`` naming the line."""
    with yaml_errors(text, source):
        return _parse_baseline(text, source, set(known_checks))


def _parse_baseline(text: str, source: str, known: set[str]) -> Baseline:
    loader, root = compose(text)
    if root is None:
        raise InputError("empty baseline (expected version, account and exceptions)", source)
    top = mapping(root, "the baseline", source)
    unknown = sorted(set(top) - {"version", "account", "exceptions"})
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r}", source, line_of(top[unknown[0]][0]))
    for key in ("version", "account"):
        if key not in top:
            raise InputError(f"missing {key!r}", source, line_of(root))
    version = scalar(loader, top["version"][1])
    if version != BASELINE_VERSION:
        raise InputError(
            f"unsupported version {version!r} (expected {BASELINE_VERSION})",
            source,
            line_of(top["version"][1]),
        )
    account_node = top["account"][1]
    account = scalar(loader, account_node) if isinstance(account_node, yaml.ScalarNode) else None
    if isinstance(account, int) and not isinstance(account, bool):
        account = str(account)
    if not isinstance(account, str) or not _ACCOUNT.fullmatch(account):
        raise InputError(
            'account must be a 12-digit AWS account id in quotes, e.g. "123456789012"',
            source,
            line_of(account_node),
        )
    exceptions: list[BaselineException] = []
    seen: dict[tuple[str, str], int] = {}
    if "exceptions" in top:
        seq = top["exceptions"][1]
        is_null = isinstance(seq, yaml.ScalarNode) and scalar(loader, seq) is None
        if not is_null and not isinstance(seq, yaml.SequenceNode):
            raise InputError("exceptions must be a list", source, line_of(seq))
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
        account_line=line_of(account_node),
    )


def _exception(
    loader: Any, node: yaml.Node, source: str, known: set[str], account: str
) -> BaselineException:
    fields = mapping(node, "an exception", source)
    line = line_of(node)
    unknown = sorted(set(fields) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise InputError(
            f"unknown key {unknown[0]!r} in an exception (allowed: "
            f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})",
            source,
            line_of(fields[unknown[0]][0]),
        )
    for key in REQUIRED_KEYS:
        if key not in fields:
            raise InputError(f"exception is missing {key!r}", source, line)
    check = _text(loader, fields["check"][1], "check", source)
    if check not in known:
        raise InputError(
            f"unknown check {check!r} (see `iamgate checks`)", source, line_of(fields["check"][1])
        )
    ticket = None
    if "ticket" in fields:
        ticket = _text(loader, fields["ticket"][1], "ticket", source)
    allow_broad = False
    if "allow-broad" in fields:
        node_value = fields["allow-broad"][1]
        value = scalar(loader, node_value) if isinstance(node_value, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise InputError("allow-broad must be true or false", source, line_of(node_value))
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
    reach = broad_reach(exc.resource)
    if reach is not None and not exc.allow_broad:
        raise InputError(
            f"resource {exc.resource!r} is broad: its wildcard reaches into the {reach}, so it "
            "matches every resource there, not resources by name; narrow it (a wildcard in the "
            "name, e.g. user/ci-*, is fine), or set 'allow-broad: true' and say why in the reason",
            source,
            line_of(fields["resource"][1]),
        )
    return exc


def _q(value: str) -> str:
    # JSON strings are valid YAML double-quoted scalars: safe for any text, one line.
    return json.dumps(value, ensure_ascii=False)


def render_baseline(account: str, entries: Sequence[Mapping[str, Any]], header: str = "") -> str:
    """A baseline file. Each entry has check, resource, reason, owner, expires (a date) and
    optionally ticket."""
    out = [f"# {line}".rstrip() for line in header.splitlines()] if header else []
    out += [f"version: {BASELINE_VERSION}", f"account: {_q(account)}"]
    if not entries:
        out.append("exceptions: []")
    else:
        out.append("exceptions:")
    for i, e in enumerate(entries):
        if i:
            out.append("")
        out += [
            f"  - check: {e['check']}",
            f"    resource: {_q(e['resource'])}",
            f"    reason: {_q(e['reason'])}",
            f"    owner: {_q(e['owner'])}",
            f"    expires: {e['expires']:%Y-%m-%d}",
        ]
        if e.get("ticket"):
            out.append(f"    ticket: {_q(e['ticket'])}")
    return "\n".join(out) + "\n"


def read_baseline(path: Path) -> str:
    """A baseline file's text. A symbolic link, or a path that climbs out with ``..``, is
    refused: the gate must read the file that was reviewed, and a link's target (or a file
    reached through ``..``) can change outside the reviewed directory, where CODEOWNERS and the
    review workflow do not look."""
    if path.is_symlink():
        raise InputError(
            f"is a symbolic link (to {path.readlink()}): a baseline must be a regular file, so "
            "that the file reviewed is the file the gate reads",
            str(path),
        )
    if ".." in path.parts:
        raise InputError(
            "climbs out of its directory ('..'): name a baseline by its path in the reviewed "
            "directory (e.g. baselines/123456789012.yml)",
            str(path),
        )
    return read_text(path, "baseline")


def load_baseline(path: Path, known_checks: Iterable[str]) -> Baseline:
    return parse_baseline(read_baseline(path), str(path), known_checks)
