"""Hypothesis: the baseline parser and the reporters against arbitrary text.

The parser gives a Baseline or an InputError, nothing else. Any resource name, message, reason
or owner yields well-formed JUnit XML with the right counts and the text intact (modulo the
characters XML 1.0 cannot carry), JSON that round-trips, and markdown tables that keep their
column count on every row.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamgate.app.evaluate import GateOptions, evaluate, with_exported_findings
from iamgate.baseline.lint import lint_baseline
from iamgate.checks import REGISTRY
from iamgate.cli.aws_options import aws_options
from iamgate.errors import InputError
from iamgate.formats.accounts_file import load_accounts, parse_accounts
from iamgate.formats.analyzer_findings import load_findings_file
from iamgate.formats.baseline_yaml import load_baseline, parse_baseline
from iamgate.formats.config_toml import load_config, parse_config
from iamgate.formats.history_jsonl import load_history
from iamgate.formats.results_json import load_results
from iamgate.formats.results_json import render_results as render_json
from iamgate.formats.snapshot_json import load_snapshot, snapshot_from_dict, snapshot_to_json
from iamgate.gate.apply import apply_baseline
from iamgate.gate.combine import combine
from iamgate.model.baseline import Baseline, BaselineException, glob_match
from iamgate.model.config import Config
from iamgate.model.org_policies import (
    OrganizationPolicies,
    OrgLevel,
    OrgPolicy,
    PolicyType,
    TargetKind,
)
from iamgate.model.results import Result
from iamgate.model.snapshot import Alarm, AnalyzerRegion, CollectionError, MetricFilter
from iamgate.report import REPORTERS
from iamgate.report.annotations import render_annotations
from iamgate.report.context import ReportContext
from iamgate.report.junit import render_junit
from iamgate.report.markdown import render_markdown
from testing import DATA
from testing.checks import infos
from testing.factories import aa_finding, analyzer, trail
from testing.hostile import file_text as hostile_file_text

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACCOUNT = "123456789012"
CHECKS = sorted(REGISTRY)

# Text users and AWS can put in names and messages: anything encodable in UTF-8 (no lone
# surrogates), with the characters that break formats made likely.
nasty = st.sampled_from(
    [
        "]]>",
        "<",
        ">",
        "&",
        '"',
        "'",
        "|",
        "\\",
        "`",
        "\x00",
        "\x1b",
        "\r\n",
        "\u2028",
        "\ufeff",
        "<!--",
        "&amp;",
        "\t",
        "**",
        "名前",
        "\U0001f600",
        "\x7f",
        "\ufffe",
    ]
)
text = st.lists(
    st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20), nasty),
    max_size=8,
).map("".join)
long_text = st.one_of(text, st.builds(lambda t: (t or "x") * 500, text))


# --- the baseline parser ------------------------------------------------------------------------

yaml_like = st.lists(
    st.sampled_from(
        [
            "version: 1\n",
            'account: "123456789012"\n',
            "exceptions:\n",
            "  - check: root-mfa\n",
            "    resource: x\n",
            "    reason: r\n",
            "    owner: o\n",
            "    expires: 2027-01-01\n",
            "&a ",
            "*a ",
            "!!python/name:os.system ",
            "[",
            "]",
            "{",
            "}",
            ": ",
            "- ",
            "\t",
            "'",
            '"',
            "? ",
            "---\n",
            "...\n",
            "<<: ",
            "!!timestamp 2026-99-01\n",
            "\x00",
            "#",
        ]
    )
    | text,
    max_size=30,
).map("".join)


def outcome(parse: Callable[[], Baseline]) -> Baseline | InputError:
    """The parser's answer; any exception other than InputError propagates (a failure)."""
    try:
        return parse()
    except InputError as exc:
        return exc


