"""A stand-in AWS account on loopback: moto's server in this process, and what no API can set.

Used by ``iamgate demo``, the tests and the benchmark. The code under test only ever sees an
endpoint (``AWS_ENDPOINT_URL``, or the demo's own options); this module reaches moto's in-memory
backends to set ages and last-used dates (no AWS API can). What moto lacks is added in front of
its WSGI app, for this server's requests only (nothing of moto is patched): the credential
report's ``<root_account>`` row and a true ``GeneratedTime`` (moto's is fixed in 2015), and IAM
Access Analyzer (:mod:`.access_analyzer`).
Requires the ``demo`` extra (moto[server]).
"""

from __future__ import annotations

import base64
import io
import logging
import os
import re
import threading
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_ACCOUNT = "123456789012"
REGION = "us-east-1"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto's conventional fake: not a secret
    "AWS_DEFAULT_REGION": REGION,
}
_CLEARED = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@dataclass(frozen=True, slots=True)
class RootRow:
    """Fields of the credential report's root row that the tests and the demo set."""

    mfa_active: bool = True
    password_last_used: datetime | None = None
    key_1_active: bool = False
    key_1_last_used: datetime | None = None

    def csv(self, account_id: str, created: datetime) -> str:
        fmt = "%Y-%m-%dT%H:%M:%S+00:00"

        def when(value: datetime | None) -> str:
            return value.strftime(fmt) if value else "N/A"

        key_rotated = created.strftime(fmt) if self.key_1_active else "N/A"
        fields = [
            "<root_account>",
            f"arn:aws:iam::{account_id}:root",
            created.strftime(fmt),
            "not_supported",
            when(self.password_last_used),
            "not_supported",
            "not_supported",
            "true" if self.mfa_active else "false",
            "true" if self.key_1_active else "false",
            key_rotated,
            when(self.key_1_last_used),
            "N/A",
            "N/A",
            "false",
            "N/A",
            "N/A",
            "N/A",
            "N/A",
            "false",
            "N/A",
            "false",
            "N/A",
        ]
        return ",".join(fields) + "\n"


