"""What a failed AWS call means, said once: the exceptions a call can raise, and the
``CollectionError`` (code, message, and the fix) that every collector records for them."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from iamgate.aws.secrets import scrub
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
