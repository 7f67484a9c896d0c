"""Hypothesis: the baseline parser and the reporters against arbitrary text.

The parser gives a Baseline or an InputError, nothing else. Any resource name, message, reason
or owner yields well-formed JUnit XML with the right counts and the text intact (modulo the
characters XML 1.0 cannot carry), JSON that round-trips, and markdown tables that keep their
column count on every row.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamgate.checks import REGISTRY
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import load_baseline, parse_baseline
from iamgate.formats.results_json import render_results as render_json
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import Baseline, BaselineException, glob_match
from iamgate.model.results import Result
from iamgate.report.junit import render_junit
from iamgate.report.markdown import render_markdown
from testing.checks import infos

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
            assert "<" not in line
