"""The check catalogue. Importing this package registers every check."""

from __future__ import annotations

from collections.abc import Iterable

# Registration order is catalogue order.
from iamgate.checks import access, password, root, users  # noqa: F401

# isort: off
from iamgate.checks import privilege, trust, analyzer, monitoring  # noqa: F401

# isort: on
from iamgate.checks.registry import REGISTRY, Check, CheckMeta, Context, Outcome, run_checks
from iamgate.errors import InputError

__all__ = ["REGISTRY", "Check", "CheckMeta", "Context", "Outcome", "run_checks", "select_checks"]


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
