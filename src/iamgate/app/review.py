"""The baseline review (``baseline diff``): both sides read, the head judged with the base
branch's configuration, and what the change does to that configuration shown.

Why the base's configuration: ``iamgate.toml`` decides how a baseline is judged (the expiry
horizon) and how much the gate lets through. A pull request that relaxed it beside its baseline
change would otherwise be reviewed by its own rules ("Lint valid" with an expiry its own config
allowed). Judged by the base, the relaxation is itself a change the review shows, called out
where it relaxes, for the same review as the baseline.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from iamgate.baseline.config_review import config_changes
from iamgate.baseline.diff import Review, build_review
from iamgate.baseline.sources import Side, read_at_ref, resolve
from iamgate.checks import catalogue
from iamgate.formats.config_toml import DEFAULT_CONFIG_NAME, load_config, read_config
from iamgate.model.config import Config


def _config_at(side: Side, name: str, working_tree: Path | None) -> tuple[Config, str]:
    """The configuration a side was written with, and where it came from."""
    if side.ref is None:
        config = load_config(working_tree)
        return config, config.source or f"the defaults (no {name})"
    text = read_at_ref(side.ref, name)
    if text is None:
        return Config(), f"the defaults ({name} is not at {side.ref})"
    where = f"{side.ref}:{name}"
    return read_config(text, where), where


def review_change(
    base: str, head: str | None, default_dir: str, config: Path | None, today: date
) -> Review:
    """Compare the baselines of ``base`` and ``head`` (default: the ``default_dir`` directory
    of the working tree), the head judged with the base's configuration."""
    base_side = resolve(base, default_dir)
    head_side = (
        resolve(head, default_dir)
        if head is not None
        else resolve(default_dir, default_dir, explicit_path=True)
    )
    name = str(config) if config is not None else DEFAULT_CONFIG_NAME
    base_config, base_source = _config_at(base_side, name, config)
    if base_side.ref is not None:
        base_source += ", the base's: a change cannot relax its own review"
    head_config, _ = _config_at(head_side, name, config)
    known = catalogue()
    horizon = base_config.baseline.max_expiry_days
    review = build_review(base_side, head_side, known, today, horizon)
    return replace(
        review, config_source=base_source, config=config_changes(base_config, head_config)
    )
