"""A stand-in AWS account on loopback: moto's server, in this process, and what no API can set.

Used by ``iamgate demo``, the tests and the benchmark. The code under test only ever sees
``AWS_ENDPOINT_URL``; this module reaches moto's in-memory backends to set ages and last-used
dates (no AWS API can), and to add the credential report's ``<root_account>`` row, which moto
never writes. Requires the ``demo`` extra (moto[server]).
"""

from __future__ import annotations

import logging
import os
import threading
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

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


_ROOT_ROWS: dict[str, RootRow] = {}
_PATCH_LOCK = threading.Lock()
_PATCHED = False


def _patch_credential_report() -> None:
    """Make moto's credential report carry a root row for accounts that asked for one."""
    global _PATCHED
    with _PATCH_LOCK:
        if _PATCHED:
            return
        from moto.iam.models import IAMBackend

        original = IAMBackend.get_credential_report

        def get_credential_report(self: Any) -> str:
            report: str = original(self)
            row = _ROOT_ROWS.get(self.account_id)
            if row is None:
                return report
            header, _, rest = report.partition("\n")
            created = datetime.now(UTC) - timedelta(days=800)
            return f"{header}\n{row.csv(self.account_id, created)}{rest}"

        IAMBackend.get_credential_report = get_credential_report  # type: ignore[method-assign]
        _PATCHED = True


def days_ago(days: float) -> datetime:
    """moto stores naive UTC datetimes."""
    return (datetime.now(UTC) - timedelta(days=days)).replace(tzinfo=None)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _server(state: Any, middleware: Callable[[WSGIApp], WSGIApp] | None) -> Any:
    """moto's ThreadedMotoServer whose WSGI app first offers requests to the Access Analyzer
    stand-in, then to the caller's middleware (if any), then to moto."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from iamgate.moto_analyzer import wrap

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:  # same as moto's (5.2.5), with the app wrapped
            app: WSGIApp = wrap(DomainDispatcherApplication(create_backend_app), state)
            if middleware is not None:
                app = middleware(app)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return Server(ip_address="127.0.0.1", port=0, verbose=False)


class MotoAccount:
    """moto's threaded server on 127.0.0.1 (a free port), AWS-managed policies loaded, plus a
    canned IAM Access Analyzer (see :mod:`iamgate.moto_analyzer`).

    ``middleware`` wraps moto's WSGI app: to count requests (the benchmark) or to answer some
    of them itself (a denied ``AssumeRole`` in the tests), in front of the same backends.
    """

    def __init__(self, middleware: Callable[[WSGIApp], WSGIApp] | None = None) -> None:
        os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log on stderr
        from iamgate.moto_analyzer import AnalyzerState

        self._analyzer = AnalyzerState()
        self._server = _server(self._analyzer, middleware)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        _patch_credential_report()

    def stop(self) -> None:
        self._server.stop()

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment in which the CLI reaches this server with fake credentials."""
        env = dict(os.environ if base is None else base)
        for key in _CLEARED:
            env.pop(key, None)
        env.update(FAKE_CREDENTIALS)
        env["AWS_ENDPOINT_URL"] = self.endpoint
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        return env

    def client(self, service: str, region: str = REGION, **credentials: str) -> Any:
        creds = credentials or {
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint, **creds)

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
        _ROOT_ROWS.clear()
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
        self, log_group: str, pattern: str, metric: str, topic_arn: str, region: str = REGION
    ) -> None:
        """A CloudWatch Logs metric filter on ``log_group`` and an alarm on its metric (CIS 4.4's
        shape), so tests and the demo build it the same way."""
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
            AlarmActions=[topic_arn],
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
        _ROOT_ROWS[account_id] = row

    def age_user(self, name: str, days: float, account_id: str = DEFAULT_ACCOUNT) -> None:
        """Created ``days`` ago; moto reports this as password_last_changed too."""
        self.iam_backend(account_id).users[name].create_date = days_ago(days)

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
