"""IAM Access Analyzer for the stand-in account: moto does not serve it, so a thin WSGI layer
in front of moto's app answers its REST routes with canned bodies.

Requests are recognised by the SigV4 credential scope in ``Authorization``
(``.../<region>/access-analyzer/aws4_request``: botocore signs Access Analyzer as
``access-analyzer``), since every service shares the one ``AWS_ENDPOINT_URL``. Routes:
``GET /analyzer`` (ListAnalyzers), ``POST /findingv2`` (ListFindingsV2), ``GET /findingv2/{id}``
(GetFindingV2). Every canned body is parsed with botocore's rest-json parser and validated
against the real service model when it is set, so it cannot drift from the API. Everything else
goes to moto untouched.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/access-analyzer/aws4_request")
PAGE_SIZE = 2  # small on purpose: the collector's pagination is exercised end to end

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class ModelMismatch(ValueError):
    """A canned body does not fit botocore's service model."""


@cache
def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("accessanalyzer")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"not JSON: {value!r}")


def validate_output(operation: str, body: dict[str, Any]) -> None:
    """Parse ``body`` as botocore would and validate it against the operation's output shape."""
    from botocore.parsers import RestJSONParser
    from botocore.validate import ParamValidator

    shape = _model().operation_model(operation).output_shape
    raw = json.dumps(body, default=_json_default).encode()
    parsed = RestJSONParser().parse({"body": raw, "headers": {}, "status_code": 200}, shape)
    parsed.pop("ResponseMetadata", None)
    report = ParamValidator().validate(parsed, shape)
    if report.has_errors():
        raise ModelMismatch(f"{operation} body does not fit the model: {report.generate_report()}")
    unknown = set(body) - set(shape.members)
    if unknown:
        raise ModelMismatch(f"{operation} body has member(s) not in the model: {sorted(unknown)}")


def analyzer(
    region: str,
    name: str = "account-analyzer",
    type: str = "ACCOUNT",
    status: str = "ACTIVE",
    account: str = "123456789012",
) -> dict[str, Any]:
    return {
        "arn": f"arn:aws:access-analyzer:{region}:{account}:analyzer/{name}",
        "name": name,
        "type": type,
        "status": status,
        "createdAt": "2026-01-01T00:00:00Z",
    }


def external_finding(
    finding_id: str,
    resource: str,
    resource_type: str,
    principal: dict[str, str],
    actions: list[str],
    is_public: bool,
    account: str = "123456789012",
) -> dict[str, Any]:
    """A GetFindingV2 body for an external-access finding."""
    return {
        "id": finding_id,
        "resource": resource,
        "resourceType": resource_type,
        "resourceOwnerAccount": account,
        "status": "ACTIVE",
        "findingType": "ExternalAccess",
        "createdAt": "2026-10-01T00:00:00Z",
        "analyzedAt": "2026-10-01T00:00:00Z",
        "updatedAt": "2026-10-01T00:00:00Z",
        "findingDetails": [
            {
                "externalAccessDetails": {
                    "action": actions,
                    "condition": {},
                    "isPublic": is_public,
                    "principal": principal,
                }
            }
        ],
    }


def unused_finding(
    finding_id: str,
    resource: str,
    resource_type: str,
    finding_type: str = "UnusedIAMRole",
    account: str = "123456789012",
) -> dict[str, Any]:
    details_by_type: dict[str, dict[str, Any]] = {
        "UnusedIAMRole": {"unusedIamRoleDetails": {"lastAccessed": "2026-01-01T00:00:00Z"}},
        "UnusedIAMUserAccessKey": {"unusedIamUserAccessKeyDetails": {"accessKeyId": "AKIAEXAMPLE"}},
        "UnusedIAMUserPassword": {"unusedIamUserPasswordDetails": {}},
        "UnusedPermission": {"unusedPermissionDetails": {"serviceNamespace": "s3", "actions": []}},
    }
    details = details_by_type[finding_type]
    return {
        "id": finding_id,
        "resource": resource,
        "resourceType": resource_type,
        "resourceOwnerAccount": account,
        "status": "ACTIVE",
        "findingType": finding_type,
        "createdAt": "2026-10-01T00:00:00Z",
        "analyzedAt": "2026-10-01T00:00:00Z",
        "updatedAt": "2026-10-01T00:00:00Z",
        "findingDetails": [details],
    }


