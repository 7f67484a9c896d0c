"""Baseline lifecycle rules (lint, init, prune, diff) on pairs of texts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from iamgate.baseline.diff import Review, diff_baselines
from iamgate.baseline.init import init_from_verdicts
from iamgate.baseline.lint import (
    PLACEHOLDER_OWNER,
    PLACEHOLDER_REASON,
    is_placeholder,
    lint_baseline,
)
from iamgate.baseline.prune import prune_text
from iamgate.baseline.review import render_review
from iamgate.checks import catalogue
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.model.results import ExceptionRef, Finding, Severity, Status, Verdict

REGISTRY = catalogue()

TODAY = date(2026, 6, 1)
A = "arn:aws:iam::123456789012"

BASE = f"""\
version: 1
account: "123456789012"
exceptions:
  # The break-glass user: its token is in the safe.
  - check: user-console-mfa
    resource: {A}:user/break-glass
    reason: Break-glass user; hardware token kept in the safe
    owner: platform-security
    expires: 2026-07-01
    ticket: SEC-1

  # ETL vendor rotates by overlap.
  - check: user-multiple-active-keys
    resource: {A}:user/legacy-etl
    reason: Vendor rotates keys by overlap
    owner: data-platform
    expires: 2026-08-01

  - check: user-inactive
    resource: {A}:user/old-contractor
    reason: Contract renewal pending
    owner: it-operations
    expires: 2026-07-15