def days_ago(days: float) -> datetime:
    """moto stores naive UTC datetimes."""
    return (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_IAM_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/[a-z0-9-]+/iam/aws4_request")
_CONTENT = re.compile(rb"<Content>([^<]*)</Content>")
_GENERATED = re.compile(rb"<GeneratedTime>[^<]*</GeneratedTime>")


class RootRows:
    """The credential report's root row, per account (moto never writes one), its true
    ``GeneratedTime``, and, when asked, AWS's reuse of a report.

    A ``GetCredentialReport`` answer to the fake credentials gets the default account's row,
    inserted after the header, as AWS puts it first. After :meth:`reuse`, the next answer is kept
    and returned again, as AWS returns a report for up to four hours: users created since have
    no row in it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, RootRow] = {}
        self._reuse = False
        self._kept: bytes | None = None

    def set(self, account_id: str, row: RootRow) -> None:
        if account_id != DEFAULT_ACCOUNT:
            raise ValueError("a root row can be set for the default account only")
        with self._lock:
            self._rows[account_id] = row

    def reuse(self) -> None:
        with self._lock:
            self._reuse, self._kept = True, None

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._reuse, self._kept = False, None

    def wrap(self, app: WSGIApp) -> WSGIApp:
        def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            found = _IAM_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
            if found is None:
                return app(environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
            if b"Action=GetCredentialReport" not in body:
                return app(environ, start_response)
            with self._lock:
                row = self._rows.get(DEFAULT_ACCOUNT)
            if found.group(1) != FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]:
                row = None  # another account's (an assumed role's): no root row set for it
            captured: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                captured["status"], captured["headers"] = status, headers
                return lambda _data: None

            answer = b"".join(app(environ, capture))
            # moto builds the report afresh on every call but dates it 2015: date it now.
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
            answer = _GENERATED.sub(b"<GeneratedTime>" + now + b"</GeneratedTime>", answer)
            if row is not None:
                answer = _CONTENT.sub(
                    lambda m: b"<Content>" + _with_row(m.group(1), row) + b"</Content>", answer
                )
            with self._lock:
                if self._reuse and found.group(1) == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]:
                    if self._kept is None:
                        self._kept = answer
                    answer = self._kept
            headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
            start_response(captured["status"], [*headers, ("Content-Length", str(len(answer)))])
            return [answer]

        return wrapped


def _with_row(content: bytes, row: RootRow) -> bytes:
    report = base64.b64decode(content).decode("utf-8")
    header, _, rest = report.partition("\n")
    created = datetime.now(UTC) - timedelta(days=800)
    text = f"{header}\n{row.csv(DEFAULT_ACCOUNT, created)}{rest}"
    return base64.b64encode(text.encode("utf-8"))


class _Server(threading.Thread):
    """moto's WSGI app served by werkzeug on 127.0.0.1 (a free port), behind the stand-ins."""

    def __init__(self, app: WSGIApp):
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        super().__init__(daemon=True, name="moto-standin")
        self.server = make_server("127.0.0.1", 0, app, True, request_handler=MotoRequestHandler)

    def run(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MotoAccount:
    """moto's threaded server on 127.0.0.1 (a free port), AWS-managed policies loaded, plus a
    canned IAM Access Analyzer (see :mod:`iamgate.demo.access_analyzer`).

    ``middleware`` wraps moto's WSGI app: to count requests (the benchmark) or to answer some
    of them itself (a denied ``AssumeRole`` in the tests), in front of the same backends.
    """

    def __init__(self, middleware: Callable[[WSGIApp], WSGIApp] | None = None) -> None:
        # moto reads this when its IAM backend is first made: AWS-managed policies loaded.
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on stderr
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        from iamgate.demo.access_analyzer import AnalyzerState, wrap

        self._analyzer = AnalyzerState()
        self._root_rows = RootRows()
        self._clients: Any = None
        app: WSGIApp = DomainDispatcherApplication(create_backend_app)
        app = self._root_rows.wrap(wrap(app, self._analyzer))
        if middleware is not None:
            app = middleware(app)
        self._server = _Server(app)
        self._server.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server.server_port}"

    def stop(self) -> None:
        self._server.stop()

    def options(
        self,
        region: str = REGION,
        max_attempts: int = 3,
        credentials: tuple[str, str, str | None] | None = None,
    ) -> Any:
        """AWS options that reach this server (with the fake credentials, unless others are
        given), for code in this process: nothing in ``os.environ`` changes."""
        from iamgate.aws.clients import AwsOptions

        fake = (
            FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            None,
        )
        return AwsOptions(
            region=region,
            max_attempts=max_attempts,
            endpoint_url=self.endpoint,
            static_credentials=credentials or fake,
        )

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment in which the CLI reaches this server with fake credentials."""
        env = dict(os.environ if base is None else base)
        for key in _CLEARED:
            env.pop(key, None)
        env.update(FAKE_CREDENTIALS)
        env["AWS_ENDPOINT_URL"] = self.endpoint
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        return env

    def client(
        self,
        service: str,
        region: str = REGION,
        credentials: tuple[str, str, str | None] | None = None,
    ) -> Any:
        """A client of this server, built by iamgate's one client factory (the seeding code
        calls AWS the way the scan does): with the fake credentials, or others (e.g. assumed
        into a member account of an organization)."""
        from iamgate.aws.clients import Clients

        if credentials is not None:
            return Clients(self.options(region, credentials=credentials)).client(service, region)
        if self._clients is None:
            self._clients = Clients(self.options())
        return self._clients.client(service, region)

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        # Generous: the reset reloads every AWS-managed policy, slow on a busy machine.
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (loopback)
            response.read()
        self._root_rows.clear()
        self._analyzer.clear()

    # --- what no API can set ------------------------------------------------------------------

    @staticmethod
    def iam_backend(account_id: str = DEFAULT_ACCOUNT) -> Any:
        from moto.iam.models import iam_backends

        return iam_backends[account_id]["aws"]

    @staticmethod
    def trail_backend(account_id: str = DEFAULT_ACCOUNT, region: str = REGION) -> Any:
        """moto's CloudTrail trails by name (to set what the API refuses)."""
        from moto.cloudtrail.models import cloudtrail_backends

        return cloudtrail_backends[account_id][region].trails

    def add_log_alarm(
        self,
        log_group: str,
        pattern: str,
        metric: str,
        topic_arn: str | None,
        region: str = REGION,
        actions_enabled: bool = True,
    ) -> None:
        """A CloudWatch Logs metric filter on ``log_group`` and an alarm on its metric (CIS
        section 4's shape), notifying ``topic_arn`` (None: no action), so tests and the demo
        build it the same way."""
        self.client("logs", region).put_metric_filter(
            logGroupName=log_group,
            filterName=metric,
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CIS", "metricValue": "1"}
            ],
        )
        self.client("cloudwatch", region).put_metric_alarm(
            AlarmName=metric,
            MetricName=metric,
            Namespace="CIS",
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            AlarmActions=[topic_arn] if topic_arn else [],
            ActionsEnabled=actions_enabled,
        )

    def add_topic(
        self, name: str, region: str = REGION, confirmed: int = 1, pending: int = 0
    ) -> str:
        """An SNS topic with e-mail subscriptions: ``confirmed`` of them confirmed, ``pending``
        waiting for the link to be clicked. moto confirms every subscription at once (AWS does
        not), so the pending ones are marked on its backend, as ``ListSubscriptionsByTopic``
        then lists them."""
        from moto.sns.models import sns_backends

        sns = self.client("sns", region)
        arn: str = sns.create_topic(Name=name)["TopicArn"]
        for i in range(confirmed + pending):
            sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=f"oncall-{i}@example.com")
        backend = sns_backends[DEFAULT_ACCOUNT][region]
        mine = [sub for sub in backend.subscriptions.values() if sub.topic.arn == arn]
        for sub in mine[confirmed:]:
            sub.arn = "PendingConfirmation"
        return arn

    def add_rule(
        self,
        name: str,
        pattern: str,
        targets: tuple[str, ...] = (),
        region: str = REGION,
        state: str = "ENABLED",
    ) -> None:
        """An EventBridge rule on ``region``'s default bus, with ``targets`` (ARNs)."""
        events = self.client("events", region)
        events.put_rule(Name=name, EventPattern=pattern, State=state)
        if targets:
            events.put_targets(
                Rule=name, Targets=[{"Id": f"t{i}", "Arn": arn} for i, arn in enumerate(targets)]
            )

    def set_access_analyzer(
        self,
        region: str,
        analyzers: list[dict[str, Any]],
        findings: dict[str, list[dict[str, Any]]] | None = None,
        denied: bool = False,
    ) -> None:
        """Canned Access Analyzer for ``region`` (bodies validated against botocore's model).

        ``findings`` maps an analyzer ARN to GetFindingV2 bodies (``moto_analyzer`` has
        builders); ``denied`` answers AccessDeniedException for every call in the region.
        """
        self._analyzer.set(region, analyzers, findings, denied)

    def set_root(self, row: RootRow, account_id: str = DEFAULT_ACCOUNT) -> None:
        self._root_rows.set(account_id, row)

    def reuse_credential_report(self) -> None:
        """Make the credential report now and serve that one from then on, as AWS serves a
        report for up to four hours: users created after this have no row in it."""
        self._root_rows.reuse()
        iam = self.client("iam")
        iam.generate_credential_report()
        iam.get_credential_report()

    def age_user(self, name: str, days: float, account_id: str = DEFAULT_ACCOUNT) -> None:
        """Created ``days`` ago; moto reports this as password_last_changed too."""
        self.iam_backend(account_id).users[name].create_date = days_ago(days)

    def age_role(
        self,
        name: str,
        created_days: float,
        used_days: float | None = None,
        region: str | None = None,
        account_id: str = DEFAULT_ACCOUNT,
    ) -> None:
        """A role's creation and its RoleLastUsed (no API sets either)."""
        role = self.iam_backend(account_id).get_role(name)
        role.create_date = days_ago(created_days)
        role.last_used = None if used_days is None else days_ago(used_days)
        role.last_used_region = region

    def set_password_last_used(
        self, name: str, days: float | None, account_id: str = DEFAULT_ACCOUNT
    ) -> None:
        user = self.iam_backend(account_id).users[name]
        user.password_last_used = None if days is None else days_ago(days)

    def age_key(
        self,
        name: str,
        index: int,
        created_days: float,
        used_days: float | None = None,
        account_id: str = DEFAULT_ACCOUNT,
    ) -> None:
        from moto.iam.models import AccessKeyLastUsed

        key = self.iam_backend(account_id).users[name].access_keys[index]
        key.create_date = days_ago(created_days)
        key.last_used = (
            None if used_days is None else AccessKeyLastUsed(days_ago(used_days), "iam", REGION)
        )
