"""Inert text in markdown (issue 24), held against the renderer users see: GitHub's own
cmark-gfm (``cmarkgfm``: CommonMark with the table, autolink, strikethrough, tagfilter and
task-list extensions). Hostile text (images, links, bare URLs, e-mail addresses, mentions, HTML,
entities, headings, list markers, emphasis, code spans, math, table pipes, backslashes) must
render as exactly itself: no element but the ones the report writes, and exactly the cells
intended."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import cmarkgfm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamgate.baseline.diff import Change, Review
from iamgate.baseline.review import render_review
from iamgate.checks import catalogue
from iamgate.gate.apply import apply_baseline
from iamgate.model.baseline import Baseline, BaselineException
from iamgate.model.results import Result
from iamgate.report.markdown import _table, render_markdown
from iamgate.text import markdown_cell, markdown_text, terminal

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACCOUNT = "123456789012"
A = f"arn:aws:iam::{ACCOUNT}"

# Pieces of markdown an attacker would write, and characters that break formats.
HOSTILE = [
    "![passing](https://img.shields.io/badge/x-passing-green)",
    "[click](javascript:alert(1))",
    "[x]: https://evil.example",
    "https://evil.example/a_b",
    "http://x.y",
    "www.evil.example",
    "WWW.EVIL.EXAMPLE",
    "ftp://x.y",
    "admin@example.com",
    "@octocat",
    "@org/team",
    "mailto:a@b.co",
    "<img src=x onerror=alert(1)>",
    "<script>",
    "<!--",
    "-->",
    "<https://x.y>",
    "&amp;",
    "&#64;",
    "&lt;",
    "# ",
    "## h",
    "> ",
    "- ",
    "+ ",
    "1. ",
    "2) ",
    "---",
    "===",
    "***",
    "| a | b |",
    "|---|",
    "\\|",
    "\\",
    "`",
    "``",
    "*",
    "**",
    "_",
    "__",
    "~~",
    "$",
    "$$",
    "$\\color{green}{ok}$",
    "[ ]",
    "[x]",
    "[^1]",
    ":x:",
    "\n",
    "\r\n",
    "\t",
    "    ",
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\u202e",
    "\u2060",
    "##[error]",
    "::warning::",
    " ",
    "a",
    "名前",
]
hostile = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4)), max_size=8).map(
    "".join
)


class Page(HTMLParser):
    """The elements of rendered HTML, and the text of every table row's cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.comments: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def render(markdown: str, raw_html: bool = False) -> Page:
    """``raw_html``: let raw HTML through (GitHub keeps the report's own ``<details>``), so
    that any HTML in the text would show up as an element."""
    options = cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE if raw_html else 0
    page = Page()
    page.feed(cmarkgfm.github_flavored_markdown_to_html(markdown, options))
    page.close()
    return page


def shown(value: str) -> str:
    """What the reader must see: the text on one line, non-printables as escapes."""
    text = " ".join(value.split())
    return text if text.isprintable() else terminal(text)


def seen(rendered: str) -> str:
    # The parser has read the entities; the joiner after "@" is ours.
    return rendered.replace("@\u2060", "@")


# (markdown before, after, the text the reader sees before and after, the elements written)
CONTEXTS = [
    ("", "", "", "", {"p"}),
    ("- ", "", "", "", {"ul", "li"}),
    ("**iamgate** on ", " done", "iamgate on ", " done", {"p", "strong"}),
    ("- **", "** (x)", "", " (x)", {"ul", "li", "strong"}),
]


@SETTINGS
@given(hostile)
def test_text_renders_as_itself_in_a_paragraph_a_list_item_and_bold(value: str) -> None:
    inert = markdown_text(value)
    assert "\n" not in inert
    if not shown(value):
        return  # nothing to show: "****" is not bold text, and an empty item is no item
    for before, after, text_before, text_after, tags in CONTEXTS:
        page = render(before + inert + after)
        assert set(page.tags) <= tags, (value, page.tags)
        assert not page.comments  # "raw HTML omitted": no HTML got as far as the renderer
        got = " ".join(seen("".join(page.text)).split())
        assert got == " ".join((text_before + shown(value) + text_after).split()), value


