"""A fault-injecting HTTP proxy on 127.0.0.1 in front of moto's server.

The CLI under test only knows ``AWS_ENDPOINT_URL`` (this proxy). Each request is named by its
operation: the ``Action=`` form field for query-protocol services (IAM, STS), the
``X-Amz-Target`` header for JSON ones, else ``METHOD /path`` for REST ones. A per-test rule set
says which operations get which fault and how many times; everything else is forwarded.
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
    more = (
        f"<IsTruncated>true</IsTruncated><Marker>{marker}</Marker>"
        if marker
        else "<IsTruncated>false</IsTruncated>"
    )
    return (
        f'<{op}Response xmlns="{QUERY_NS}"><{op}Result>{more}</{op}Result>'
        f"<ResponseMetadata><RequestId>fault-proxy</RequestId></ResponseMetadata></{op}Response>"
    ).encode()


def mangle(fault: str, op: str, data: bytes) -> bytes:
    """Damage a successful answer's body."""
    if fault == "truncated":
        return data[: max(1, len(data) // 2)]
    if fault == "csv-cut":
        # The credential report, base64 in <Content>: cut it in the middle of its last row.
        def cut(m: re.Match[str]) -> str:
            csv = base64.b64decode(m.group(1))
            last_row = csv.rstrip(b"\n").rfind(b"\n")
            csv = csv[: last_row + 1 + (len(csv) - last_row) // 3]
            return f"<Content>{base64.b64encode(csv).decode()}</Content>"

        return re.sub(r"<Content>([^<]*)</Content>", cut, data.decode()).encode()
    if fault == "policy-not-json":
        # Every policy document (URL-encoded JSON) replaced by text that is not JSON.
        return re.sub(
            r"<(Document|PolicyDocument|AssumeRolePolicyDocument)>[^<]*</\1>",
            r"<\1>%7B%22Version%22%3A%20not-json</\1>",
            data.decode(),
        ).encode()
    raise ValueError(f"unknown fault {fault!r} for {op}")