_SUMMARY_KEYS = (
    "analyzedAt",
    "createdAt",
    "error",
    "id",
    "resource",
    "resourceType",
    "resourceOwnerAccount",
    "status",
    "updatedAt",
    "findingType",
)


class AnalyzerState:
    """Canned Access Analyzer data per region; regions never set answer with no analyzers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._analyzers: dict[str, list[dict[str, Any]]] = {}
        self._findings: dict[str, dict[str, list[dict[str, Any]]]] = {}  # region -> arn -> [...]
        self._denied: set[str] = set()

    def set(
        self,
        region: str,
        analyzers: list[dict[str, Any]],
        findings: dict[str, list[dict[str, Any]]] | None = None,
        denied: bool = False,
    ) -> None:
        """``findings`` maps an analyzer ARN to GetFindingV2 bodies of its ACTIVE findings."""
        validate_output("ListAnalyzers", {"analyzers": analyzers})
        for items in (findings or {}).values():
            validate_output("ListFindingsV2", {"findings": [_summary(f) for f in items]})
            for item in items:
                validate_output("GetFindingV2", item)
        with self._lock:
            self._analyzers[region] = list(analyzers)
            self._findings[region] = {k: list(v) for k, v in (findings or {}).items()}
            if denied:
                self._denied.add(region)
            else:
                self._denied.discard(region)

    def clear(self) -> None:
        with self._lock:
            self._analyzers.clear()
            self._findings.clear()
            self._denied.clear()

    def answer(self, region: str, method: str, path: str, body: bytes, query: str) -> Any:
        """(status, payload) for one request."""
        with self._lock:
            if region in self._denied:
                return 403, {
                    "message": f"not authorized to perform access-analyzer actions in {region}"
                }
            analyzers = self._analyzers.get(region, [])
            findings = self._findings.get(region, {})
        if method == "GET" and path == "/analyzer":
            return 200, _page({"analyzers": analyzers}, "analyzers", query)
        if method == "POST" and path == "/findingv2":
            request = json.loads(body or b"{}")
            items = [_summary(f) for f in findings.get(request.get("analyzerArn", ""), [])]
            token = request.get("nextToken")
            return 200, _page(
                {"findings": items}, "findings", f"nextToken={token}" if token else ""
            )
        if method == "GET" and path.startswith("/findingv2/"):
            wanted = path.rsplit("/", 1)[-1]
            for items in findings.values():
                for f in items:
                    if f["id"] == wanted:
                        return 200, f
            return 404, {"message": f"finding {wanted} not found"}
        return 404, {"message": f"the stand-in does not serve {method} {path}"}


def _summary(finding: dict[str, Any]) -> dict[str, Any]:
    return {k: finding[k] for k in _SUMMARY_KEYS if k in finding}


def _page(body: dict[str, Any], key: str, query: str) -> dict[str, Any]:
    """Serve PAGE_SIZE items per page; the token is the next offset."""
    start = 0
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "nextToken" and value.isdigit():
            start = int(value)
    items = body[key]
    page: dict[str, Any] = {key: items[start : start + PAGE_SIZE]}
    if start + PAGE_SIZE < len(items):
        page["nextToken"] = str(start + PAGE_SIZE)
    return page


def wrap(app: WsgiApp, state: AnalyzerState) -> WsgiApp:
    """Answer Access Analyzer requests from ``state``; pass everything else to ``app``."""

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if found is None:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, payload = state.answer(
            found.group(1),
            environ.get("REQUEST_METHOD", "GET"),
            environ.get("PATH_INFO", ""),
            body,
            environ.get("QUERY_STRING", ""),
        )
        headers = [("Content-Type", "application/json")]
        if status == 403:
            headers.append(("x-amzn-ErrorType", "AccessDeniedException"))
        elif status == 404:
            headers.append(("x-amzn-ErrorType", "ResourceNotFoundException"))
        text = json.dumps(payload, default=_json_default).encode()
        reason = {200: "OK", 403: "Forbidden", 404: "Not Found"}[status]
        start_response(f"{status} {reason}", [*headers, ("Content-Length", str(len(text)))])
        return [text]

    return wrapped
