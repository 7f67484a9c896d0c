"""The committed configuration file (``iamgate.toml``): thresholds and gate settings.

Defaults follow the CIS AWS Foundations Benchmark. A changed threshold is never silent: it is
listed on stderr and in every report (``Config.overrides``).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.model import Severity

DEFAULT_CONFIG_NAME = "iamgate.toml"


@dataclass(frozen=True, slots=True)
class Thresholds:
    access_key_max_age_days: int = 90
    credentials_unused_days: int = 45
    password_min_length: int = 14
    password_reuse_prevention: int = 24
    password_max_age_days: int = 90
    user_inactive_days: int = 90
    root_recent_use_days: int = 30


@dataclass(frozen=True, slots=True)
class GateSettings:
    fail_on: Severity = Severity.LOW
    expiring_within_days: int = 30  # accepted exceptions this close to expiry are flagged


@dataclass(frozen=True, slots=True)
class BaselineSettings:
    max_expiry_days: int = 90  # the horizon: no exception may be accepted for longer


@dataclass(frozen=True, slots=True)
class CollectSettings:
    max_attempts: int = 8  # requests per API call, the first one included
    retry_mode: str = "adaptive"  # botocore retry mode: adaptive, standard or legacy
    max_backoff_seconds: int = 20  # cap on the sleep between retries (botocore's default: 20)
    connect_timeout: int = 10
    read_timeout: int = 60
    credential_report_timeout: int = 120  # seconds to wait for the report to be generated


@dataclass(frozen=True, slots=True)
class TrustSettings:
    # Other accounts of the organization that roles may trust (role-trust-external-account).
    trusted_accounts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    thresholds: Thresholds = field(default_factory=Thresholds)
    gate: GateSettings = field(default_factory=GateSettings)
    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    collect: CollectSettings = field(default_factory=CollectSettings)
    trust: TrustSettings = field(default_factory=TrustSettings)
    source: str | None = None

    def overrides(self) -> list[tuple[str, Any, Any]]:
        """(name, value, default) for every setting that differs from the default."""
        default = Config()
        changed = []
        for section in ("thresholds", "gate", "baseline", "collect", "trust"):
            mine, theirs = getattr(self, section), getattr(default, section)
            for f in dataclasses.fields(mine):
                value, base = getattr(mine, f.name), getattr(theirs, f.name)
                if value != base:
                    changed.append((f"{section}.{f.name}", _plain(value), _plain(base)))
        return changed


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value.value if isinstance(value, Severity) else value


# String settings and the values they may take.
_CHOICES: dict[str, tuple[str, ...]] = {"retry_mode": ("adaptive", "standard", "legacy")}

# Whole-number settings for which 0 makes no sense (botocore needs at least one attempt).
_MINIMUM = {"max_attempts": 1, "connect_timeout": 1, "read_timeout": 1}

_SECTIONS: dict[str, type] = {
    "thresholds": Thresholds,
    "gate": GateSettings,
    "baseline": BaselineSettings,
    "collect": CollectSettings,
    "trust": TrustSettings,
}
_ACCOUNT_ID = re.compile(r"^\d{12}$")


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
                values[key] = value
            elif isinstance(default, tuple):
                values[key] = _account_list(value, f"[{name}] {key}", source)
        sections[name] = cls(**values)
    return Config(**sections, source=source)


def _account_list(value: Any, where: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InputError(f"{where}: expected a list of 12-digit account ids", source)
    for item in value:
        if not isinstance(item, str) or not _ACCOUNT_ID.match(item):
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
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the position in its message only: lift the line out for the prefix.
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = str(exc).replace(where.group(0), "").strip() if where else str(exc)
        line = int(where.group(1)) if where else None
        raise InputError(f"invalid TOML: {message}", str(path), line) from None
    except RecursionError:
        raise InputError("invalid TOML: nested too deeply", str(path)) from None
    return parse_config(data, str(path))
