"""``iamgate.toml``, the committed configuration file: read and validated here.

Unknown sections and keys, wrong types and out-of-range values are bad input naming the file
and the line (of the key, or of the bad entry of a list).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import number_problem, read_text
from iamgate.model.config import (
    OIDC_OWNER_PROVIDERS,
    ROLE_LAST_USED_WINDOW_DAYS,
    BaselineSettings,
    CheckSettings,
    CollectSettings,
    Config,
    GateSettings,
    MonitoringSettings,
    Thresholds,
    TrustSettings,
)
from iamgate.model.results import Severity
from iamgate.model.snapshot import is_aws_managed_arn

DEFAULT_CONFIG_NAME = "iamgate.toml"


# String settings and the values they may take.
_CHOICES: dict[str, tuple[str, ...]] = {"retry_mode": ("adaptive", "standard", "legacy")}

# Whole-number settings for which 0 makes no sense (botocore needs at least one attempt).
_MINIMUM = {
    "max_attempts": 1,
    "connect_timeout": 1,
    "read_timeout": 1,
    "max_pages": 1,
    "role_unused_days": 1,
}

_MAXIMUM = 1_000_000
# Settings with a smaller ceiling, and why.
_CEILING = {
    "role_unused_days": (
        ROLE_LAST_USED_WINDOW_DAYS,
        "AWS reports a role's last use for the trailing 400 days only",
    )
}

_SECTIONS: dict[str, type] = {
    "thresholds": Thresholds,
    "gate": GateSettings,
    "baseline": BaselineSettings,
    "collect": CollectSettings,
    "trust": TrustSettings,
    "monitoring": MonitoringSettings,
    "checks": CheckSettings,
}
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
# An owner: path segments of name characters, no wildcard (a name, not a pattern).
_OWNER_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class _Where:
    """Lines of the file, to name the line of a bad value (tomllib gives none)."""

    def __init__(self, text: str, source: str):
        self.lines = text.splitlines()
        self.source = source

    def line(self, section: str, key: str | None = None, item: str | None = None) -> int | None:
        current, found = "", None
        for number, raw in enumerate(self.lines, start=1):
            line = raw.strip()
            header = re.match(r"^\[\s*([^\]\s]+)\s*\]", line)
            if header:
                current = header.group(1)
                if current == section and key is None:
                    return number
                continue
            if current != section:
                continue
            if found is None and key is not None and re.match(rf"^{re.escape(key)}\s*=", line):
                found = number
                if item is None:
                    return number
            if (
                found is not None
                and item is not None
                and (f'"{item}"' in raw or f"'{item}'" in raw)
            ):
                return number
        return found

    def error(
        self, message: str, section: str, key: str | None = None, item: Any = None
    ) -> InputError:
        shown = item if isinstance(item, str) else None
        return InputError(message, self.source, self.line(section, key, shown))


def parse_config(data: dict[str, Any], source: str, text: str = "") -> Config:
    where = _Where(text, source)
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        first = sorted(unknown)[0]
        line = where.line(first) or where.line("", first)
        raise InputError(f"unknown section(s): {', '.join(sorted(unknown))}", source, line)
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise InputError(f"[{name}] must be a table", source, where.line("", name))
        fields = {f.name: f for f in dataclasses.fields(cls)}
        bad = set(table) - set(fields)
        if bad:
            first = sorted(bad)[0]
            raise where.error(f"[{name}]: unknown key(s): {', '.join(sorted(bad))}", name, first)
        values: dict[str, Any] = {}
        for key, value in table.items():
            try:
                values[key] = _value(cls, name, key, value)
            except _Bad as bad_value:
                raise where.error(bad_value.message, name, key, bad_value.item) from None
        sections[name] = cls(**values)
    return Config(**sections, source=source)


class _Bad(Exception):
    def __init__(self, message: str, item: Any = None):
        super().__init__(message)
        self.message, self.item = message, item


def _value(cls: type, name: str, key: str, value: Any) -> Any:
    default = getattr(cls(), key)
    if isinstance(default, Severity):
        try:
            return Severity(value)
        except ValueError:
            choices = ", ".join(s.value for s in Severity)
            raise _Bad(f"[{name}] {key}: {value!r} is not one of {choices}") from None
    if isinstance(default, bool):  # before int: a bool is an int in Python
        if not isinstance(value, bool):
            raise _Bad(f"[{name}] {key}: expected true or false, got {value!r}")
        return value
    if isinstance(default, str):
        allowed = _CHOICES.get(key, ())
        if value not in allowed:
            raise _Bad(f"[{name}] {key}: {value!r} is not one of {', '.join(allowed)}")
        return value
    if isinstance(default, int):
        low = _MINIMUM.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise _Bad(f"[{name}] {key}: expected a whole number >= {low}, got {value!r}")
        ceiling, why = _CEILING.get(key, (_MAXIMUM, ""))
        if value > ceiling:  # days, seconds, attempts, pages: more is a typo
            because = f": {why}" if why else ""
            raise _Bad(f"[{name}] {key}: {value} is too large (at most {ceiling}{because})")
        return value
    if key == "oidc_owners":
        return _owner_list(value, f"[{name}] {key}")
    if key == "aws_managed_policies":
        return _aws_policy_list(value, f"[{name}] {key}")
    return _account_list(value, f"[{name}] {key}")


def _aws_policy_list(value: Any, where: str) -> tuple[str, ...]:
    """ARNs of AWS-managed policies (``arn:aws:iam::aws:policy/...``), each once."""
    form = "an AWS-managed policy ARN (arn:aws:iam::aws:policy/NAME, with its path)"
    if not isinstance(value, list):
        raise _Bad(f"{where}: expected a list of {form}s")
    for item in value:
        if not isinstance(item, str) or not is_aws_managed_arn(item):
            raise _Bad(f"{where}: {item!r} is not {form}", item)
    return tuple(dict.fromkeys(value))


def _account_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Bad(f"{where}: expected a list of 12-digit account ids")
    for item in value:
        if not isinstance(item, str) or not _ACCOUNT_ID.fullmatch(item):
            raise _Bad(
                f"{where}: {item!r} is not a 12-digit account id (write it as a quoted string)",
                item,
            )
    return tuple(dict.fromkeys(value))


def _owner_list(value: Any, where: str) -> tuple[str, ...]:
    """``"<provider>:<owner>[/<path>]"`` entries; the provider lower-case, the owner a name."""
    providers = ", ".join(OIDC_OWNER_PROVIDERS)
    form = f"'<provider>:<owner>' with a provider among {providers} (e.g. \"github:my-org\")"
    if not isinstance(value, list):
        raise _Bad(f"{where}: expected a list of {form}")
    out = []
    for item in value:
        if not isinstance(item, str):
            raise _Bad(f"{where}: {item!r} is not {form}", item)
        provider, _, owner = item.partition(":")
        if provider == "github" and owner.startswith("id:"):  # repository_owner_id
            ok = owner[3:].isdigit()
        else:
            ok = bool(owner) and all(_OWNER_SEGMENT.fullmatch(s) for s in owner.split("/"))
        if provider not in OIDC_OWNER_PROVIDERS or not ok:
            raise _Bad(f"{where}: {item!r} is not {form}", item)
        out.append(item)
    return tuple(dict.fromkeys(out))


def load_config(path: Path | None) -> Config:
    """Load ``path``, or ``./iamgate.toml`` when it exists, or the defaults."""
    if path is None:
        candidate = Path(DEFAULT_CONFIG_NAME)
        if not candidate.is_file():
            return Config()
        path = candidate
    return read_config(read_text(path, "config"), str(path))


def read_config(text: str, source: str) -> Config:
    """A configuration's text (a file, or the file at a git ref), parsed and validated."""
    path = source
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the position in its message only: lift the line out for the prefix.
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = str(exc).replace(where.group(0), "").strip() if where else str(exc)
        line = int(where.group(1)) if where else None
        raise InputError(f"invalid TOML: {message}", str(path), line) from None
    except RecursionError:
        raise InputError("invalid TOML: nested too deeply", str(path)) from None
    except ValueError as exc:  # a number past the int-string limit
        raise InputError(f"invalid TOML: {number_problem(exc)}", str(path)) from None
    return parse_config(data, str(path), text)
