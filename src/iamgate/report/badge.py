"""The status badge: a shields.io endpoint JSON and a self-contained flat SVG.

The message says only what the gate decided: "passing", "passing, N expiring", "N new findings"
(blocking new and expired findings), or "error" when the gate could not see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from iamgate.model.results import Verdict
from iamgate.text import xml_attr, xml_text

LABEL = "IAM compliance"
# shields.io's named colours, and the hex values its flat style uses for them.
_HEX = {
    "brightgreen": "#4c1",
    "yellow": "#dfb317",
    "red": "#e05d44",
    "lightgrey": "#9f9f9f",
}


@dataclass(frozen=True, slots=True)
class Badge:
    label: str
    message: str
    color: str  # a shields.io named colour (a key of _HEX)


def badge_for(verdict: Verdict) -> Badge:
    status = verdict.status
    if status == "fail":
        n = len(verdict.blocking)
        return Badge(LABEL, f"{n} new finding{'s' if n != 1 else ''}", "red")
    if status == "error":
        return Badge(LABEL, "error", "lightgrey")
    expiring = len(verdict.expiring())
    if expiring:
        return Badge(LABEL, f"passing, {expiring} expiring", "yellow")
    return Badge(LABEL, "passing", "brightgreen")


def render_badge_json(verdict: Verdict) -> str:
    b = badge_for(verdict)
    data = {"schemaVersion": 1, "label": b.label, "message": b.message, "color": b.color}
    return json.dumps(data, indent=2) + "\n"


def _text_width(text: str) -> int:
    """Approximate width in pixels of ``text`` in 11px Verdana (what shields.io uses).

    Narrow and wide glyphs are told apart so that the badge neither clips nor gapes; an exact
    metric would need the font file.
    """
    width = 0.0
    for ch in text:
        if ch in "ijlI.,:;!|' ":
            width += 3.5
        elif ch in "mwMW":
            width += 10.0
        elif ch.isupper() or ch.isdigit():
            width += 7.5
        else:
            width += 6.6
    return round(width)


def render_badge_svg(verdict: Verdict) -> str:
    b = badge_for(verdict)
    pad = 10
    left = _text_width(b.label) + pad
    right = _text_width(b.message) + pad
    total = left + right
    color = _HEX[b.color]
    label, message = xml_text(b.label), xml_text(b.message)
    title = xml_text(f"{b.label}: {b.message}")
    aria = xml_attr(f"{b.label}: {b.message}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{aria}">\n'
        f"  <title>{title}</title>\n"
        '  <linearGradient id="s" x2="0" y2="100%">\n'
        '    <stop offset="0" stop-color="#bbb" stop-opacity=".1"/>\n'
        '    <stop offset="1" stop-opacity=".1"/>\n'
        "  </linearGradient>\n"
        f'  <clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>\n'
        '  <g clip-path="url(#r)">\n'
        f'    <rect width="{left}" height="20" fill="#555"/>\n'
        f'    <rect x="{left}" width="{right}" height="20" fill="{color}"/>\n'
        f'    <rect width="{total}" height="20" fill="url(#s)"/>\n'
        "  </g>\n"
        '  <g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\n'
        f'    <text x="{left / 2:g}" y="15" fill="#010101" fill-opacity=".3">{label}</text>\n'
        f'    <text x="{left / 2:g}" y="14">{label}</text>\n'
        f'    <text x="{left + right / 2:g}" y="15" fill="#010101" fill-opacity=".3">'
        f"{message}</text>\n"
        f'    <text x="{left + right / 2:g}" y="14">{message}</text>\n'
        "  </g>\n"
        "</svg>\n"
    )
