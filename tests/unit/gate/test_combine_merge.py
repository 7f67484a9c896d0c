"""Several accounts in one verdict: combining, the reporters, and reading results.json back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date

import pytest

from iamgate.app.evaluate import GateOptions, evaluate
from iamgate.app.scan_many import unreachable
from iamgate.checks import REGISTRY
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.formats.results_json import render_results as render_json
from iamgate.formats.results_json import verdicts_from_results
from iamgate.gate.combine import combine
from iamgate.model.config import Config
from iamgate.model.results import Verdict
from iamgate.report.junit import render_junit
from iamgate.report.markdown import render_markdown
from testing.factories import row, snap

A, B, C = "111111111111", "222222222222", "333333333333"
OPTIONS = GateOptions(as_of=date(2026, 6, 1), checks=("user-console-mfa", "root-mfa"))


def account(account_id: str, accept: bool = False) -> Verdict:
    """One account with one console user without MFA (accepted by its baseline if asked)."""
    arn = f"arn:aws:iam::{account_id}:user/dev"
    s = snap(
        account_id=account_id,
        credential_report=(
            row("<root_account>", password=None, mfa=True),
            replace(row("dev", password=True), arn=arn),
        ),
    )
    baseline = None
    if accept:
        baseline = parse_baseline(
            f'version: 1\naccount: "{account_id}"\nexceptions:\n'
            f"  - check: user-console-mfa\n    resource: {arn}\n    reason: r\n"
            f"    owner: o\n    expires: 2026-12-31\n",
            f"baselines/{account_id}.yml",
            REGISTRY,
        )
    return evaluate(s, Config(), OPTIONS, baseline=baseline)


def denied(account_id: str) -> Verdict:
    s = unreachable(account_id, "us-east-1", "AssumeRole", "cannot assume: AccessDenied")
    v = evaluate(s, Config(), OPTIONS)
    return replace(v, allow_partial=False, collection_errors=s.errors[:1])


def test_combine_takes_the_worst_status_and_sums() -> None:
    ok, failing, error = account(A, accept=True), account(B), denied(C)
    assert (ok.status, failing.status, error.status) == ("pass", "fail", "error")
    assert combine([ok, error]).status == "error"
    both = combine([error, failing, ok])
    assert both.status == "fail"
    assert [a.account_id for a in both.accounts] == [A, B, C]
    assert both.counts["new"] == 1
    assert both.counts["accepted"] == 1
    assert both.counts["errors"] == len(OPTIONS.checks)
    assert [e.account_id for e in both.collection_errors] == [C]
    # Each check names the account's failure once, even when it needs several sources.
    assert all(f.message.count("AccessDenied") == 1 for f in error.findings)
    assert combine([ok]).account_id == A


def test_reporters_carry_the_account() -> None:
    v = combine([account(A, accept=True), account(B), denied(C)])
    root = ET.fromstring(render_junit(v))
    names = sorted(s.get("name", "") for s in root.iter("testsuite"))
    assert names == sorted(f"{a}.{c}" for a in (A, B, C) for c in OPTIONS.checks)
    suite = next(s for s in root.iter("testsuite") if s.get("name") == f"{C}.root-mfa")
    assert suite.get("errors") == "1"
    assert root.get("skipped") == "1"

    md = render_markdown(v)
    table = md[md.index("### Accounts (3)") : md.index("### New failures")]
    lines = [ln for ln in table.splitlines() if ln[:3] in ("| 1", "| 2", "| 3")]
    assert [ln.split("|")[1].strip() for ln in lines] == [B, C, A]  # failing, error, passing
    assert "on 3 accounts" in md

    data = json.loads(render_json(v))
    assert [(a["account_id"], a["verdict"]) for a in data["accounts"]] == [
        (A, "pass"),
        (B, "fail"),
        (C, "error"),
    ]
    assert data["accounts"][2]["errors"][0]["operation"] == "AssumeRole"


def test_single_account_json_has_no_accounts_list() -> None:
    data = json.loads(render_json(account(A)))
    assert "accounts" not in data
    assert data["account_id"] == A


def test_results_json_reads_back_into_the_same_verdicts() -> None:
    verdicts = [account(A, accept=True), account(B), denied(C)]
    v = combine(verdicts)
    back = combine(verdicts_from_results(json.loads(render_json(v)), "r.json"))
    assert back.findings == v.findings
    assert back.stale == v.stale
    assert back.counts == v.counts
    assert [(a.account_id, a.status) for a in back.accounts] == [
        (a.account_id, a.status) for a in v.accounts
    ]
    assert render_json(back) == render_json(v).replace(
        v.generated_at.isoformat(), back.generated_at.isoformat()
    )
    single = verdicts_from_results(json.loads(render_json(verdicts[1])), "one.json")
    assert [s.findings for s in single] == [verdicts[1].findings]


def test_edited_results_are_refused() -> None:
    data = json.loads(render_json(combine([account(A), account(B)])))
    data["findings"][0]["status"] = "pass" if data["findings"][0]["status"] != "pass" else "fail"
    with pytest.raises(InputError, match="do not match"):
        verdicts_from_results(data, "r.json")
    with pytest.raises(InputError, match=r"not an iamgate results\.json"):
        verdicts_from_results({"schema_version": 99}, "r.json")
