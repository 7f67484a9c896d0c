"""``iamgate.toml``, the committed configuration file: read and validated here.

Unknown sections and keys, wrong types and out-of-range values are bad input naming the file
(and the line, for TOML syntax errors).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import read_text
from iamgate.model.config import (
    BaselineSettings,
    CollectSettings,
    Config,
    GateSettings,
    Thresholds,
    TrustSettings,
)
from iamgate.model.results import Severity

DEFAULT_CONFIG_NAME = "iamgate.toml"


# String settings and the values they may take.
_CHOICES: dict[str, tuple[str, ...]] = {"retry_mode": ("adaptive", "standard", "legacy")}

# Whole-number settings for which 0 makes no sense (botocore needs at least one attempt).
_MINIMUM = {"max_attempts": 1, "connect_timeout": 1, "read_timeout": 1, "max_pages": 1}

_MAXIMUM = 1_000_000

_SECTIONS: dict[str, type] = {
    "thresholds": Thresholds,
    "gate": GateSettings,
    "baseline": BaselineSettings,
    "collect": CollectSettings,
    "trust": TrustSettings,
}
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def parse_config(data: dict[str, Any], source: str) -> Config:
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise InputError(f"unknown section(s): {', '.join(sorted(unknown))}", source)
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise InputError(f"[{name}] must be a table", source)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        bad = set(table) - set(fields)
        if bad:
            raise InputError(f"[{name}]: unknown key(s): {', '.join(sorted(bad))}", source)
        values: dict[str, Any] = {}
        for key, value in table.items():
            default = getattr(cls(), key)
            if isinstance(default, Severity):
                try:
                    values[key] = Severity(value)
                except ValueError:
                    choices = ", ".join(s.value for s in Severity)
                    raise InputError(
                        f"[{name}] {key}: {value!r} is not one of {choices}", source
                    ) from None
            elif isinstance(default, str):
                allowed = _CHOICES.get(key, ())
                if value not in allowed:
                    raise InputError(
                        f"[{name}] {key}: {value!r} is not one of {', '.join(allowed)}", source
                    )
                values[key] = value
            elif isinstance(default, int):
                low = _MINIMUM.get(key, 0)
                if not isinstance(value, int) or isinstance(value, bool) or value < low:
                    raise InputError(
                        f"[{name}] {key}: expected a whole number >= {low}, got {value!r}", source
                    )
                if value > _MAXIMUM:  # days, seconds, attempts, pages: more is a typo
                    raise InputError(
                        f"[{name}] {key}: {value} is too large (at most {_MAXIMUM})", source
                    )
                values[key] = value
            elif isinstance(default, tuple):
                values[key] = _account_list(value, f"[{name}] {key}", source)
        sections[name] = cls(**values)
    return Config(**sections, source=source)


def _account_list(value: Any, where: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list of 12-digit account ids", source)
    for item in value:
        if not isinstance(item, str) or not _ACCOUNT_ID.fullmatch(item):
            raise InputError(
                f"{where}: {item!r} is not a 12-digit account id (write it as a quoted string)",
                source,
            )
    return tuple(dict.fromkeys(value))


def load_config(path: Path | None) -> Config:
    """Load ``path``, or ``./iamgate.toml`` when it exists, or the defaults."""
    if path is None:
        candidate = Path(DEFAULT_CONFIG_NAME)
        if not candidate.is_file():
            return Config()
        path = candidate
    text = read_text(path, "config")
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
    return parse_config(data, str(path))
