"""results.sarif: valid SARIF 2.1.0 (the OASIS schema, vendored), what GitHub code scanning needs
of it (a location per result, stable fingerprints, security-severity, suppressions), its limits,
and hostile text kept as text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamgate.checks import catalogue
from iamgate.gate.combine import combine
from iamgate.model.results import ExceptionRef, Finding, Severity, Status, Verdict
from iamgate.report import sarif
from iamgate.report.context import ReportContext
from iamgate.report.sarif import Place, place_of, render_sarif, sarif_notice, uri_of
from testing import DATA
from testing.verdicts import ACCOUNT, PAYLOADS, A, fixture_verdict, hostile_verdict

BASELINE = "baselines/123456789012.yml"


@cache
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def render(verdict: Verdict) -> dict[str, Any]:
    text = render_sarif(verdict, ReportContext(checks=catalogue()))
    document: dict[str, Any] = json.loads(text)
    errors = sorted(validator().iter_errors(document), key=str)
    assert not errors, errors[0]
    return document


def results_by_resource(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
        for r in document["runs"][0]["results"]
    }


def test_the_schema_rejects_what_it_should() -> None:
    """The vendored schema is the real one: a result without a message is refused."""
    document = render(fixture_verdict())
    del document["runs"][0]["results"][0]["message"]
    assert list(validator().iter_errors(document))


def test_one_result_per_failing_expired_and_accepted_finding_none_for_passing() -> None:
    document = render(fixture_verdict())
    found = results_by_resource(document)
    statuses = {arn.rsplit(":", 1)[-1]: r["properties"]["status"] for arn, r in found.items()}
    assert statuses == {
        "root": "fail",
        "user/bob": "fail",
        "user/break-glass": "accepted",
        "user/old": "expired",
        "user/etl-vendor": "accepted",
        "user/x#inline/a|b<c>&\\]\\]>": "fail",
    }
    assert f"{A}:user/alice" not in found  # passing: never a result


def test_accepted_is_suppressed_with_the_exceptions_reason_failing_is_not() -> None:
    found = results_by_resource(render(fixture_verdict()))
    accepted, failing = found[f"{A}:user/break-glass"], found[f"{A}:user/bob"]
    assert accepted["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Break-glass | kept in the safe <sealed> (owner security; "
            "expires 2026-06-20; ticket SEC-1)",
        }
    ]
    assert "suppressions" not in failing
    assert "suppressions" not in found[f"{A}:user/old"]  # expired: open again


def test_locations_the_exceptions_line_else_the_baseline_file() -> None:
    found = results_by_resource(render(fixture_verdict()))

    def location(arn: str) -> dict[str, Any]:
        physical: dict[str, Any] = found[arn]["locations"][0]["physicalLocation"]
        return physical

    # The expired exception: its line in the baseline (the entry to renew or remove).
    assert location(f"{A}:user/old") == {
        "artifactLocation": {"uri": BASELINE},
        "region": {"startLine": 10},
    }
    assert location(f"{A}:user/break-glass")["region"] == {"startLine": 4}
    # A new failure: the baseline file, where an exception would be added.
    assert location(f"{A}:user/bob") == {"artifactLocation": {"uri": BASELINE}}


def test_place_of_takes_the_most_specific_place_known() -> None:
    ref = ExceptionRef("c", "r", "why", "me", date(2026, 1, 1), None, "b/base:line.yml:12")
    finding = Finding("c", "r", "user", Status.EXPIRED, Severity.LOW, "t", "m", ACCOUNT, ref)
    assert place_of(finding, "b.yml", "f.yml") == Place("b/base:line.yml", 12)
    plain = replace(finding, exception=None, status=Status.FAIL)
    assert place_of(plain, "b.yml", "f.yml") == Place("b.yml")
    assert place_of(plain, "", "f.yml") == Place("f.yml")


def test_without_a_baseline_results_point_at_where_its_exceptions_would_go() -> None:
    verdict = replace(fixture_verdict(), baseline="")
    verdict = replace(verdict, findings=tuple(replace(f, exception=None) for f in verdict.findings))
    verdict = replace(verdict, stale=())
    found = results_by_resource(render(verdict))
    uri = found[f"{A}:user/bob"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == BASELINE


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("baselines/1.yml", "baselines/1.yml"),
        ("./baselines/my base.yml", "./baselines/my%20base.yml"),
        ("/home/runner/work/x/baselines/1.yml", "file:///home/runner/work/x/baselines/1.yml"),
        ("C:\\work\\baselines\\1.yml", "file:///C%3A/work/baselines/1.yml"),
        ("baselines\\1.yml", "baselines/1.yml"),
    ],
)
def test_uris(path: str, uri: str) -> None:
    assert uri_of(path) == uri


def test_fingerprints_are_per_account_check_and_resource() -> None:
    verdict = fixture_verdict()
    first = results_by_resource(render(verdict))
    again = results_by_resource(render(replace(verdict, generated_at=verdict.generated_at)))
    key = sarif.FINGERPRINT
    prints = {arn: r["partialFingerprints"][key] for arn, r in first.items()}
    assert prints == {arn: r["partialFingerprints"][key] for arn, r in again.items()}
    assert len(set(prints.values())) == len(prints)
    bob = next(f for f in verdict.findings if f.resource.endswith("user/bob"))
    assert sarif.fingerprint(bob) != sarif.fingerprint(replace(bob, account_id="210987654321"))
    assert sarif.fingerprint(bob) != sarif.fingerprint(replace(bob, check="user-inactive"))
    # The message may change from night to night (ages, dates): the alert stays one alert.
    assert sarif.fingerprint(bob) == sarif.fingerprint(replace(bob, message="other words"))


def test_rules_one_per_check_that_ran_with_severity_and_standards() -> None:
    document = render(fixture_verdict())
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(fixture_verdict().checks)
    mfa = next(r for r in rules if r["id"] == "user-console-mfa")
    assert mfa["properties"]["security-severity"] == "8.0"
    assert mfa["defaultConfiguration"]["level"] == "error"
    assert {"security", "CIS-1.10", "FSBP-IAM.5"} <= set(mfa["properties"]["tags"])
    assert "Fix: " in mfa["help"]["text"]
    assert mfa["helpUri"].startswith("https://docs.aws.amazon.com/")
    for result in document["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_errors_make_the_run_unsuccessful_never_a_pass() -> None:
    invocation = render(fixture_verdict())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 1
    said = " ".join(n["message"]["text"] for n in invocation["toolExecutionNotifications"])
    assert "GetAccountAuthorizationDetails" in said
    assert "support-role could not evaluate" in said
    clean = replace(
        fixture_verdict(),
        collection_errors=(),
        findings=tuple(f for f in fixture_verdict().findings if f.status is not Status.ERROR),
    )
    assert render(clean)["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_hostile_text_stays_text() -> None:
    document = render(hostile_verdict())
    for result in document["runs"][0]["results"]:
        text = result["message"]["text"]
        assert "\n" not in text
        assert "\u2028" not in text
        # No unescaped bracket: nothing reads as an embedded link [text](id).
        assert "[" not in text.replace("\\[", "")
        for suppression in result.get("suppressions", []):
            assert "[" not in suppression["justification"].replace("\\[", "")
    text = render_sarif(hostile_verdict(), ReportContext(checks=catalogue()))
    assert "\u2028" not in text  # written as the escape text, not the character
    assert any(PAYLOADS[0] in r["message"]["text"] for r in document["runs"][0]["results"])


def test_several_accounts_each_point_at_their_own_baseline() -> None:
    one = fixture_verdict()
    other_id = "210987654321"
    other = replace(
        one,
        account_id=other_id,
        baseline=f"baselines/{other_id}.yml",
        findings=tuple(
            replace(f, account_id=other_id, exception=None)
            for f in one.findings
            if f.status is Status.FAIL
        ),
        stale=(),
    )
    document = render(combine([one, other]))
    uris = {
        (
            r["properties"]["account"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        )
        for r in document["runs"][0]["results"]
    }
    assert (other_id, f"baselines/{other_id}.yml") in uris
    assert (ACCOUNT, BASELINE) in uris
    assert document["runs"][0]["properties"]["iamgate"]["accounts"] == [ACCOUNT, other_id]


def test_past_the_result_limit_failures_stay_and_the_cut_is_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    document = render(fixture_verdict())
    run = document["runs"][0]
    # Failing first, highest severity first: the critical root, then the two high ones (by
    # account, check, resource).
    kept = [(r["properties"]["status"], r["ruleId"]) for r in run["results"]]
    assert kept == [
        ("fail", "root-mfa"),
        ("fail", "policy-full-admin"),
        ("fail", "user-console-mfa"),
    ]
    assert run["properties"]["iamgate"]["omitted"] == 3
    notice = sarif_notice(json.dumps(document))
    assert notice is not None
    assert "3 of 6 results left out" in notice
    first = run["invocations"][0]["toolExecutionNotifications"][0]
    assert first["level"] == "warning"
    assert "3 of 6" in first["message"]["text"]


def test_past_the_size_limit_results_are_halved_until_it_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full = render_sarif(fixture_verdict(), ReportContext(checks=catalogue()))
    import gzip

    fits = len(gzip.compress(full.encode())) - 1
    monkeypatch.setattr(sarif, "MAX_GZIP_BYTES", fits)
    document = render(fixture_verdict())
    kept = len(document["runs"][0]["results"])
    assert 0 < kept < 6
    assert document["runs"][0]["properties"]["iamgate"]["omitted"] == 6 - kept


def test_nothing_left_out_says_nothing() -> None:
    assert sarif_notice(render_sarif(fixture_verdict(), ReportContext())) is None


_TEXT = st.text(
    alphabet=st.sampled_from(list('\\[]"\n\r\t =:/aé→\x00\x85\u2028\ud800')), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(
    st.tuples(_TEXT, _TEXT, _TEXT, _TEXT),
    st.sampled_from([Status.FAIL, Status.EXPIRED, Status.ACCEPTED]),
    st.sampled_from(list(Severity)),
    st.sampled_from([Place("baselines/1.yml", 7), Place("C:\\x y\\b.yml"), Place("/a b/c.yml")]),
)
def test_a_result_line_is_what_json_writes_of_the_result(
    text: tuple[str, str, str, str], status: Status, severity: Severity, place: Place
) -> None:
    """Results are written as text from their members' JSON, not through dicts and
    ``json.dumps``: the bytes must be the same, for any text."""
    resource, kind, message, account = text
    exception = ExceptionRef("c", resource, message, kind, date(2026, 7, 1), account, "b:1")
    f = Finding(
        check=f"check-{kind}",
        resource=resource,
        resource_type=kind,
        status=status,
        severity=severity,
        title="t",
        message=message,
        account_id=account,
        exception=exception if status is not Status.FAIL else None,
    )
    line = sarif._result_line(f, 3, place, sarif._Encoded())
    assert line == json.dumps(sarif._result(f, 3, place), ensure_ascii=False)


@pytest.mark.parametrize("most", [0, 1, 2, 3, 5, 6, 7, 100])
def test_the_results_kept_are_the_first_of_a_sort_by_priority(most: int) -> None:
    """Only the groups of status and severity that are kept are sorted: the same results, in
    the same order, as a sort of them all (ties keep their order: the sort is stable)."""
    verdict = hostile_verdict()
    twice = (*verdict.findings, *reversed(fixture_verdict().findings), *verdict.findings)
    wanted = [f for f in twice if f.status is not Status.PASS]
    by_priority = sorted(
        wanted,
        key=lambda f: (
            f.status not in (Status.FAIL, Status.EXPIRED),
            -f.severity.rank,
            f.account_id,
            f.check,
            f.resource,
        ),
    )
    assert [id(f) for f in sarif._first(wanted, most)] == [id(f) for f in by_priority[:most]]


def test_the_notice_reads_the_head_of_a_written_log_alone() -> None:
    """A written log's first line is its head (every member but the results): the notice reads
    it alone, and reads any other text whole."""
    text = render_sarif(fixture_verdict(), ReportContext(checks=catalogue()))
    head = sarif._head(text)
    assert "results" not in head["runs"][0]
    assert head["runs"][0]["properties"] == json.loads(text)["runs"][0]["properties"]
    assert sarif._head('{"runs": [{"results": []}]}') == {"runs": [{"results": []}]}
