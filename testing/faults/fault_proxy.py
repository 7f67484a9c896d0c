"""A fault-injecting HTTP proxy on 127.0.0.1 in front of moto's server.

The CLI under test only knows ``AWS_ENDPOINT_URL`` (this proxy). Each request is named by its
operation: the ``Action=`` form field for query-protocol services (IAM, STS), the
``X-Amz-Target`` header for JSON ones, else ``METHOD /path`` for REST ones. A per-test rule set
says which operations get which fault and how many times; everything else is forwarded.

Besides errors, resets and timeouts, it damages successful answers the way a broken or hostile
endpoint would: bodies cut short or empty, items of the wrong type, credential reports that are
stale or carry impossible dates, and pagination markers that cycle (A, B, A, B, ...), never end,
or are missing from a page that says it is truncated. Where it needs to know an operation's
pagination tokens or list members, it reads them from botocore's models, so a fault fits the
real API.
"""

from __future__ import annotations

import base64
import functools
import http.client
import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

QUERY_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


@dataclass
class Rule:
    operation: str
    fault: str
    times: int | None = None  # None: every time
    hits: int = 0

    def take(self) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        return True


def _error_xml(code: str, message: str, kind: str = "Sender") -> bytes:
    return (
        f'<ErrorResponse xmlns="{QUERY_NS}"><Error><Type>{kind}</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
    ).encode()


# fault -> (HTTP status, error code) for the faults that are a canned error answer.
ERRORS = {
    "denied": (403, "AccessDenied"),
    "unauthorized": (403, "UnauthorizedOperation"),
    "expired": (403, "ExpiredToken"),
    "throttle": (400, "Throttling"),
    "5xx": (503, "ServiceUnavailable"),
}


class FaultProxy:
    def __init__(self, upstream: str, read_timeout: float = 1.0) -> None:
        self.upstream = urlsplit(upstream)
        self.read_timeout = read_timeout
        self.rules: list[Rule] = []
        self.seen: Counter[str] = Counter()
        self._first_pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                proxy.handle(self)

            do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def set(self, *rules: Rule) -> None:
        with self._lock:
            self.rules = list(rules)
            self.seen.clear()
            self._first_pages.clear()

    # --- request handling ---------------------------------------------------------------------

    @staticmethod
    def operation(handler: BaseHTTPRequestHandler, body: bytes) -> str:
        target = handler.headers.get("X-Amz-Target")
        if target:  # JSON protocol (CloudTrail, Logs, Organizations, ...)
            return target.rsplit(".", 1)[-1]
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        query = parse_qs(urlsplit(handler.path).query)
        action = (form.get("Action") or query.get("Action") or [None])[0]
        if action:  # query protocol (IAM, STS, CloudWatch)
            return action
        # REST protocol (Access Analyzer): the service is in the signature's credential scope.
        scope = re.search(
            r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", handler.headers.get("Authorization", "")
        )
        path = urlsplit(handler.path).path
        return rest_operation(scope.group(1) if scope else "", handler.command, path)

    def _rule_for(self, op: str) -> Rule | None:
        with self._lock:
            self.seen[op] += 1
            for rule in self.rules:
                if rule.operation == op and rule.take():
                    return rule
        return None

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        op = self.operation(h, body)
        rule = self._rule_for(op)
        fault = rule.fault if rule else None
        if fault in ERRORS:
            status, code = ERRORS[fault]
            message = f"injected {fault} for {op}"
            if h.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                self._send(h, status, _error_xml(code, message))
            else:  # JSON and REST-JSON services read the error from the body or this header
                data = json.dumps({"__type": code, "message": message}).encode()
                kind = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
                self._send(h, status, data, kind)
        elif fault == "reset":
            self._reset(h)
        elif fault == "timeout":
            time.sleep(self.read_timeout + 0.2)
            self._reset(h)
        elif fault == "empty-page":
            self._paginate(h, op, body)
        elif fault in MARKER_FAULTS:
            self._bad_markers(h, op, body, fault)
        else:
            status, headers, data = self._forward(h, body)
            if fault is not None and status == 200:
                data = mangle(fault, op, data)
            self._send(h, status, data, headers)

    def _forward(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(
            self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=30
        )
        try:
            headers = {k: v for k, v in h.headers.items() if k.lower() != "host"}
            headers["Host"] = self.upstream.netloc
            conn.request(h.command, h.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            kept = {
                k: v
                for k, v in resp.getheaders()
                if k.lower() not in ("content-length", "transfer-encoding", "connection")
            }
            return resp.status, kept, data
        finally:
            conn.close()

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str] | None = None
    ) -> None:
        h.send_response(status)
        for k, v in (headers or {"Content-Type": "text/xml"}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        # SO_LINGER 0: close with a TCP RST, what a dropped connection looks like to the client.
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        h.connection.close()

    def _paginate(self, h: BaseHTTPRequestHandler, op: str, body: bytes) -> None:
        """Split the answer into three pages, the middle one empty: real, empty, empty-last.

        moto never paginates, so the proxy does: page 1 is moto's answer marked truncated, page 2
        is empty and truncated, page 3 is empty and final.
        """
        form = parse_qs(body.decode())
        marker = (form.get("Marker") or [None])[0]
        if marker is None:
            status, headers, data = self._forward(h, body)
            data = _set_truncated(data, "iamgate-fault-page-2")
        else:
            status, headers = 200, {"Content-Type": "text/xml"}
            nxt = "iamgate-fault-page-3" if marker == "iamgate-fault-page-2" else None
            data = _empty_page(op, nxt)
        self._send(h, status, data, headers)

    def _bad_markers(self, h: BaseHTTPRequestHandler, op: str, body: bytes, fault: str) -> None:
        """Pagination that never ends well. The first page is moto's answer; every later page
        repeats it with a new marker: ``marker-cycle`` A, B, A, B, ...; ``marker-endless`` 1, 2,
        3, ... (never the same twice); ``truncated-no-marker`` says "truncated" and gives no
        marker at all."""
        service = _signing_service(h)
        config = _pagination(service, op)
        if config is None:
            raise ValueError(f"{op} is not a paginated operation of {service!r}")
        token = _request_token(h, body, config["input_token"])
        with self._lock:
            first = self._first_pages.get(op)
        if token is None or first is None:
            first = self._forward(h, body)
            with self._lock:
                self._first_pages[op] = first
        status, headers, data = first
        n = int(token.rsplit("-", 1)[-1]) if token and token[-1].isdigit() else 0
        if fault == "marker-cycle":
            marker: str | None = f"iamgate-cycle-{n % 2 + 1}"
        elif fault == "marker-endless":
            marker = f"iamgate-endless-{n + 1}"
        else:
            marker = None
        self._send(h, status, _with_marker(data, config, marker), headers)


@functools.cache
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], str]]:
    import botocore.session

    session = botocore.session.get_session()
    # The signing name may differ from the model's name (access-analyzer / accessanalyzer).
    names = {
        n for n in session.get_available_services() if n in (service, service.replace("-", ""))
    }
    if not names:
        return []
    model = session.get_service_model(names.pop())
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http.get("requestUri", "/").split("?")[0]
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(uri))
        routes.append((http.get("method", "POST"), re.compile(f"^{pattern}$"), name))
    return routes


