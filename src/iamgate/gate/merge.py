"""``iamgate merge``: per-job ``results.json`` files -> one verdict over every account.

Each file is read back into per-account ``Verdict``s (findings with their exceptions, stale
exceptions, collection errors, the gate's settings), which ``gate.combine`` joins exactly as a
single multi-account scan would. A file whose counts do not match its findings, two files with
the same account, or files gated with different settings are bad input: a merged report must
not say something no single run could have said.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iamgate.errors import InputError
from iamgate.formats.results_json import load_results
from iamgate.gate.combine import combine
from iamgate.model.results import Verdict


def merge(paths: Sequence[Path]) -> Verdict:
    if not paths:
        raise InputError("no results.json files given", "FILES")
    verdicts: list[Verdict] = []
    seen: dict[str, Path] = {}
    settings: tuple[Any, ...] | None = None
    for path in paths:
        for v in load_results(path):
            if v.account_id in seen:
                raise InputError(
                    f"account {v.account_id} is also in {seen[v.account_id]}", str(path)
                )
            seen[v.account_id] = path
            mine = (v.fail_on, v.today, v.checks)
            if settings is not None and mine != settings:
                raise InputError(
                    "gated with other settings (fail-on, as-of date or checks) than the first "
                    "file: run every job with the same options",
                    str(path),
                )
            settings = mine
            verdicts.append(v)
    return combine(verdicts)