@FAST
@given(st.one_of(text, yaml_like))
def test_baseline_parser_gives_a_baseline_or_an_input_error(source: str) -> None:
    result = outcome(lambda: parse_baseline(source, "fuzz.yml", REGISTRY))
    if isinstance(result, InputError):
        assert result.source == "fuzz.yml"
        assert "\n" not in str(result)  # one line
    else:
        assert isinstance(result, Baseline)


@FAST
@given(st.binary(max_size=300))
def test_baseline_loader_takes_any_bytes(tmp_path_factory: object, data: bytes) -> None:
    path = Path(str(tmp_path_factory.mktemp("fuzz"))) / "b.yml"  # type: ignore[attr-defined]
    path.write_bytes(data)
    result = outcome(lambda: load_baseline(path, REGISTRY))
    if isinstance(result, InputError):
        assert str(path) in str(result)
    else:
        assert isinstance(result, Baseline)


@FAST
@given(st.text("ab*", min_size=1, max_size=8), st.text("ab", max_size=10))
def test_glob_match_agrees_with_a_regex_reference(pattern: str, resource: str) -> None:
    reference = ".*".join(re.escape(p) for p in pattern.split("*"))
    assert glob_match(pattern, resource) == (re.fullmatch(reference, resource) is not None)


def test_glob_match_is_not_catastrophic() -> None:
    # The regex it replaced took minutes on this; linear find() passes take microseconds.
    assert not glob_match("*a" * 300 + "b", "a" * 5000)


# --- the reporters ------------------------------------------------------------------------------

finding = st.tuples(st.sampled_from(CHECKS), long_text, text, st.sampled_from([True, False, None]))


def verdict_for(rows: list[tuple[str, str, str, bool | None]], reason: str, owner: str) -> object:
    results = [
        Result(check, resource, "user", passed, message, ACCOUNT)
        for check, resource, message, passed in rows
    ]
    exceptions = tuple(
        BaselineException(
            check=check,
            resource=resource,
            reason=reason or "r",
            owner=owner or "o",
            expires=date(2027, 1, 1) if n % 2 else date(2020, 1, 1),
            source="b.yml",
            line=n + 1,
        )
        for n, (check, resource, _, passed) in enumerate(rows)
        if passed is False and n % 3 == 0
    )
    baseline = Baseline(account=ACCOUNT, exceptions=exceptions, source="b.yml")
    return apply_baseline(
        results,
        baseline,
        today=date(2026, 6, 1),
        generated_at=datetime(2026, 6, 1, tzinfo=UTC),
        account_id=ACCOUNT,
        checks=infos(*CHECKS),
    )


# XML 1.0's forbidden characters, the discouraged C1 controls, and each plane's noncharacters.
_XML_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufddf]|[\ufffe\uffff]"
    "|[\U0001fffe-\U0001ffff\U0002fffe-\U0002ffff\U0003fffe-\U0003ffff\U0004fffe-\U0004ffff"
    "\U0005fffe-\U0005ffff\U0006fffe-\U0006ffff\U0007fffe-\U0007ffff\U0008fffe-\U0008ffff"
    "\U0009fffe-\U0009ffff\U000afffe-\U000affff\U000bfffe-\U000bffff\U000cfffe-\U000cffff"
    "\U000dfffe-\U000dffff\U000efffe-\U000effff\U000ffffe-\U000fffff\U0010fffe-\U0010ffff]"
)