def rest_operation(service: str, method: str, path: str) -> str:
    """Name a REST call by the botocore model of the service that signed it."""
    for verb, pattern, name in _rest_routes(service):
        if verb == method and pattern.match(path):
            return name
    return f"{method} {path}"


MARKER_FAULTS = ("marker-cycle", "marker-endless", "truncated-no-marker")


def _signing_service(h: BaseHTTPRequestHandler) -> str:
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", h.headers.get("Authorization", ""))
    return scope.group(1) if scope else ""


# Signing names that differ from botocore's model names.
_MODEL_NAMES = {"monitoring": "cloudwatch", "access-analyzer": "accessanalyzer"}


@functools.cache
def _botocore_name(service: str) -> str | None:
    import botocore.session

    names = botocore.session.get_session().get_available_services()
    wanted = _MODEL_NAMES.get(service, service)
    return wanted if wanted in names else None


@functools.cache
def _pagination(service: str, op: str) -> dict[str, Any] | None:
    """botocore's paginator config of ``op`` (input/output token, more-results flag)."""
    import botocore.session

    name = _botocore_name(service)
    if name is None:
        return None
    try:
        config = botocore.session.get_session().get_paginator_model(name).get_paginator(op)
    except ValueError:
        return None
    return dict(config)


def _request_token(h: BaseHTTPRequestHandler, body: bytes, name: str) -> str | None:
    """The pagination token a request carries: a form field, a query parameter, or a member
    of a JSON body."""
    if body[:1] == b"{":
        value = json.loads(body).get(name)
        return str(value) if value else None
    form = parse_qs(body.decode("utf-8", "replace")) if body else {}
    query = parse_qs(urlsplit(h.path).query)
    found = (form.get(name) or query.get(name) or [None])[0]
    return found or None


def _with_marker(data: bytes, config: dict[str, Any], marker: str | None) -> bytes:
    """The answer with its pagination marker set to ``marker``: with ``IsTruncated`` true,
    and no marker at all when ``marker`` is None."""
    out = config["output_token"]
    if data[:1] == b"{":
        answer = json.loads(data)
        answer.pop(out, None)
        if marker is not None:
            answer[out] = marker
        return json.dumps(answer).encode()
    text = re.sub(rf"<{out}>[^<]*</{out}>", "", data.decode())
    flag = config.get("more_results")
    if flag:
        text = re.sub(rf"<{flag}>\s*\w+\s*</{flag}>", "", text)
    head = f"<{flag}>true</{flag}>" if flag else ""
    head += f"<{out}>{marker}</{out}>" if marker is not None else ""
    return re.sub(r"(<\w+Result>)", rf"\1{head}", text, count=1).encode()


