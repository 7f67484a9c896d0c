"""Text from outside (names, tags, policy contents, messages, baseline reasons) made inert for
each place it is shown: one function per output context, and nowhere else.

Account data and baseline entries are attacker-controlled: whoever can name a role or open a
pull request writes them. Each function here escapes for one context only; a reporter picks the
one for its format.

GitHub's runner reads a workflow command from any line of a step's output that starts with
``::`` once leading whitespace is trimmed (``ActionCommand.TryParseV2``), and from ``##[``
*anywhere* in a line (the legacy ``ActionCommand.TryParse``), for every registered command
(``error``, ``add-mask``, ``set-output``, ``stop-commands``, ...). So text printed to stdout or
stderr must never bring its own line break, and never carry ``##[`` or a leading ``::``.
"""

from __future__ import annotations

MAX_CELL = 300
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


def markdown_cell(value: object) -> str:
    """Safe inside a GitHub markdown table cell: one line, no pipes, no raw HTML."""
    text = " ".join(str(value).split())
    text = "".join(ch for ch in text if ch.isprintable())
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("`", "'")
        # Printed to stdout too (the summary, the review): no legacy workflow command. In
        # markdown ``\\#`` shows as ``#``.
        .replace(_LEGACY_COMMAND, "#\\#[")
    )


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
