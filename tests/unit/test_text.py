"""``text.terminal``: the one function every printed message with account or baseline text goes
through. GitHub's runner reads a workflow command from a line starting with ``::`` (after
leading whitespace) and from ``##[`` anywhere in a line."""

from __future__ import annotations

import pytest

from iamgate.text import Memo, markdown_cell, terminal, workflow_command, xml_attr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain arn:aws:iam::123456789012:user/bob", "plain arn:aws:iam::123456789012:user/bob"),
        ("x\n::error title=pwned::owned", "x\\n::error title=pwned::owned"),
        ("x\r::add-mask::secret", "x\\r::add-mask::secret"),
        ("x\u2028::error::a\x85::error::b", "x\\u2028::error::a\\x85::error::b"),
        ("::error::at the start", "\\x3a:error::at the start"),
        ("  \t::warning::indented", "  \\t::warning::indented"),
        ("   ::warning::indented", "   \\x3a:warning::indented"),
        ("mid ##[error]legacy command", "mid #\\x23[error]legacy command"),
        ("###[set-output name=x]y", "##\\x23[set-output name=x]y"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("bidi \u202eevil", "bidi \\u202eevil"),
        ("esc \x1b[31mred", "esc \\x1b[31mred"),
        ("nbsp\u00a0ok", "nbsp\\xa0ok"),
        ("名前 and 😀 stay", "名前 and 😀 stay"),
    ],
)
def test_terminal_text_is_one_inert_line(value: str, expected: str) -> None:
    out = terminal(value)
    assert out == expected
    assert "\n" not in out
    assert "##[" not in out
    assert not out.lstrip().startswith("::")
    out.encode("utf-8")  # printable, whatever came in


def test_markdown_cells_carry_no_legacy_command_either() -> None:
    cell = markdown_cell("x ##[error]y\n::error::z")
    assert "##[" not in cell
    assert "\n" not in cell
    assert cell == "x ##\\[error\\]y ::error::z"  # shows as "##[error]y" in markdown


def test_a_workflow_command_escapes_its_data_and_survives_a_lone_surrogate() -> None:
    line = workflow_command("error", "a\nb %\ud800", file="x,y:z")
    assert line == "::error file=x%2Cy%3Az::a%0Ab %25\\ud800"
    line.encode("utf-8")


def test_sarif_text_is_one_plain_line_with_no_link_syntax() -> None:
    from iamgate.text import sarif_text

    assert sarif_text("role [x](1) a\\b") == "role \\[x\\](1) a\\\\b"
    assert sarif_text("a\nb\u2028c\x1b") == "a\\\\nb\\\\u2028c\\\\x1b"
    assert sarif_text("plain text") == "plain text"
    long = sarif_text("x" * 5000)
    assert len(long) == 1000
    assert long.endswith("…")


def test_memo_escapes_each_distinct_value_once_and_answers_as_the_escaper() -> None:
    calls: list[str] = []

    def escape(value: str) -> str:
        calls.append(value)
        return xml_attr(value)

    memo = Memo(escape)
    values = ['a"b', "plain", 'a"b', "<x>\n", "plain", 'a"b']
    assert [memo[v] for v in values] == [xml_attr(v) for v in values]
    assert calls == ['a"b', "plain", "<x>\n"]  # a repeated value is not escaped again


def test_memo_stays_within_its_limit() -> None:
    memo = Memo(xml_attr, limit=2)
    for value in ("a", "b", "c", "d&"):
        assert memo[value] == xml_attr(value)
        assert len(memo) <= 2
    assert "d&" in memo  # cleared when full, then kept again
    assert "a" not in memo