"""


def lint(text: str, source: str = "b.yml", horizon: int = 90) -> list[str]:
    return [
        str(p) for p in lint_baseline(text, source, REGISTRY, today=TODAY, horizon_days=horizon)
    ]


def parse(text: str, source: str = "b.yml"):  # type: ignore[no-untyped-def]
    return parse_baseline(text, source, REGISTRY)


# --- lint ---


def test_clean_baseline_lints_clean() -> None:
    assert lint(BASE) == []


def test_every_problem_is_reported_with_its_line() -> None:
    text = (
        BASE.replace("reason: Vendor rotates keys by overlap", f'reason: "{PLACEHOLDER_REASON}"')
        .replace("owner: it-operations", f'owner: "{PLACEHOLDER_OWNER}"')
        .replace("expires: 2026-07-01", "expires: 2026-05-01")
        .replace("expires: 2026-08-01", "expires: 2027-08-01")
    )
    assert lint(text) == [
        "b.yml:9: user-console-mfa on arn:aws:iam::123456789012:user/break-glass: expired on "
        "2026-05-01 (31 days ago): renew it with a fresh review, or remove it",
        "b.yml:15: user-multiple-active-keys on arn:aws:iam::123456789012:user/legacy-etl: "
        "reason is a placeholder: say why this is accepted ('TODO: why is this accepted?')",
        "b.yml:17: user-multiple-active-keys on arn:aws:iam::123456789012:user/legacy-etl: "
        "expires 2027-08-01, more than 90 days away (latest allowed: 2026-08-30)",
        "b.yml:22: user-inactive on arn:aws:iam::123456789012:user/old-contractor: owner is a "
        "placeholder ('TODO: owner')",
    ]


def test_horizon_is_configurable() -> None:
    assert lint(BASE, horizon=30) == [
        f"b.yml:17: user-multiple-active-keys on {A}:user/legacy-etl: expires 2026-08-01, more "
        "than 30 days away (latest allowed: 2026-07-01)",
        f"b.yml:23: user-inactive on {A}:user/old-contractor: expires 2026-07-15, more than 30 "
        "days away (latest allowed: 2026-07-01)",
    ]


def test_structural_error_is_one_problem_with_its_line() -> None:
    text = BASE.replace("check: user-inactive", "check: no-such-check")
    assert lint(text) == ["b.yml:19: unknown check 'no-such-check' (see `iamgate checks`)"]


def test_broad_glob_needs_allow_broad_and_a_real_reason() -> None:
    broad = BASE.replace(f"resource: {A}:user/old-contractor", f"resource: {A}:*")
    (problem,) = lint(broad)
    assert problem.startswith("b.yml:20: resource")
    assert "allow-broad" in problem
    allowed = broad.replace("owner: it-operations", "owner: it-operations\n    allow-broad: true")
    (problem,) = lint(allowed)
    assert problem.startswith(f"b.yml:21: user-inactive on {A}:*: allow-broad")
    reasoned = allowed.replace(
        "reason: Contract renewal pending",
        "reason: A sandbox account where inactive users are cleaned up weekly by a job",
    )
    assert lint(reasoned) == []


def test_file_name_must_match_the_account() -> None:
    (problem,) = lint(BASE, "baselines/210987654321.yml")
    assert problem == (
        "baselines/210987654321.yml:2: account 123456789012 does not match the file name "
        "210987654321"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TODO: owner", True),
        ("todo", True),
        ("TBD", True),
        ("???", True),
        ("-", True),
        ("platform-security", False),
        ("Tracked in TODO-list app", False),
    ],
)
def test_placeholders(text: str, expected: bool) -> None:
    assert is_placeholder(text) is expected


# --- init ---


def _verdict(*findings: Finding, account: str = "123456789012") -> list[Verdict]:
    return [
        Verdict(
            account_id=account,
            generated_at=datetime(2026, 6, 1, tzinfo=UTC),
            today=TODAY,
            findings=findings,
        )
    ]


def _finding(
    check: str, resource: str, status: Status, exception: ExceptionRef | None = None
) -> Finding:
    return Finding(
        check, resource, "user", status, Severity.LOW, "title", "message", "123456789012", exception
    )


def test_init_accepts_failures_with_placeholders_that_lint_rejects() -> None:
    kept_ref = ExceptionRef(
        "user-inactive",
        f"{A}:user/old",
        "Kept for the hand-over",
        "it-operations",
        date(2026, 6, 20),
        "OPS-1",
        "b.yml:4",
    )
    results = _verdict(
        _finding("user-console-mfa", f"{A}:user/bob", Status.FAIL),
        _finding("root-mfa", f"{A}:root", Status.EXPIRED),
        _finding("user-console-mfa", f"{A}:user/alice", Status.PASS),
        _finding("root-recent-use", f"{A}:root", Status.ERROR),
        _finding("user-inactive", f"{A}:user/old", Status.ACCEPTED, kept_ref),
    )
    text = init_from_verdicts(results, today=TODAY, horizon_days=90)
    baseline = parse(text)
    by = {(e.check, e.resource): e for e in baseline.exceptions}
    assert set(by) == {
        ("user-console-mfa", f"{A}:user/bob"),
        ("root-mfa", f"{A}:root"),
        ("user-inactive", f"{A}:user/old"),
    }
    bob = by[("user-console-mfa", f"{A}:user/bob")]
    assert (bob.reason, bob.owner, bob.expires) == (
        PLACEHOLDER_REASON,
        PLACEHOLDER_OWNER,
        date(2026, 8, 30),
    )
    kept = by[("user-inactive", f"{A}:user/old")]
    assert (kept.reason, kept.owner, kept.ticket, kept.expires) == (
        "Kept for the hand-over",
        "it-operations",
        "OPS-1",
        date(2026, 6, 20),
    )
    problems = lint(text)
    assert len(problems) == 4  # reason and owner of the two new ones
    assert all("placeholder" in p for p in problems)


def test_init_with_no_failures_is_a_valid_empty_baseline() -> None:
    text = init_from_verdicts(_verdict(), today=TODAY, horizon_days=90)
    assert parse(text).exceptions == ()
    assert lint(text) == []


def test_init_needs_one_account() -> None:
    with pytest.raises(InputError, match="12-digit account_id"):
        init_from_verdicts(_verdict(account=""), today=TODAY, horizon_days=90)


# --- prune ---


def test_prune_removes_entries_and_their_comments_keeps_the_rest() -> None:
    stale = [("user-console-mfa", f"{A}:user/break-glass"), ("user-inactive", f"{A}:user/x")]
    result = prune_text(BASE, "b.yml", REGISTRY, stale)
    assert [e.check for e in result.removed] == ["user-console-mfa"]
    assert "break-glass" not in result.text
    assert "The break-glass user" not in result.text
    assert "  # ETL vendor rotates by overlap.\n  - check: user-multiple-active-keys" in result.text
    assert [e.check for e in parse(result.text).exceptions] == [
        "user-multiple-active-keys",
        "user-inactive",
    ]
    assert "\n\n\n" not in result.text


def test_prune_last_and_all_entries() -> None:
    everything = [
        ("user-console-mfa", f"{A}:user/break-glass"),
        ("user-multiple-active-keys", f"{A}:user/legacy-etl"),
        ("user-inactive", f"{A}:user/old-contractor"),
    ]
    last = prune_text(BASE, "b.yml", REGISTRY, everything[2:])
    assert len(parse(last.text).exceptions) == 2
    assert last.text.endswith("    expires: 2026-08-01\n")
    empty = prune_text(BASE, "b.yml", REGISTRY, everything)
    assert parse(empty.text).exceptions == ()
    assert empty.text.startswith('version: 1\naccount: "123456789012"\nexceptions:')


def test_prune_keeps_exceptions_of_checks_that_did_not_run() -> None:
    stale = [("user-console-mfa", f"{A}:user/break-glass")]
    result = prune_text(BASE, "b.yml", REGISTRY, stale, checks_run=["user-inactive"])
    assert result.removed == ()
    assert result.skipped == (
        ("user-console-mfa", f"{A}:user/break-glass", "its check did not run in those results"),
    )
    assert result.text == BASE


def test_prune_refuses_flow_style() -> None:
    text = (
        'version: 1\naccount: "123456789012"\nexceptions: [{check: user-inactive, '
        f"resource: '{A}:user/x', reason: r, owner: o, expires: 2026-07-01}}]\n"
    )
    with pytest.raises(InputError, match="block-style"):
        prune_text(text, "b.yml", REGISTRY, [("user-inactive", f"{A}:user/x")])


# --- diff ---


def test_diff_added_removed_changed() -> None:
    head = (
        BASE.replace(
            "expires: 2026-07-01\n    ticket: SEC-1", "expires: 2026-08-15\n    ticket: SEC-1"
        )
        .replace("reason: Vendor rotates keys by overlap", "reason: Vendor still rotating")
        .replace("owner: data-platform", "owner: data-eng")
        .replace(f"resource: {A}:user/old-contractor", f"resource: {A}:user/old-*")
        + f"""
  - check: root-no-access-keys
    resource: {A}:root
    reason: Legacy billing integration still signs with root keys
    owner: finance-it
    expires: 2026-07-01
