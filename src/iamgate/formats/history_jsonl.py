"""The ``--history`` file: one JSON object per line, one line per run, the newest last.

Written and read here only. Each run reads the file, appends its own line and writes it back
(atomically, with its reports), keeping the last ``HISTORY_LIMIT`` runs: about a year of nightly
runs plus re-runs, under 1 MiB. A missing file is an empty history (the first run); anything
else that is not a history line is bad input naming the file and line, never silently dropped
or rewritten. A line, keys in this order (``v`` is the line format's version)::

    {"v":1,"time":"2026-06-01T12:00:00Z","accounts":["123456789012"],"verdict":"fail",
     "counts":{"new":3,"expired":1,"accepted":2,"stale":1,"passed":1,"errors":1},
     "failing_by_severity":{"critical":1,"high":3,"medium":0,"low":0,"info":0},
     "checks":["root-mfa","user-console-mfa"]}

(on one line, ASCII only). The time is the run's ``generated_at``, not the clock's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.files import number_problem, read_text
from iamgate.formats.times import format_time, parse_time
from iamgate.model.history import HistoryEntry
from iamgate.model.results import COUNT_KEYS, Severity, Status, Verdict

HISTORY_VERSION = 1
HISTORY_LIMIT = 400
SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))  # critical first
VERDICTS = ("fail", "error", "pass")
_KEYS = ("v", "time", "accounts", "verdict", "counts", "failing_by_severity", "checks")


def entry_for(verdict: Verdict) -> HistoryEntry:
    """The line a run adds: its counts, and its failing findings (new + expired) by severity."""
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for f in verdict.findings:
        if f.status in (Status.FAIL, Status.EXPIRED):
            by_severity[f.severity.value] += 1
    accounts = tuple(a.account_id for a in verdict.accounts) or (verdict.account_id,)
    return HistoryEntry(
        time=verdict.generated_at,
        accounts=accounts,
        verdict=verdict.status,
        counts={k: verdict.counts[k] for k in COUNT_KEYS},
        failing_by_severity=by_severity,
        checks=verdict.checks,
    )


def entry_json(entry: HistoryEntry) -> str:
    data = {
        "v": HISTORY_VERSION,
        "time": format_time(entry.time.replace(microsecond=0)),
        "accounts": list(entry.accounts),
        "verdict": entry.verdict,
        "counts": {k: entry.counts[k] for k in COUNT_KEYS},
        "failing_by_severity": {k: entry.failing_by_severity[k] for k in SEVERITIES},
        "checks": list(entry.checks),
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True)


def render_history(
    previous: Sequence[HistoryEntry], verdict: Verdict, limit: int = HISTORY_LIMIT
) -> str:
    """The file's new text: the runs read before this one, this run's line, the oldest dropped
    beyond ``limit`` runs."""
    runs = [*previous, entry_for(verdict)][-limit:]
    return "".join(entry_json(e) + "\n" for e in runs)


# --- reading ----------------------------------------------------------------------------------


def _counts(value: Any, keys: tuple[str, ...], what: str) -> dict[str, int]:
    if not isinstance(value, dict) or set(value) != set(keys):
        raise ValueError(f"{what} must have exactly the keys {', '.join(keys)}")
    for k in keys:
        n = value[k]
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"{what}.{k} must be a whole number >= 0, not {n!r}")
    return {k: value[k] for k in keys}


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def parse_entry(line: str) -> HistoryEntry:
    """One line; ``ValueError`` saying what is wrong with it."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not JSON (nested too deeply)") from None
    except ValueError as exc:  # a number past the int-string limit
        raise ValueError(f"not JSON ({number_problem(exc)})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("v") != HISTORY_VERSION:
        raise ValueError(f"line format v={data.get('v')!r}, this iamgate reads v={HISTORY_VERSION}")
    missing = [k for k in _KEYS if k not in data]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if not isinstance(data["time"], str):
        raise ValueError("time must be a string")
    try:
        time = parse_time(data["time"])
    except ValueError:
        raise ValueError(f"time is not an ISO 8601 date and time: {data['time']!r}") from None
    if data["verdict"] not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    return HistoryEntry(
        time=time,
        accounts=_strings(data["accounts"], "accounts"),
        verdict=data["verdict"],
        counts=_counts(data["counts"], COUNT_KEYS, "counts"),
        failing_by_severity=_counts(data["failing_by_severity"], SEVERITIES, "failing_by_severity"),
        checks=_strings(data["checks"], "checks"),
    )


def parse_history(text: str, source: str) -> tuple[HistoryEntry, ...]:
    """Every run, oldest first. Blank lines are skipped; any other bad line is bad input."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(parse_entry(line))
        except ValueError as exc:
            raise InputError(f"not an iamgate history line: {exc}", source, number) from None
    return tuple(entries)


def load_history(path: Path) -> tuple[HistoryEntry, ...]:
    """The runs recorded in ``path``; none when it does not exist yet (the first run)."""
    if not path.exists() and not path.is_symlink():
        return ()
    return parse_history(read_text(path, "history"), str(path))
