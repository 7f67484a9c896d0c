"""What a failed AWS call means, said once: the exceptions a call can raise, and the
``CollectionError`` (code, message, and the fix) that every collector records for them."""

from __future__ import annotations

import os
import re

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from iamgate.model.snapshot import CollectionError


class MalformedAnswer(Exception):
    """An answer that parsed but cannot be used: a member the code reads is missing or of the
    wrong type, a body botocore could not make sense of, or pagination that never ends well.
    Raised by the collection guard (``iamgate.collect.source``) before any code reads it."""

    def __init__(self, operation: str, problem: str):
        super().__init__(problem)
        self.operation_name = operation  # as botocore's errors name theirs
        self.problem = problem


# What a failed call can raise. ResponseParserError (a body that is not valid XML/JSON, e.g. cut
# off) is not a BotoCoreError: without it here a truncated answer escaped as an internal error.
CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError, MalformedAnswer)
MALFORMED = "MalformedResponse"
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId"}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}
_UNREACHABLE = {
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
}
_SERVER = {"ServiceUnavailable", "InternalFailure", "ServiceFailure"}


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


def scrub(text: str) -> str:
    """``text`` without the values of the credential variables (as given, and stripped of the
    whitespace a paste brings along) and without anything shaped like a secret key or token."""
    for name in SECRET_VARIABLES:
        value = os.environ.get(name) or ""
        for form in sorted({value, value.strip()}, key=len, reverse=True):
            if len(form) >= 8:
                text = text.replace(form, REDACTED)
    return _SECRET_SHAPES.sub(REDACTED, text)


def hint_for(code: str, permission: str) -> str:
    """The fix for an error ``code`` of a call that needs ``permission``."""
    if code in _DENIED:
        return f"Grant {permission} to the role iamgate runs as (see iam-policy.json)."
    if code in _EXPIRED:
        return "The credentials are expired or invalid: refresh them (or re-assume the role)."
    if code in _THROTTLED:
        return "Throttled past all retries: run again later, or raise [collect] max_attempts."
    if code.startswith("5") or code in _SERVER:
        return "AWS answered with a server error past all retries: run again later."
    if code in _UNREACHABLE:
        return "The endpoint could not be reached: check the network, region and AWS_ENDPOINT_URL."
    if code == MALFORMED:
        return "AWS returned data iamgate could not read: run again; report it if it persists."
    return f"Needs {permission}." if permission else ""


def classify(
    source: str, operation: str, permission: str, region: str, exc: Exception
) -> CollectionError:
    """The collection error for ``exc``, raised by ``operation`` while collecting ``source``."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(
            err.get("Code")
            or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Unknown")
        )
        message = str(err.get("Message") or "no message")
    elif isinstance(exc, MalformedAnswer):
        code, message = MALFORMED, exc.problem
    elif isinstance(exc, ResponseParserError):
        # Its text carries the raw body (account data, possibly huge): keep the first line only.
        code, message = MALFORMED, str(exc).splitlines()[0] if str(exc) else "unreadable"
    else:
        code, message = type(exc).__name__, str(exc)
    message = scrub(message)  # an error may echo a header it could not send: the token
    return CollectionError(source, operation, region, code, message, hint_for(code, permission))


def malformed(
    source: str, operation: str, permission: str, region: str, problem: str
) -> CollectionError:
    """An answer that parsed but does not have the shape iamgate reads."""
    return CollectionError(
        source, operation, region, MALFORMED, problem, hint_for(MALFORMED, permission)
    )
