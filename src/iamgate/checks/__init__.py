"""The check catalogue: one registry, one module per theme. Importing this package registers
every check, in catalogue order."""

from __future__ import annotations

from collections.abc import Iterable

# Registration order is catalogue order.
from iamgate.checks import access, password, root, users  # noqa: F401

# isort: off
from iamgate.checks import privilege, trust, analyzer, monitoring, alarms  # noqa: F401

# isort: on
from iamgate.checks.registry import REGISTRY, Check, CheckMeta, Outcome
from iamgate.checks.runner import run_checks
from iamgate.errors import InputError
from iamgate.model.results import CheckInfo

__all__ = ["REGISTRY", "Check", "CheckMeta", "Outcome", "catalogue", "run_checks", "select_checks"]


def catalogue() -> dict[str, CheckInfo]:
    """What the gate, the baseline rules and the reports need to know of every check, by id."""
    return {cid: c.info for cid, c in REGISTRY.items()}


def select_checks(include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
    """Check ids to run, in catalogue order. Unknown ids are bad input, never ignored."""
    include, exclude = list(include), list(exclude)
    unknown = sorted({c for c in include + exclude if c not in REGISTRY})
    if unknown:
        raise InputError(
            f"unknown check id(s): {', '.join(unknown)} (see `iamgate checks`)",
            "--checks/--skip-checks",
        )
    chosen = include or list(REGISTRY)
    return [c for c in REGISTRY if c in chosen and c not in exclude]
