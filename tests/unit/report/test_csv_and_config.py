"""results.csv and the [trust] setting."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamgate.errors import InputError
from iamgate.formats.config_toml import parse_config
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import EMPTY
from iamgate.model.results import (
    ExceptionRef,
    Finding,
    Result,
    Severity,
    Status,
    Verdict,
)
from iamgate.report.csv import HEADER, render_csv
from iamgate.text import csv_cell as safe_cell
from testing.checks import infos


def test_csv_one_row_per_finding_with_resource_type_and_no_formulas() -> None:
    results = [
        Result("role-trust-public", "arn:aws:iam::1:role/=HYPERLINK(1)", "role", False, "-bad"),
        Result("cloudtrail-log-validation", "arn:t", "trail", True, "@ok"),
        Result("access-analyzer-enabled", "arn:a", "region", None, "+err, with comma"),
    ]
    verdict = apply_baseline(
        results,
        EMPTY,
        today=date(2026, 6, 1),
        generated_at=datetime(2026, 6, 1, tzinfo=UTC),
        account_id="123456789012",
        checks=infos(),
    )
    rows = list(csv.reader(io.StringIO(render_csv(verdict))))
    assert tuple(rows[0]) == HEADER
    assert len(rows) == 4
    by_check = {r[1]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    trust = by_check["role-trust-public"]
    assert trust["resource_type"] == "role"
    assert trust["status"] == "fail"
    assert trust["resource"] == "arn:aws:iam::1:role/=HYPERLINK(1)"  # not at the start: safe
    assert trust["message"] == "'-bad"
    assert by_check["cloudtrail-log-validation"]["message"] == "'@ok"
    assert by_check["access-analyzer-enabled"]["message"] == "'+err, with comma"
    assert by_check["access-analyzer-enabled"]["status"] == "error"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("a=b", "a=b")],
)
def test_safe_cell(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


def test_trusted_accounts_parsed_and_listed_as_override() -> None:
    cfg = parse_config({"trust": {"trusted_accounts": ["111122223333", "111122223333"]}}, "x.toml")
    assert cfg.trust.trusted_accounts == ("111122223333",)
    assert ("trust.trusted_accounts", ["111122223333"], []) in cfg.overrides()


@pytest.mark.parametrize(
    "value", ["111122223333", [111122223333], ["1234"], ["12345678901a"], [None]]
)
def test_trusted_accounts_rejects_bad_values(value: object) -> None:
    with pytest.raises(InputError, match="trusted_accounts"):
        parse_config({"trust": {"trusted_accounts": value}}, "x.toml")


_TEXT = st.text(alphabet=st.sampled_from(list(',"\n\r\t =+-@aé→\x00\x85\u2028')), max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT, _TEXT, st.booleans()), min_size=1, max_size=8))
def test_csv_rows_are_what_the_csv_module_writes(cells: list[tuple[str, str, str, bool]]) -> None:
    """The rows are made with string operations, not ``csv.writer`` (6 s for 921,000 rows):
    they must be its bytes, for any text (quotes, commas, line breaks, formulas)."""
    when = datetime(2026, 6, 1, tzinfo=UTC)
    findings = tuple(
        Finding(
            check=f"check-{i}",
            resource=resource,
            resource_type=kind,
            status=Status.ACCEPTED if accepted else Status.FAIL,
            severity=Severity.LOW,
            title="t",
            message=message,
            account_id="123456789012",
            exception=ExceptionRef("c", "r", message, kind, date(2026, 7, 1), None, "b:1")
            if accepted
            else None,
        )
        for i, (resource, kind, message, accepted) in enumerate(cells)
    )
    verdict = Verdict("123456789012", when, when.date(), findings)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for f in findings:
        e = f.exception
        writer.writerow(
            [
                safe_cell(x)
                for x in (
                    f.account_id,
                    f.check,
                    f.severity,
                    f.status,
                    f.resource_type,
                    f.resource,
                    f.message,
                )
            ]
            + (
                [safe_cell(e.reason), safe_cell(e.owner), e.expires.isoformat()]
                if e
                else ["", "", ""]
            )
        )
    assert render_csv(verdict) == out.getvalue()