def xml_safe(value: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", value)


@FAST
@given(st.lists(finding, max_size=12), text, text)
def test_junit_is_well_formed_and_keeps_the_text(
    rows: list[tuple[str, str, str, bool | None]], reason: str, owner: str
) -> None:
    verdict = verdict_for(rows, reason, owner)
    root = ET.fromstring(render_junit(verdict))  # type: ignore[arg-type]
    suites = root.findall("testsuite")
    assert len(suites) == len(CHECKS)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(rows)
    names = sorted(c.get("name", "") for c in cases)
    assert names == sorted(xml_safe(r[1]) for r in rows)
    messages = {xml_safe(r[2]) for r in rows}
    for case in cases:
        failure = case.find("failure")
        if failure is not None and failure.get("type") == "new":
            assert failure.get("message", "") in messages
    failures = sum(1 for c in cases if c.find("failure") is not None)
    assert int(root.get("failures", 0)) == failures


@FAST
@given(st.lists(finding, max_size=12), text, text)
def test_json_round_trips(
    rows: list[tuple[str, str, str, bool | None]], reason: str, owner: str
) -> None:
    verdict = verdict_for(rows, reason, owner)
    data = json.loads(render_json(verdict))  # type: ignore[arg-type]
    assert [(f["check"], f["resource"]) for f in data["findings"]] == [(r[0], r[1]) for r in rows]
    assert [f["message"].split(" [exception expired")[0] for f in data["findings"]] == [
        r[2] for r in rows
    ]
    for f in data["findings"]:
        if "exception" in f:
            assert f["exception"]["reason"] == (reason or "r")


_CELL_SEP = re.compile(r"\\.|\|")


def columns(line: str) -> int:
    """Unescaped pipes in a markdown table row (``\\|`` is a pipe inside a cell)."""
    return sum(1 for m in _CELL_SEP.findall(line) if m == "|")


@FAST
@given(st.lists(finding, max_size=12), text, text)
def test_markdown_tables_keep_their_columns(
    rows: list[tuple[str, str, str, bool | None]], reason: str, owner: str
) -> None:
    verdict = verdict_for(rows, reason, owner)
    markdown = render_markdown(verdict)  # type: ignore[arg-type]
    lines = markdown.split("\n")
    table: list[int] = []
    for line in [*lines, ""]:
        if line.startswith("|"):
            table.append(columns(line))
            continue
        if table:
            assert len(set(table)) == 1, f"a table row has a different column count: {table}"
            table = []
    for line in lines:  # no raw HTML from the data (only the report's own <details>)
        if line.startswith("|"):
            assert "<" not in _CELL_SEP.sub("", line).replace("\\<", "")


# --- every reader: damage anywhere, however deep or strange, is an InputError ------------------
#
# Each valid document is damaged at one place drawn at random (a value replaced by any JSON
# value, a member removed, or a member added), then read; what is read is then used as the
# commands use it (checks, the gate, every reporter, merge), so a reader that lets damage
# through to a later crash fails here too.

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),  # lone surrogates included: JSON's "\ud800" escape makes them
    st.sampled_from(["2026-01-01T00:00:00Z", "N/A", "\ud800", "::error::x", "9999-12-31", ""]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _places(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((node, k))
            _places(v, out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((node, i))
            _places(v, out)
    return out


def damaged(document: Any, data: st.DataObject, focus: str | None = None) -> Any:
    """A deep copy of ``document`` damaged at one place (under its member ``focus``)."""
    doc = copy.deepcopy(document)
    places = _places(doc[focus], [(doc, focus)]) if focus else _places(doc, [])
    container, key = places[data.draw(st.integers(0, len(places) - 1), label="where")]
    how = data.draw(st.sampled_from(["replace", "remove", "add"]), label="how")
    if how == "replace" or (how == "remove" and isinstance(container, list)):
        container[key] = data.draw(json_values, label="value")
    elif how == "remove":
        del container[key]
    elif isinstance(container, dict):
        container[data.draw(st.text(max_size=6), label="key")] = data.draw(json_values)
    else:
        container.append(data.draw(json_values, label="value"))
    return doc


def used(verdicts: list[Any]) -> None:
    """What the commands do with verdicts that were read: merge them, render every report."""
    combined = combine(verdicts)
    context = ReportContext(history=())
    for reporter in REPORTERS:
        reporter.render(combined, context).encode("utf-8")
    render_annotations(combined).encode("utf-8")
    combined.one_line().encode("utf-8")


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def _snapshot_doc() -> Any:
    """The demo's snapshot with every kind of data in it (Access Analyzer, trails, alarms,
    collection errors, the report's generation time)."""
    demo = snapshot_from_dict(json.loads((DATA / "demo-snapshot.json").read_text("utf-8")))
    rich = dataclasses.replace(
        demo,
        credential_report_generated_at=demo.collected_at,
        access_analyzer=(
            AnalyzerRegion(
                "us-east-1",
                (analyzer(),),
                (
                    aa_finding("f-1", "arn:aws:s3:::b", principal={"AWS": "*"}, public=True),
                    aa_finding(
                        "f-2", "arn:aws:iam::123456789012:role/r", finding_type="UnusedIAMRole"
                    ),
                ),
            ),
        ),
        trails=(trail(log_group="arn:aws:logs:us-east-1:123456789012:log-group:g:*"),),
        metric_filters=(
            MetricFilter("g", "us-east-1", "iam", "{ ($.eventName = CreatePolicy) }", ("CIS/Iam",)),
        ),
        alarms=(Alarm("iam", "us-east-1", "CIS/Iam", ("arn:aws:sns:us-east-1:1:t",)),),
        errors=(CollectionError("regions", "DescribeRegions", "us-east-1", "AccessDenied", "no"),),
        organization_policies=_org_policies(demo.account_id),
    )
    return json.loads(snapshot_to_json(rich))


def _org_policies(account_id: str) -> OrganizationPolicies:
    full = OrgPolicy("p-FullAWSAccess", "FullAWSAccess", {"Statement": []}, aws_managed=True)
    deny = OrgPolicy("p-denyiam12", "deny <iam>", {"Statement": [{"Effect": "Deny"}]})
    rcp = OrgPolicy("p-RCPFullAWSAccess", "RCPFullAWSAccess", {}, aws_managed=True)
    return OrganizationPolicies(
        "o-abcdef1234",
        "999999999999",
        (PolicyType.SCP, PolicyType.RCP),
        (
            OrgLevel("r-ab12", TargetKind.ROOT, (full,), (rcp,)),
            OrgLevel("ou-ab12-cdefgh12", TargetKind.OU, (full, deny), (rcp,)),
            OrgLevel(account_id, TargetKind.ACCOUNT, (full,), (rcp,)),
        ),
    )


SNAPSHOT_DOC = _snapshot_doc()


def _results_doc(accounts: int) -> Any:
    snapshot = snapshot_from_dict(SNAPSHOT_DOC)
    verdicts = []
    for n in range(accounts):
        account = f"{n + 1:012d}" if accounts > 1 else snapshot.account_id
        mine = dataclasses.replace(snapshot, account_id=account)
        baseline = Baseline(
            account,
            (
                BaselineException(
                    "user-console-mfa",
                    f"arn:aws:iam::{account}:user/*",
                    "r",
                    "o",
                    date(2026, 12, 1),
                    allow_broad=True,
                    source="b.yml",
                    line=4,
                ),
                BaselineException(
                    "root-mfa",
                    "arn:aws:iam::1:root",
                    "r",
                    "o",
                    date(2020, 1, 1),
                    source="b.yml",
                    line=9,
                ),
            ),
            "b.yml",
        )
        verdicts.append(
            evaluate(mine, Config(), GateOptions(as_of=date(2026, 11, 28)), baseline=baseline)
        )
    verdict = verdicts[0] if accounts == 1 else combine(verdicts)
    return json.loads(render_json(verdict))


RESULTS_DOCS = [_results_doc(1), _results_doc(2)]


def written(tmp_path_factory: Any, name: str, document: Any) -> Path:
    """The document as a file, the way commands read it (JSON escapes: "\\ud800" too)."""
    path = Path(str(tmp_path_factory.mktemp("fuzz"))) / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@FUZZ
@given(st.sampled_from([0, 1]), st.data())
def test_any_damage_to_results_json_is_bad_input(
    tmp_path_factory: Any, which: int, data: st.DataObject
) -> None:
    path = written(tmp_path_factory, "results.json", damaged(RESULTS_DOCS[which], data))
    result = outcome_of(lambda: load_results(path))
    if isinstance(result, InputError):
        assert result.source == str(path)
    else:
        used(result)


# Where a snapshot holds the most free-form data: damage is aimed there half of the time.
SNAPSHOT_FOCUS = [
    None,
    "password_policy",
    "account_summary",
    "users",
    "roles",
    "policies",
    "credential_report",
    "access_analyzer",
    "trails",
    "errors",
    "organization_policies",
]


@FUZZ
@given(st.sampled_from(SNAPSHOT_FOCUS), st.data())
def test_any_damage_to_a_snapshot_is_bad_input(
    tmp_path_factory: Any, focus: str | None, data: st.DataObject
) -> None:
    path = written(tmp_path_factory, "snapshot.json", damaged(SNAPSHOT_DOC, data, focus))
    read = outcome_of(lambda: load_snapshot(path))
    if isinstance(read, InputError):
        assert read.source == str(path)
        return
    verdict = evaluate(read, Config(), GateOptions(as_of=date(2026, 11, 28)))
    used([verdict])
    snapshot_to_json(read).encode("utf-8")


EXPORT_DOC = {
    "findings": [
        {
            "id": "f-1",
            "resource": "arn:aws:s3:::b",
            "resourceType": "AWS::S3::Bucket",
            "status": "ACTIVE",
            "findingType": "ExternalAccess",
            "principal": {"AWS": "*"},
            "action": ["s3:GetObject"],
            "isPublic": True,
            "findingDetails": [
                {"externalAccessDetails": {"principal": {"AWS": "1"}, "action": ["s3:Put"]}},
                {
                    "unusedPermissionDetails": {
                        "serviceNamespace": "s3",
                        "actions": [{"action": "x"}],
                    }
                },
            ],
        }
    ]
}


@FUZZ
@given(st.data())
def test_any_damage_to_an_access_analyzer_export_is_bad_input(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    path = written(tmp_path_factory, "export.json", damaged(EXPORT_DOC, data))
    read = outcome_of(lambda: load_findings_file(path))
    if isinstance(read, InputError):
        return
    snapshot = with_exported_findings(snapshot_from_dict(SNAPSHOT_DOC), read)
    used([evaluate(snapshot, Config(), GateOptions(as_of=date(2026, 11, 28)))])


accounts_like = st.lists(
    st.sampled_from(
        [
            "- account_id: '111111111111'\n",
            "  role_arn: arn:aws:iam::111111111111:role/r\n",
            "- account_id: 222222222222\n",
            "  role_arn: null\n",
            "  role_arn: !!binary aGk=\n",
            '  role_arn: "\\ud800"\n',
            "- {account_id: 1, role_arn: [1]}\n",
            "&a ",
            "*a ",
            "[",
            "{",
            "\x00",
            "!!timestamp 2026-99-01\n",
            ": ",
            "- ",
            "\t",
            '"',
            "? ",
        ]
    )
    | text,
    max_size=20,
).map("".join)


@FUZZ
@given(st.one_of(text, accounts_like))
def test_the_accounts_file_gives_accounts_or_an_input_error(source: str) -> None:
    result = outcome_of(lambda: parse_accounts(source, "accounts.yml"))
    if isinstance(result, InputError):
        assert result.source == "accounts.yml"
        assert "\n" not in str(result)
    else:
        assert all(isinstance(t.account_id, str) for t in result)


toml_values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.text(max_size=8),
        st.dates(),
        st.datetimes(),
        st.times(),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
CONFIG_DOC = {
    "thresholds": {"access_key_max_age_days": 90, "password_min_length": 14},
    "gate": {"fail_on": "high", "expiring_within_days": 30},
    "baseline": {"max_expiry_days": 90},
    "collect": {"max_attempts": 3, "retry_mode": "standard", "read_timeout": 5, "max_pages": 9},
    "trust": {"trusted_accounts": ["111111111111"]},
}


@FUZZ
@given(st.data())
def test_any_config_value_gives_a_config_or_an_input_error(data: st.DataObject) -> None:
    doc = copy.deepcopy(CONFIG_DOC)
    section = data.draw(st.sampled_from(sorted(doc)))
    key = data.draw(st.sampled_from([*doc[section], "other"]))
    doc[section][key] = data.draw(toml_values)
    result = outcome_of(lambda: parse_config(doc, "iamgate.toml"))
    if isinstance(result, InputError):
        return
    # A config that is read can be used: expiry horizons, ages and client settings.
    today = date(9999, 12, 31)
    lint_baseline(
        'version: 1\naccount: "123456789012"\nexceptions:\n  - check: root-mfa\n'
        "    resource: arn:aws:iam::123456789012:root\n    reason: r\n    owner: o\n"
        "    expires: 2026-01-01\n",
        "b.yml",
        REGISTRY,
        today=today,
        horizon_days=result.baseline.max_expiry_days,
    )
    snapshot = snapshot_from_dict(SNAPSHOT_DOC)
    used([evaluate(snapshot, result, GateOptions(as_of=today))])
    aws_options(result, "us-east-1", None, None, None, "s")


def outcome_of(read: Callable[[], Any]) -> Any:
    """The reader's answer; any exception other than InputError propagates (a failure)."""
    try:
        return read()
    except InputError as exc:
        return exc


# --- libyaml and PyYAML agree ------------------------------------------------------------------


def _both(parse: Callable[[], Any]) -> tuple[Any, Any]:
    """What the libyaml reader and the pure-Python one make of the same text."""
    from iamgate.formats import safe_yaml

    assert safe_yaml._FAST is not None, "PyYAML without libyaml: nothing to compare"
    fast = outcome_of(parse)
    saved, safe_yaml._FAST = safe_yaml._FAST, None
    try:
        pure = outcome_of(parse)
    finally:
        safe_yaml._FAST = saved
    return fast, pure


def _same(fast: Any, pure: Any) -> None:
    if isinstance(pure, InputError):
        assert isinstance(fast, InputError), (fast, pure)
        assert (fast.message, fast.line) == (pure.message, pure.line)
    else:
        assert fast == pure


@FAST
@given(st.one_of(text, yaml_like))
def test_the_fast_yaml_reader_gives_what_pyyaml_gives(source: str) -> None:
    _same(*_both(lambda: parse_baseline(source, "fuzz.yml", REGISTRY)))
    _same(*_both(lambda: parse_accounts(source, "a.yml")))


def test_the_fast_yaml_reader_agrees_on_the_whole_bad_input_corpus() -> None:
    bad = DATA / "bad"
    files = sorted((bad / "baseline").glob("*.yml")) + sorted((bad / "accounts").glob("*.yml"))
    assert len(files) > 40
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        reader = parse_accounts if path.parent.name == "accounts" else None
        if reader is None:
            _same(*_both(lambda t=text: parse_baseline(t, "b.yml", REGISTRY)))
        else:
            _same(*_both(lambda t=text: parse_accounts(t, "a.yml")))


# --- every input file type against hostile content (issue 24) ---------------------------------

_LOADERS: dict[str, Callable[[Path], Any]] = {
    "baseline": lambda p: load_baseline(p, REGISTRY),
    "config": load_config,
    "history": load_history,
    "results": load_results,
    "snapshot": load_snapshot,
    "findings export": load_findings_file,
    "accounts": load_accounts,
}


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(sorted(_LOADERS)), hostile_file_text)
def test_every_input_file_type_gives_its_value_or_bad_input(
    tmp_path_factory: Any, kind: str, content: str
) -> None:
    """Pieces of every format, numbers past Python's int-string limit, nesting past the
    recursion limit, lone surrogates, YAML tags: a value, or bad input naming the file."""
    path = tmp_path_factory.mktemp("input") / "file"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    result = outcome_of(lambda: _LOADERS[kind](path))
    if isinstance(result, InputError):
        assert result.source == str(path)
