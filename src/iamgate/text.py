"""Text from outside (names, tags, policy contents, messages, baseline reasons) made inert for
each place it is shown: one function per output context, and nowhere else.

Account data and baseline entries are attacker-controlled: whoever can name a role or open a
pull request writes them. Each function here escapes for one context only; a reporter picks the
one for its format, and no writer puts outside text into an output any other way:

==========================================  ==================================================
output                                      function
==========================================  ==================================================
terminal and CI log (stdout, stderr)        :func:`terminal`
markdown inline text, markdown table cell   :func:`markdown_text`, :func:`markdown_cell`
HTML (``report.html``, Jinja2 autoescape)   :func:`html_text` (then autoescape)
XML (``junit.xml``, the badge's SVG)        :func:`xml_text`, :func:`xml_attr`
CSV (``results.csv``)                       :func:`csv_cell` (then the csv module's quoting)
workflow commands (annotations, lint)       :func:`workflow_command`
GitHub step outputs (``$GITHUB_OUTPUT``)    :func:`github_output`
==========================================  ==================================================

JSON outputs (``results.json``, the badge's endpoint, the history) are written by ``json``,
whose escaping is complete on its own. The pull-request comment of the baseline review is the
review's markdown.

GitHub's runner reads a workflow command from any line of a step's output that starts with
``::`` once leading whitespace is trimmed (``ActionCommand.TryParseV2``), and from ``##[``
*anywhere* in a line (the legacy ``ActionCommand.TryParse``), for every registered command
(``error``, ``add-mask``, ``set-output``, ``stop-commands``, ...). So text printed to stdout or
stderr must never bring its own line break, and never carry ``##[`` or a leading ``::``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LEGACY_COMMAND = "##["  # the runner's legacy command prefix: matched anywhere in a line


def terminal(value: object) -> str:
    """One line of text that is inert on a terminal and in a CI log: the one function every
    message carrying account or baseline text goes through before it is printed.

    Every character that is not printable (line breaks of any kind, control and format
    characters, bidirectional overrides, lone surrogates, which could not even be encoded) is
    written as its Python escape (``\\n``, ``\\x1b``, ``\\u202e``, ``\\ud800``); ``##[`` becomes
    ``#\\x23[``; and a ``:`` that would start the line as ``::`` becomes ``\\x3a``. Printable
    text, the common case, is returned as it is.
    """
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = "".join(
            ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode()
            for ch in text
        )
    if _LEGACY_COMMAND in text:
        text = text.replace(_LEGACY_COMMAND, "#\\x23[")
    start = len(text) - len(text.lstrip())
    if text.startswith("::", start):
        text = f"{text[:start]}\\x3a{text[start + 1 :]}"
    return text


# --- markdown (summary.md, the step summary, the baseline review and its pull-request comment) -

# Markdown is printed to the terminal too (the summary of scan, the review), so text is escaped
# only where GitHub's renderer (CommonMark + GFM, https://github.github.com/gfm/) would read it
# as markup; an ARN stays readable. A backslash before ASCII punctuation makes it literal
# (https://spec.commonmark.org/0.31.2/#backslash-escapes). Escaped anywhere in a line: the
# escape itself, code spans, emphasis and strikethrough, links and images (and footnotes, task
# boxes), raw HTML and <autolinks>, entity references, table pipes, and GitHub's math ($).
# GFM's extended autolinks (https://github.github.com/gfm/#autolinks-extension-) start at
# "www." and "scheme://": the "." and the ":" there are escaped.
_MD_INLINE = re.compile(r"[\\`*_~\[\]<>&|$]|(?i:(?<=www)\.)|:(?=//)")
# What starts a block when it starts the text (a list item's text, a paragraph): a heading, a
# quote, a list marker, a setext underline.
_MD_BLOCK = re.compile(r"^[#>+=-]|^(\d{1,9})([.)])")
# An e-mail autolink is found after the escapes are read (an escaped "@" is still linked) and
# GitHub turns "@name" into a mention that notifies: a WORD JOINER (U+2060, invisible, no
# width) after every "@" breaks both.
_AT_JOINED = "@\u2060"
MAX_CELL = 300


def _block_start(found: re.Match[str]) -> str:
    return f"{found.group(1)}\\{found.group(2)}" if found.group(1) else f"\\{found.group(0)}"


def markdown_text(value: object) -> str:
    """Text that renders as exactly itself in GitHub markdown (CommonMark + GFM), inline: in a
    paragraph, a list item, bold, or a table cell. One line; never an image, a link, an
    autolink or mention, HTML, a heading, a table break, emphasis or math; non-printable
    characters shown as their escapes (:func:`terminal`: the line is inert in a CI log too)."""
    text = " ".join(str(value).split())
    if not text.isprintable():
        text = terminal(text)
    text = _MD_BLOCK.sub(_block_start, _MD_INLINE.sub(r"\\\g<0>", text), count=1)
    return text.replace("@", _AT_JOINED) if "@" in text else text


def markdown_cell(value: object) -> str:
    """:func:`markdown_text` for a GFM table cell, cut to ``MAX_CELL`` characters (a reason
    of a megabyte must not make the summary exceed GitHub's 1 MiB limit)."""
    text = " ".join(str(value).split())
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return markdown_text(text)


# --- HTML (report.html, through Jinja2's autoescape) and XML (JUnit, the badge's SVG) ----------

# C0/C1 control characters (but tab and newline) and lone surrogates: shown as U+FFFD.
_HTML_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def html_text(value: str) -> str:
    """Text for report.html before Jinja2 escapes it (its ``finalize`` hook): what a browser
    cannot show, or shows as something else, visibly replaced. Escaping is autoescape's."""
    return value if value.isprintable() else _HTML_CONTROL.sub("\ufffd", value)


# Characters XML 1.0 cannot carry, even escaped (control characters, surrogates), and the
# "discouraged" ones (C1 controls, noncharacters) that some readers reject. Visibly replaced, not
# dropped: a resource name must not silently become another one.
_ILLEGAL_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufddf"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}-{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)

# ElementTree's escaping of text and of attribute values (the JUnit golden files are its bytes).
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#09;",
    }
)


