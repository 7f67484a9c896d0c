"""Text from outside (names, tags, policy contents, messages, baseline reasons) made inert for
each place it is shown: one function per output context, and nowhere else.

Account data and baseline entries are attacker-controlled: whoever can name a role or open a
pull request writes them. Each function here escapes for one context only; a reporter picks the
one for its format.
"""

from __future__ import annotations

MAX_CELL = 300
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    )


def workflow_data(value: str) -> str:
    """A GitHub workflow command's message (what follows the second ``::``)."""
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
