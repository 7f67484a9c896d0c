"""``results.csv``: one row per finding, for reviewers who filter in a spreadsheet.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with ``'``: resource names and messages come from the account, and
anyone who can name a role can otherwise put a formula in the reviewer's sheet (CSV injection).
"""

from __future__ import annotations

import csv
import io

from iamgate.model.results import Verdict
from iamgate.text import csv_cell

HEADER = (
    "account",
    "check",
    "severity",
    "status",
    "resource_type",
    "resource",
    "message",
    "exception_reason",
    "exception_owner",
    "exception_expires",
)


def render_csv(verdict: Verdict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for f in verdict.findings:
        exc = f.exception
        row = [
            f.account_id or verdict.account_id,
            f.check,
            f.severity.value,
            f.status.value,
            f.resource_type,
            f.resource,
            f.message,
            exc.reason if exc else "",
            exc.owner if exc else "",
            exc.expires.isoformat() if exc else "",
        ]
        writer.writerow([csv_cell(str(v)) for v in row])
    return out.getvalue()
