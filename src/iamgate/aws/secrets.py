"""Credentials kept out of every message: no botocore here, so that printing an error (the CLI's
one error handler) does not cost importing the AWS SDK."""

from __future__ import annotations

import os
import re

# The credentials' secret parts. botocore puts a header value it cannot send (a session token
# pasted with a trailing newline) into its error text; nothing iamgate prints or writes may
# carry them.
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
# Shaped like one, whoever's it is: a secret access key is 40 characters of base64 (both cases),
# a session token hundreds. Hex (a commit id, a hash) has no upper case and is left alone.
_SECRET_SHAPES = re.compile(
    r"(?<![A-Za-z0-9/+=])"
    r"(?:(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])[A-Za-z0-9/+]{40}"
    r"(?![A-Za-z0-9/+=])|[A-Za-z0-9/+=]{100,})"
)
REDACTED = "[secret redacted]"


def _path_like(token: str) -> bool:
    """A file path has the same alphabet (``/`` is base64): ``tmp.UHDOzUQrPD/tests/data/bad/x``
    or ``home/runner/work/Org/Repo/baselines`` are 40 characters of it. Two or more slashes
    with a lower-case word between them is a path; a secret key rarely has two slashes, and
    then almost never an all-lower-case piece of three letters or more."""
    parts = token.split("/")
    return len(parts) >= 3 and any(
        len(part) >= 3 and part.isalpha() and part.islower() for part in parts
    )


def _redact(match: re.Match[str]) -> str:
    token = match.group(0)
    return token if _path_like(token) else REDACTED


def scrub(text: str) -> str:
    """``text`` without the values of the credential variables (as given, and stripped of the
    whitespace a paste brings along) and without anything shaped like a secret key or token."""
    for name in SECRET_VARIABLES:
        value = os.environ.get(name) or ""
        for form in sorted({value, value.strip()}, key=len, reverse=True):
            if len(form) >= 8:
                text = text.replace(form, REDACTED)
    return _SECRET_SHAPES.sub(_redact, text)
