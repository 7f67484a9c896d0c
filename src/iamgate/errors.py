"""Exit codes and the exceptions that map to them.

Every expected failure is one of these; the CLI turns it into one message on stderr and
its exit code, never a traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    PASS = 0
    FAIL = 1  # new non-compliance or an expired exception
    BAD_INPUT = 2  # arguments, configuration, baseline, snapshot or export file
    COLLECT_ERROR = 3  # credentials, permissions, throttling past retries, endpoint
    INTERNAL_ERROR = 4  # a bug in iamgate: never a pass, never mistaken for a finding


class IamgateError(Exception):
    exit_code: ExitCode = ExitCode.INTERNAL_ERROR


class InputError(IamgateError):
    """Bad input. ``source`` is the file (or argument) and ``line`` the 1-based line."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, source: str | None = None, line: int | None = None):
        self.message = message
        self.source = source
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f"{self.source}:{self.line}: " if self.line else f"{self.source}: "
        return f"{where}{self.message}"


class CollectError(IamgateError):
    """Nothing useful could be collected (no credentials, no identity, endpoint down)."""

    exit_code = ExitCode.COLLECT_ERROR


class InternalError(IamgateError):
    """A bug in iamgate (e.g. a check that crashed): exit 4, never a pass or a finding."""

    exit_code = ExitCode.INTERNAL_ERROR