def xml_attr(value: str) -> str:
    """A double-quoted XML attribute value."""
    # Most values hold nothing to strip (printable: no control character, surrogate or
    # noncharacter) and are escaped by a few C-level replaces; translate() and the character
    # class of _ILLEGAL_XML are slow on long non-ASCII text (every escalation path has arrows).
    # Four ``in`` tests (C-level searches) cost half of a regex search.
    if value.isprintable():
        if not ("&" in value or "<" in value or ">" in value or '"' in value):
            return value
        return (
            value.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
        )
    return _ILLEGAL_XML.sub("\ufffd", value).translate(_XML_ATTR)


def xml_text(value: str) -> str:
    """XML character data (an element's text)."""
    if value.isprintable():
        if not ("&" in value or "<" in value or ">" in value):
            return value
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL_XML.sub("\ufffd", value).translate(_XML_TEXT)


# --- GitHub Actions: workflow commands (annotations) and step outputs --------------------------


def workflow_data(value: str) -> str:
    """A GitHub workflow command's message (what follows the second ``::``)."""
    if not value.isascii():  # a lone surrogate (e.g. from a file name) cannot be printed
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: str) -> str:
    """A GitHub workflow command's property value (``title=...``): also ``:`` and ``,``."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, **properties: str) -> str:
    """``::kind prop=value,...::message``, every part escaped."""
    props = ",".join(f"{k}={workflow_property(v)}" for k, v in properties.items())
    return f"::{kind}{' ' + props if props else ''}::{workflow_data(message)}"


def github_output(key: str, value: object) -> str:
    """A ``key=value`` line for ``$GITHUB_OUTPUT``: one line, since a line break in the value
    would start another output (paths come from the workflow's inputs)."""
    return f"{key}={' '.join(str(value).splitlines())}"


# --- CSV (results.csv) ------------------------------------------------------------------------


def csv_cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula (CSV injection): prefix it with ``'``."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


MAX_SARIF_TEXT = 1000


def sarif_text(value: object, limit: int = MAX_SARIF_TEXT) -> str:
    """A SARIF ``message.text`` (or a suppression's justification) that shows as the text it is.

    Plain text, one line: every character that is not printable is written as its escape (as
    :func:`terminal` does), and ``\\``, ``[`` and ``]`` are escaped as SARIF 2.1.0 §3.11.6 asks,
    so a name such as ``[x](1)`` is not read as an embedded link. At most ``limit`` characters
    (GitHub stores the whole upload; a name cannot blow it up)."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():
        text = "".join(
            ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode()
            for ch in text
        )
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# --- one report's repeated values ------------------------------------------------------------

# Values a report keeps escaped: enough for every resource of a large account (a resource has a
# result per check, checks come one after another), few enough to stay a few tens of MB.
MEMO_LIMIT = 1 << 18


class Memo(dict[str, str]):
    """``memo[value]``: ``escape(value)``, worked out once per distinct value while one report is
    made (a resource has a result per check, many messages repeat). Cleared when it holds
    ``limit`` values, so its memory stays bounded whatever the account's size. ``escape`` must
    be a pure function of its argument: the report's bytes are the same as without it."""

    __slots__ = ("_escape", "_limit")

    def __init__(self, escape: Callable[[str], str], limit: int = MEMO_LIMIT) -> None:
        super().__init__()
        self._escape, self._limit = escape, limit

    def __missing__(self, value: str) -> str:
        if len(self) >= self._limit:
            self.clear()
        made = self[value] = self._escape(value)
        return made
