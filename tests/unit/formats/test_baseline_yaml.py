from __future__ import annotations

import pytest

from iamgate.checks import REGISTRY
from iamgate.errors import InputError
from iamgate.formats.baseline_yaml import parse_baseline
from iamgate.model.baseline import Baseline

BOB = "arn:aws:iam::123456789012:user/bob"
HEAD = 'version: 1\naccount: "123456789012"\nexceptions:\n'
ENTRY = """  - check: user-console-mfa
    resource: arn:aws:iam::123456789012:user/bob
    reason: Break-glass
    owner: security
    expires: 2027-01-31
"""


def parse(text: str) -> Baseline:
    return parse_baseline(text, "b.yml", REGISTRY)


def error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse(text)
    return info.value


def test_valid_baseline() -> None:
    baseline = parse(HEAD + ENTRY + "    ticket: SEC-1\n")
    exc = baseline.exceptions[0]
    assert (exc.check, exc.owner, exc.ticket, exc.line) == (
        "user-console-mfa",
        "security",
        "SEC-1",
        4,
    )
    assert str(exc.expires) == "2027-01-31"


def test_empty_exceptions_and_unquoted_account() -> None:
    assert parse("version: 1\naccount: 123456789012\nexceptions: []\n").exceptions == ()
    assert parse("version: 1\naccount: '123456789012'\n").exceptions == ()


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        (HEAD + ENTRY.replace("user-console-mfa", "no-such-check"), "unknown check", 4),
        (HEAD + ENTRY.replace("    reason: Break-glass\n", ""), "missing 'reason'", 4),
        (HEAD + ENTRY.replace("security", '""'), "owner must be a non-empty string", 7),
        (HEAD + ENTRY.replace("2027-01-31", "31/01/2027"), "expires must be a date", 8),
        (HEAD + ENTRY + ENTRY, "duplicate exception", 9),
        (HEAD + ENTRY + "    colour: red\n", "unknown key 'colour'", 9),
        (HEAD + ENTRY.replace("arn:aws:iam::123456789012:user/bob", "'*'"), "every resource", 5),
        (
            HEAD
            + ENTRY.replace("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:*"),
            "every resource",
            5,
        ),
        ('version: 2\naccount: "123456789012"\n', "unsupported version", 1),
        ('version: 1\naccount: "12345"\n', "12-digit", 2),
        ('version: 1\naccount: "123456789012"\naccount: "1"\n', "duplicate key 'account'", 3),
        ("version: 1\naccount: [\n", "invalid YAML", None),
        ('version: 1\naccount: &a "123456789012"\nx: *a\n', "anchors and aliases", 2),
        ("", "empty baseline", None),
        ("- a\n- b\n", "must be a mapping", 1),
        ('version: 1\naccount: "123456789012"\nexceptions: {}\n', "must be a list", 3),
        # Text that would print as a line of its own, a workflow command, or not at all.
        (
            HEAD + ENTRY.replace(BOB, f'"{BOB}\\n::error::x"'),
            "resource contains U+000A",
            5,
        ),
        (HEAD + ENTRY.replace("Break-glass", '"ok\\r::add-mask::y"'), "reason contains U+000D", 6),
        (HEAD + ENTRY.replace("security", '"sec\\x1b[2J"'), "owner contains U+001B", 7),
        (HEAD + ENTRY.replace("security", '"sec\\u202eytiruces"'), "U+202E (RIGHT-TO-LEFT", 7),
        (HEAD + ENTRY.replace("Break-glass", '"a\\u2028b"'), "U+2028 (LINE SEPARATOR)", 6),
        (HEAD + ENTRY.replace(BOB, f'"{BOB}\\ud800"'), "U+D800 (a lone surrogate)", 5),
        (HEAD + ENTRY + '    ticket: "SEC-1\\nx"\n', "ticket contains U+000A", 9),
        ('version: 1\naccount: "123456789012\\n"\n', "12-digit", 2),
    ],
)
def test_rejections_name_file_and_line(text: str, fragment: str, line: int | None) -> None:
    err = error(text)
    assert fragment in err.message
    assert err.source == "b.yml"
    if line is not None:
        assert err.line == line, str(err)


def test_allow_broad_needs_to_be_explicit() -> None:
    broad = ENTRY.replace("arn:aws:iam::123456789012:user/bob", "'*'") + "    allow-broad: true\n"
    assert parse(HEAD + broad).exceptions[0].allow_broad is True


def test_glob_matching_is_anchored() -> None:
    text = HEAD + ENTRY.replace("user/bob", "user/ci-*")
    exc = parse(text).exceptions[0]
    assert exc.matches("user-console-mfa", "arn:aws:iam::123456789012:user/ci-deploy")
    assert not exc.matches("user-console-mfa", "arn:aws:iam::123456789012:user/deploy-ci-x")
    assert not exc.matches("root-mfa", "arn:aws:iam::123456789012:user/ci-deploy")
    # Substrings never match: the complaint about other tools' suppressions.
    exact = parse(HEAD + ENTRY).exceptions[0]
    assert not exact.matches("user-console-mfa", "arn:aws:iam::123456789012:user/bobby")


def test_a_reason_written_as_a_block_may_span_lines() -> None:
    block = ENTRY.replace("reason: Break-glass", "reason: |\n      Break-glass,\n      in the safe")
    assert parse(HEAD + block).exceptions[0].reason == "Break-glass,\nin the safe"
    assert "\t" not in parse(HEAD + ENTRY).exceptions[0].reason
