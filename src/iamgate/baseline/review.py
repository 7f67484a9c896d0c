"""The markdown review of a baseline change (``baseline diff``): added, changed and removed
exceptions, and what needs security review first. Every value is made inert for markdown."""

from __future__ import annotations

from collections.abc import Mapping

from iamgate.baseline.diff import Change, Review, needs_review
from iamgate.model.results import CheckInfo
from iamgate.text import markdown_cell as cell
from iamgate.text import markdown_text as text


def _meta(check: str, catalogue: Mapping[str, CheckInfo]) -> tuple[str, str]:
    info = catalogue.get(check)
    return (info.severity.value, info.title) if info else ("?", "(unknown check)")


def _row(c: Change, catalogue: Mapping[str, CheckInfo], detail: bool) -> str:
    e = c.entry
    sev, title = _meta(e.check, catalogue)
    where = f"{c.file}:{e.line}"
    cells = [where, e.check, sev, title, e.resource]
    if detail:
        cells.append("; ".join(c.details))
    else:
        ticket = f" ({e.ticket})" if e.ticket else ""
        cells += [e.owner, f"{e.expires:%Y-%m-%d}", e.reason + ticket]
    return "| " + " | ".join(cell(x) for x in cells) + " |"


def _value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _config(review: Review) -> list[str]:
    """Which configuration judged the head, and what the change does to it."""
    out = [
        f"Judged with the configuration of {cell(review.config_source or 'the defaults')}.",
        "",
    ]
    if not review.config:
        return out
    out += [
        f"### ⚠️ Configuration changed ({len(review.config)})",
        "",
        "| setting | base | head | relaxes the gate |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {cell(c.name)} | {cell(_value(c.old))} | {cell(_value(c.new))} | "
        f"{'⚠️ yes' if c.relaxes else 'no'} |"
        for c in review.config
    ]
    return [*out, ""]


_HEAD = "| where | check | severity | title | resource | owner | expires | reason |"
_SEP = "|---|---|---|---|---|---|---|---|"
_HEAD_CHANGED = "| where | check | severity | title | resource | what changed |"
_SEP_CHANGED = "|---|---|---|---|---|---|"


def render_review(review: Review, catalogue: Mapping[str, CheckInfo]) -> str:
    cs = review.changes
    added = [c for c in cs if c.kind == "added"]
    removed = [c for c in cs if c.kind == "removed"]
    changed = [c for c in cs if c.kind == "changed"]
    out = [
        "## Baseline review (iamgate)",
        "",
        f"Comparing **{cell(review.base_label)}** → **{cell(review.head_label)}** "
        f"({review.files} file{'s' if review.files != 1 else ''}): "
        f"{len(added)} added, {len(changed)} changed, {len(removed)} removed.",
        "",
    ]
    out += _config(review)
    if review.lint:
        out += [
            f"### ❌ Lint: {len(review.lint)} problem{'s' if len(review.lint) != 1 else ''}",
            "",
            *[f"- {text(str(p))}" for p in review.lint],
            "",
        ]
    else:
        out += ["✅ Lint: the changed baselines are valid.", ""]
    # Broad entries accept every resource of a kind, whatever the check's severity.
    review_needed = [
        c
        for c in cs
        if c.loosens and (needs_review(c.entry.check, catalogue) or c.entry.allow_broad)
    ]
    relaxed = [c for c in review.config if c.relaxes]
    if review_needed or relaxed:
        out += [
            "### ⚠️ Needs security review",
            "",
            "These accept more for critical or high-severity checks (root, admin access), "
            "accept every resource of a kind (allow-broad), or relax the configuration:",
            "",
        ]
        for c in review_needed:
            e = c.entry
            sev, title = _meta(e.check, catalogue)
            what = "added" if c.kind == "added" else "; ".join(c.details)
            out.append(
                f"- **{cell(e.check)}** ({sev}: {cell(title)}) on {cell(e.resource)}: "
                f"{cell(what)} ({cell(c.file)}:{e.line})"
            )
        out += [
            f"- **configuration** {cell(c.name)} relaxed: {cell(_value(c.old))} → "
            f"{cell(_value(c.new))}"
            for c in relaxed
        ]
        out.append("")
    if added:
        out += [f"### Added ({len(added)})", "", _HEAD, _SEP]
        out += [_row(c, catalogue, False) for c in added] + [""]
    if changed:
        out += [f"### Changed ({len(changed)})", "", _HEAD_CHANGED, _SEP_CHANGED]
        out += [_row(c, catalogue, True) for c in changed] + [""]
    if removed:
        out += [f"### Removed ({len(removed)})", "", _HEAD, _SEP]
        out += [_row(c, catalogue, False) for c in removed] + [""]
    if not cs:
        out += ["No exception was added, changed or removed.", ""]
    if review.notes:
        out += ["### Notes", "", *[f"- {text(n)}" for n in review.notes], ""]
    return "\n".join(out)
