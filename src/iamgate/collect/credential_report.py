"""The IAM credential report: generated, fetched, and parsed (CSV) into typed rows.

Every sentinel is parsed on purpose: ``N/A`` (never), ``no_information`` (not since AWS began
tracking), ``not_supported`` (does not apply). A malformed report is an error, never an empty one.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from iamgate.aws.failures import malformed
from iamgate.collect.source import DataSource, Session, SourceFailed
from iamgate.formats.times import parse_time
from iamgate.model.snapshot import (
    AccessKeySlot,
    CollectionError,
    CredentialRow,
    ReportDate,
    Sentinel,
    Source,
)

REQUIRED_COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
)


class CredentialReportError(ValueError):
    pass


def parse_date(value: str, column: str, line: int) -> ReportDate:
    value = value.strip()
    if value in Sentinel._value2member_map_:
        return Sentinel(value)
    try:
        return parse_time(value)
    except ValueError:
        raise CredentialReportError(f"line {line}: {column}: not a date: {value!r}") from None


def parse_bool(value: str, column: str, line: int) -> bool | None:
    value = value.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    if value in (Sentinel.NOT_SUPPORTED.value, Sentinel.NA.value.lower()):
        return None
    raise CredentialReportError(f"line {line}: {column}: not true/false: {value!r}")


def parse_credential_report(content: str) -> tuple[CredentialRow, ...]:
    reader = csv.DictReader(io.StringIO(content, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise CredentialReportError(f"unreadable header: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CredentialReportError(f"missing column(s): {', '.join(missing)}")
    rows: list[CredentialRow] = []
    seen: dict[str, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if None in raw or any(raw.get(c) is None for c in REQUIRED_COLUMNS):
                raise CredentialReportError(f"line {line}: wrong number of fields (truncated?)")
            if raw["arn"] in seen:  # one row per user: a second one would be read as which?
                raise CredentialReportError(
                    f"line {line}: a second row for {raw['arn']} (first on line {seen[raw['arn']]})"
                )
            seen[raw["arn"]] = line
            keys = tuple(
                AccessKeySlot(
                    slot=n,
                    active=bool(parse_bool(raw[f"access_key_{n}_active"], f"key {n}", line)),
                    last_rotated=parse_date(
                        raw[f"access_key_{n}_last_rotated"], f"access_key_{n}_last_rotated", line
                    ),
                    last_used=parse_date(
                        raw[f"access_key_{n}_last_used_date"],
                        f"access_key_{n}_last_used_date",
                        line,
                    ),
                )
                for n in (1, 2)
            )
            rows.append(
                CredentialRow(
                    user=raw["user"],
                    arn=raw["arn"],
                    user_creation_time=parse_date(
                        raw["user_creation_time"], "user_creation_time", line
                    ),
                    password_enabled=parse_bool(raw["password_enabled"], "password_enabled", line),
                    password_last_used=parse_date(
                        raw["password_last_used"], "password_last_used", line
                    ),
                    password_last_changed=parse_date(
                        raw["password_last_changed"], "password_last_changed", line
                    ),
                    mfa_active=bool(parse_bool(raw["mfa_active"], "mfa_active", line)),
                    keys=keys,
                )
            )
    except csv.Error as exc:
        raise CredentialReportError(f"line {reader.line_num}: {exc}") from None
    return tuple(rows)


def credential_report(session: Session) -> dict[str, Any]:
    iam = session.clients.client("iam")
    source = Source.CREDENTIAL_REPORT
    deadline = time.monotonic() + session.credential_report_timeout
    delay = 0.2
    while True:
        answer = session.call(source, "GenerateCredentialReport", iam.generate_credential_report)
        state = answer.get("State")
        session.progress(f"GenerateCredentialReport: {state}")
        if state == "COMPLETE":
            break
        if time.monotonic() + delay > deadline:
            raise SourceFailed(
                CollectionError(
                    source,
                    "GenerateCredentialReport",
                    session.region,
                    "Timeout",
                    f"the report was not ready within {session.credential_report_timeout:.0f} s",
                    "Run again, or raise [collect] credential_report_timeout.",
                )
            )
        session.sleep(delay)
        delay = min(delay * 2, 5.0)
    response = session.call(source, "GetCredentialReport", iam.get_credential_report)
    # AWS reuses a report for up to four hours: when it was made says what it cannot know.
    generated = response["GeneratedTime"].astimezone(UTC)
    now = datetime.now(UTC)
    if generated > now + CLOCK_SKEW:
        raise SourceFailed(
            malformed(
                source,
                "GetCredentialReport",
                session.permissions.get("GetCredentialReport", ""),
                session.region,
                f"the report says it was generated at {generated:%Y-%m-%d %H:%M:%S} UTC, after "
                f"now ({now:%Y-%m-%d %H:%M:%S} UTC): its dates cannot be trusted",
            )
        )
    content = response["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    rows = parse_credential_report(text)
    session.progress(
        f"GetCredentialReport: {len(rows)} rows, generated {generated:%Y-%m-%d %H:%M} UTC"
    )
    return {"credential_report": rows, "credential_report_generated_at": generated}


# SigV4 refuses requests more than five minutes off AWS's clock: the same tolerance for a
# report's generation time against this machine's clock.
CLOCK_SKEW = timedelta(minutes=5)

CREDENTIAL_REPORT = DataSource(
    Source.CREDENTIAL_REPORT,
    {
        "GenerateCredentialReport": "iam:GenerateCredentialReport",
        "GetCredentialReport": "iam:GetCredentialReport",
    },
    credential_report,
    answers={
        "GenerateCredentialReport": ("State",),
        "GetCredentialReport": ("Content", "GeneratedTime"),
    },
)