def _set_truncated(data: bytes, marker: str) -> bytes:
    text = data.decode()
    text = re.sub(r"<IsTruncated>\s*false\s*</IsTruncated>", "", text)
    text = re.sub(r"<Marker>[^<]*</Marker>", "", text)
    return re.sub(
        r"(<\w+Result>)",
        rf"\1<IsTruncated>true</IsTruncated><Marker>{marker}</Marker>",
        text,
        count=1,
    ).encode()


def _empty_page(op: str, marker: str | None) -> bytes:
    """An empty IAM page as AWS writes one: every result list present, and empty."""
    more = (
        f"<IsTruncated>true</IsTruncated><Marker>{marker}</Marker>"
        if marker
        else "<IsTruncated>false</IsTruncated>"
    )
    config = _pagination("iam", op) or {}
    keys = config.get("result_key") or []
    lists = "".join(f"<{k}/>" for k in ([keys] if isinstance(keys, str) else keys))
    return (
        f'<{op}Response xmlns="{QUERY_NS}"><{op}Result>{lists}{more}</{op}Result>'
        f"<ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></{op}Response>"
    ).encode()


def mangle(fault: str, op: str, data: bytes) -> bytes:
    """Damage a successful answer's body."""
    if fault == "truncated":
        return data[: max(1, len(data) // 2)]
    if fault == "empty-body":  # a 200 with nothing in it
        return b""
    if fault == "empty-object":  # a JSON answer that is valid and says nothing: ``{}``
        return b"{}"
    if fault == "item-not-object":
        # Every object in the answer's lists becomes a string (JSON services).
        answer = json.loads(data)
        for key, value in answer.items():
            if isinstance(value, list):
                answer[key] = ["not-an-object" if isinstance(v, dict) else v for v in value]
        return json.dumps(answer).encode()
    if fault.startswith("csv-"):
        return re.sub(
            r"<Content>([^<]*)</Content>",
            lambda m: f"<Content>{_report(fault, m.group(1))}</Content>",
            data.decode(),
        ).encode()
    if fault == "report-generated-4h-ago":
        stamp = (datetime.now(UTC) - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return re.sub(
            r"<GeneratedTime>[^<]*</GeneratedTime>",
            f"<GeneratedTime>{stamp}</GeneratedTime>",
            data.decode(),
        ).encode()
    if fault == "report-generated-in-future":
        stamp = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return re.sub(
            r"<GeneratedTime>[^<]*</GeneratedTime>",
            f"<GeneratedTime>{stamp}</GeneratedTime>",
            data.decode(),
        ).encode()
    if fault == "policy-not-json":
        # Every policy document (URL-encoded JSON) replaced by text that is not JSON.
        return re.sub(
            r"<(Document|PolicyDocument|AssumeRolePolicyDocument)>[^<]*</\1>",
            r"<\1>%7B%22Version%22%3A%20not-json</\1>",
            data.decode(),
        ).encode()
    raise ValueError(f"unknown fault {fault!r} for {op}")


# The user whose row the credential-report faults drop or damage (the seeded account's).
REPORT_USER = "alice"


def _report(fault: str, content: str) -> str:
    """The credential report (base64 CSV in ``<Content>``), damaged.

    ``csv-cut``: cut in the middle of its last row. ``csv-drop-user``: without REPORT_USER's
    row (a user created after the report was generated: AWS reuses a report for up to four
    hours). ``csv-extra-user``: with a row for a user that does not exist (one deleted since).
    ``csv-future-dates``: REPORT_USER's last-use and rotation dates two years ahead.
    """
    csv = base64.b64decode(content).decode("utf-8")
    lines = csv.splitlines(keepends=True)
    if fault == "csv-cut":
        last_row = csv.rstrip("\n").rfind("\n")
        csv = csv[: last_row + 1 + (len(csv) - last_row) // 3]
    elif fault == "csv-drop-user":
        csv = "".join(line for line in lines if not line.startswith(f"{REPORT_USER},"))
    elif fault == "csv-extra-user":
        mine = next(line for line in lines if line.startswith(f"{REPORT_USER},"))
        ghost = mine.replace(f"{REPORT_USER},", "ghost,", 1).replace(
            f":user/{REPORT_USER},", ":user/ghost,", 1
        )
        csv = "".join(lines) + ("" if csv.endswith("\n") else "\n") + ghost
    elif fault == "csv-future-dates":
        future = (datetime.now(UTC) + timedelta(days=730)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        out = []
        for line in lines:
            if line.startswith(f"{REPORT_USER},"):
                line = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", future, line)
            out.append(line)
        csv = "".join(out)
    else:
        raise ValueError(f"unknown credential report fault {fault!r}")
    return base64.b64encode(csv.encode("utf-8")).decode()