@SETTINGS
@given(st.lists(st.lists(hostile, min_size=3, max_size=3), min_size=1, max_size=4))
def test_a_table_has_exactly_the_cells_intended(rows: list[list[str]]) -> None:
    page = render(_table(["check", "resource", "reason"], rows, 50, "see results.json"))
    assert set(page.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}, page.tags
    assert not page.comments
    assert page.rows[0] == ["check", "resource", "reason"]
    body = page.rows[1:]
    assert len(body) == len(rows)
    for got, want in zip(body, rows, strict=True):
        assert [seen(c) for c in got] == [shown(c) for c in want]


def test_a_long_cell_is_cut_but_stays_one_cell() -> None:
    page = render(_table(["a", "b"], [["[x](y)" * 100, "@b"]], 5, "see"))
    (cell, other) = page.rows[1]
    assert cell.endswith("…")
    assert seen(other) == "@b"
    assert markdown_cell("[x](y)" * 100).count("\\[") == 50  # cut at 300 characters, then escaped


def hostile_verdict(text: str) -> object:
    results = [
        Result("user-console-mfa", f"{A}:user/{text}", "user", False, text, ACCOUNT),
        Result("user-inactive", f"{A}:user/x{text}", "user", False, text, ACCOUNT),
    ]
    exceptions = (
        BaselineException(
            "user-inactive", f"{A}:user/x{text}", text or "r", text or "o", date(2026, 6, 9)
        ),
    )
    return apply_baseline(
        results,
        Baseline(ACCOUNT, exceptions, source=text or "b.yml"),
        today=date(2026, 6, 1),
        generated_at=datetime(2026, 6, 1, tzinfo=UTC),
        account_id=ACCOUNT,
        notes=[text or "note"],
        checks=[catalogue()[c] for c in ("user-console-mfa", "user-inactive")],
    )


def structure(markdown: str) -> tuple[list[str], list[str]]:
    page = render(markdown, raw_html=True)
    return page.tags, page.comments


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile)
def test_hostile_text_changes_nothing_of_the_summary_but_its_text(value: str) -> None:
    """summary.md and the step summary: the same elements as with harmless text."""
    hostile_md = render_markdown(hostile_verdict(value))  # type: ignore[arg-type]
    plain_md = render_markdown(hostile_verdict("plain"))  # type: ignore[arg-type]
    assert structure(hostile_md) == structure(plain_md)
    assert "<img" not in cmarkgfm.github_flavored_markdown_to_html(hostile_md)


def review_with(value: str) -> str:
    text = value if shown(value) else "x"  # an empty label would only make "****" not bold
    entry = BaselineException(
        "root-mfa", f"{A}:root{text}", text or "r", text or "o", date(2026, 7, 1), text or None
    )
    old = BaselineException("user-inactive", f"{A}:user/{text}", "r", "o", date(2026, 7, 1))
    new = BaselineException("user-inactive", f"{A}:user/{text}", text or "r", "o", date(2026, 8, 1))
    changes = [
        Change("added", text or "b.yml", None, entry, loosens=True),
        Change("changed", "b.yml", old, new, (f"reason changed to {text}",), True),
        Change("removed", "b.yml", entry, None),
    ]
    return render_review(
        Review(text or "a", text or "b", changes, [], [text or "n"], 1), catalogue()
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile)
def test_hostile_text_changes_nothing_of_the_review_but_its_text(value: str) -> None:
    """The baseline review: job summary and pull-request comment."""
    assert structure(review_with(value)) == structure(review_with("plain"))


def test_the_issue_instances_render_as_text() -> None:
    """A reason, an owner and an IAM path holding an image, a link and a mention."""
    path = "/![passing](https://img.shields.io/badge/gate-passing-green)/"
    value = f"see [docs](https://evil.example) @security-team {path}"
    html_out = cmarkgfm.github_flavored_markdown_to_html(review_with(value))
    for active in ("<img", "<a ", "<script", "<h4"):
        assert active not in html_out
    summary = cmarkgfm.github_flavored_markdown_to_html(
        render_markdown(hostile_verdict(value))  # type: ignore[arg-type]
    )
    assert "<img" not in summary
    assert "<a " not in summary
    assert "![passing](https://img.shields.io/badge/gate-passing-green)" in html.unescape(summary)