"""
    )
    changes = diff_baselines(parse(BASE), parse(head), "b.yml")
    kinds = [(c.kind, c.entry.check) for c in changes]
    assert kinds == [
        ("added", "root-no-access-keys"),
        ("changed", "user-console-mfa"),
        ("changed", "user-inactive"),
        ("changed", "user-multiple-active-keys"),
    ]
    details = {c.entry.check: c.details for c in changes}
    assert details["user-console-mfa"] == (
        "expiry pushed out by 45 days (2026-07-01 → 2026-08-15)",
    )
    assert details["user-inactive"] == (
        f"resource widened from `{A}:user/old-contractor` to `{A}:user/old-*`",
    )
    assert details["user-multiple-active-keys"] == (
        "reason changed from “Vendor rotates keys by overlap” to “Vendor still rotating”",
        "owner changed from data-platform to data-eng",
    )
    assert [c.loosens for c in changes] == [True, True, True, False]

    md = render_review(Review("main", "head", changes, [], [], 1), REGISTRY)
    top = md.index("### ⚠️ Needs security review")
    assert top < md.index("### Added (1)") < md.index("### Changed (3)")
    review_block = md[top : md.index("### Added")]
    assert "**root-no-access-keys** (critical:" in review_block
    assert "**user-console-mfa** (high:" in review_block  # expiry pushed out on a high check
    assert "user-inactive" not in review_block  # widened, but a low/medium check
    assert "1 added, 3 changed, 0 removed" in md


def test_diff_glob_broadened_narrowed_and_removed() -> None:
    base = BASE.replace(f"resource: {A}:user/old-contractor", f"resource: {A}:user/ci-*")
    wide = base.replace(f"resource: {A}:user/ci-*", f"resource: {A}:user/c*")
    (change,) = diff_baselines(parse(base), parse(wide), "b.yml")
    assert change.details == (f"resource widened from `{A}:user/ci-*` to `{A}:user/c*`",)
    assert change.loosens
    (back,) = diff_baselines(parse(wide), parse(base), "b.yml")
    assert back.details == (f"resource narrowed from `{A}:user/c*` to `{A}:user/ci-*`",)
    assert not back.loosens
    gone = diff_baselines(parse(BASE), None, "b.yml")
    assert [c.kind for c in gone] == ["removed"] * 3
    md = render_review(Review("a", "b", gone, [], [], 1), REGISTRY)
    assert "### Removed (3)" in md
    assert "Needs security review" not in md


def test_review_shows_lint_problems_and_escapes_cells() -> None:
    head = BASE.replace("reason: Contract renewal pending", "reason: 'a | b <script>'")
    changes = diff_baselines(parse(BASE), parse(head), "b.yml")
    problems = lint_baseline(head, "b.yml", REGISTRY, today=date(2026, 7, 20), horizon_days=90)
    md = render_review(Review("a", "b", changes, problems, [], 1), REGISTRY)
    assert "### ❌ Lint: 2 problems" in md
    assert "a \\| b \\<script\\>" in md
    assert "<script>" not in md


# --- the end of the calendar, and hostile sizes ---------------------------------------------


def test_lint_and_init_at_the_end_of_the_calendar_do_not_overflow() -> None:
    last = date.max
    problems = lint_baseline(BASE, "b.yml", REGISTRY, today=last, horizon_days=90)
    assert problems  # every entry has expired by then
    assert all("expired on" in p.message for p in problems)
    text = init_from_verdicts(
        _verdict(_finding("user-console-mfa", f"{A}:user/bob", Status.FAIL)),
        today=last,
        horizon_days=10**6,
    )
    assert parse(text).exceptions[0].expires == last


def _many(n: int, resource: str) -> str:
    lines = ["version: 1", 'account: "123456789012"', "exceptions:"]
    for i in range(n):
        lines += [
            "  - check: user-console-mfa",
            f"    resource: {resource.format(i=i)}",
            "    reason: r",
            "    owner: o",
            "    expires: 2026-07-01",
        ]
    return "\n".join(lines) + "\n"


def test_diff_pairs_globs_with_what_they_cover_among_many_entries() -> None:
    base = parse(_many(2000, A + ":user/u{i}"))
    head_text = _many(2000, A + ":user/v{i}") + (
        "  - check: user-console-mfa\n    resource: " + A + ":user/u1*\n"
        "    reason: r\n    owner: o\n    expires: 2026-07-01\n"
    )
    changes = diff_baselines(base, parse(head_text), "b.yml")
    kinds = [c.kind for c in changes]
    assert kinds.count("added") == 2000  # the v-users
    assert kinds.count("changed") == 1  # u1* paired with the first removal it covers (u1)
    assert kinds.count("removed") == 1999
    (changed,) = [c for c in changes if c.kind == "changed"]
    assert changed.old is not None
    assert changed.old.resource == A + ":user/u1"
    assert changed.details == (f"resource widened from `{A}:user/u1` to `{A}:user/u1*`",)


def test_diff_pairing_past_its_budget_shows_additions_and_removals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from iamgate.baseline import diff

    monkeypatch.setattr(diff, "MAX_PAIRING_RUNS", 3)
    base = parse(_many(10, A + ":user/u{i}"))
    head = parse(_many(10, A + ":user/u{i}*"))
    changes = diff_baselines(base, head, "b.yml")
    assert [c.kind for c in changes].count("changed") < 10
    added = [c for c in changes if c.kind == "added"]
    assert added
    assert all(c.loosens for c in added)  # nothing that loosens goes unflagged
