"""The one place that builds boto3 clients.

Region, endpoint (boto3 honours ``AWS_ENDPOINT_URL``; the demo passes its own), adaptive
retries, timeouts, the assumed role and the user agent are all decided here, so tests and the
collector agree, and every API call is counted per operation for the snapshot's metadata.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.configloader import raw_config_parse
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigParseError,
    InvalidChecksumConfigError,
    InvalidConfigError,
    InvalidDefaultsMode,
    InvalidRegionError,
    InvalidRetryConfigurationError,
    InvalidSTSRegionalEndpointsConfigError,
    NoCredentialsError,
    ProfileNotFound,
)
from botocore.parsers import ResponseParserError

from iamgate import __version__
from iamgate.aws.secrets import scrub
from iamgate.aws.settings import check_environment, check_profile, url_problem
from iamgate.errors import CollectError, InputError

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class AwsOptions:
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    role_session_name: str = "iamgate"
    max_attempts: int = 8
    retry_mode: str = "adaptive"
    max_backoff: float = 20.0
    connect_timeout: int = 10
    read_timeout: int = 60
    # The demo's stand-in account: an endpoint and static fake credentials given here, so that
    # nothing has to change the process environment.
    endpoint_url: str | None = None
    # (access key id, secret access key, session token or None)
    static_credentials: tuple[str, str, str | None] | None = None


class CallCounter:
    """Counts API calls per ``service:Operation`` (one per page; retries are not calls)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.counts: Counter[str] = Counter()

    def begin(self) -> None:
        """Forget this thread's last operation: a new source starts."""
        self._local.operation = None

    def __call__(self, model: Any = None, **_: Any) -> None:
        if model is not None:
            self._local.operation = model.name
            with self._lock:
                self.counts[f"{model.service_model.service_name}:{model.name}"] += 1

    def last_operation(self) -> str | None:
        """The operation this thread called last: the one that failed, when an error (a reset
        connection, a body cut short) does not name its operation."""
        return getattr(self._local, "operation", None)


def reject_unreadable_json(operation_model: Any, response_dict: Any, **_: Any) -> None:
    """A successful JSON answer must be JSON. botocore reads a body it cannot parse (one cut
    short) as ``{"message": <body>}``: a list call would then look empty, and its checks pass.
    Raise the parse error an XML service would raise instead, so collection fails closed."""
    protocol = operation_model.service_model.resolved_protocol
    body = response_dict.get("body") or b""
    if protocol not in ("json", "rest-json") or not body:
        return
    if not 200 <= int(response_dict.get("status_code", 0)) < 300:
        return
    try:
        json.loads(body)
    except (ValueError, RecursionError):  # cut short, a number too long, nested too deeply
        raise ResponseParserError(
            f"{operation_model.name}: the answer is not valid JSON ({len(body)} bytes)"
        ) from None


# What botocore raises, while a session or client is built, for a setting it cannot use.
_SETTING_ERRORS = (
    ConfigParseError,
    InvalidChecksumConfigError,
    InvalidConfigError,
    InvalidDefaultsMode,
    InvalidRegionError,
    InvalidRetryConfigurationError,
    InvalidSTSRegionalEndpointsConfigError,
)


@contextlib.contextmanager
def settings_read(profile: str | None) -> Iterator[None]:
    """botocore's complaints about the AWS configuration, as bad input (exit 2)."""
    try:
        yield
    except ProfileNotFound:
        where = "--profile" if profile else "AWS_PROFILE"
        raise InputError(
            f"AWS profile {profile or os.environ.get('AWS_PROFILE')!r} is in neither the "
            "config file (AWS_CONFIG_FILE, ~/.aws/config) nor the credentials file: name an "
            "existing profile",
            where,
        ) from None
    except _SETTING_ERRORS as exc:
        raise InputError(f"{exc}: fix the AWS configuration", "AWS configuration") from None
    except ValueError as exc:  # botocore reading a number, or a URL, it was given as text
        raise InputError(f"{exc}: fix the AWS configuration", "AWS configuration") from None


def check_settings(options: AwsOptions, env: Mapping[str, str] | None = None) -> None:
    """Every setting boto3 would read for ``options``, checked before any API call: bad input
    naming the setting (``aws/settings.py``). The demo's own endpoint is checked the same way."""
    check_environment(os.environ if env is None else env, options.region)
    if options.endpoint_url is not None and (problem := url_problem(options.endpoint_url)):
        raise InputError(f"{options.endpoint_url!r} {problem}", "endpoint URL")
    if options.static_credentials is not None:
        return
    with settings_read(options.profile):
        session = boto3.Session(profile_name=options.profile)
        scoped = session._session.get_scoped_config()
        source = str(session._session.get_config_variable("config_file"))
        check_profile(scoped, session.profile_name, source)
        # The credentials file is otherwise read at the first call, as a "could not collect".
        credentials = os.path.expanduser(
            str(session._session.get_config_variable("credentials_file"))
        )
        if os.path.isfile(credentials):
            raw_config_parse(credentials)


class Clients:
    """boto3 clients for one account, built on one session (assumed role if asked)."""

    def __init__(self, options: AwsOptions, counter: CallCounter | None = None):
        self.options = options
        self.counter = counter or CallCounter()
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Any] = {}
        self._config = BotoConfig(
            # total_max_attempts counts the first attempt; botocore's "max_attempts" would not,
            # and "[collect] max_attempts = 3" made 4 requests.
            retries={"mode": options.retry_mode, "total_max_attempts": options.max_attempts},
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            user_agent_extra=f"iamgate/{__version__}",
        )
        check_settings(options)
        try:
            if options.static_credentials is not None:
                key_id, secret, token = options.static_credentials
                base = boto3.Session(
                    aws_access_key_id=key_id,
                    aws_secret_access_key=secret,
                    aws_session_token=token,
                    region_name=options.region,
                )
            else:
                base = boto3.Session(profile_name=options.profile, region_name=options.region)
        except ProfileNotFound:
            with settings_read(options.profile):
                raise
        self.region: str = options.region or base.region_name or DEFAULT_REGION
        self.session = self._assume(base) if options.role_arn else base
        self.session.events.register("before-call", self.counter)
        self.session.events.register("before-parse", reject_unreadable_json)
        # The collector's guard (``iamgate.collect.source``) sees every successful answer
        # before any code reads it; it raises ``MalformedAnswer`` for one it cannot use.
        self.answer_check: Callable[[Any, Any], None] | None = None
        self.session.events.register("after-call", self._after_call)

    def _after_call(
        self, model: Any = None, parsed: Any = None, http_response: Any = None, **_: Any
    ) -> None:
        check = self.answer_check
        status = getattr(http_response, "status_code", 200)
        if check is not None and model is not None and 200 <= int(status) < 300:
            check(model, parsed)

    def _assume(self, base: boto3.Session) -> boto3.Session:
        opts = self.options
        sts = base.client(
            "sts", region_name=self.region, config=self._config, endpoint_url=opts.endpoint_url
        )
        kwargs: dict[str, Any] = {
            "RoleArn": opts.role_arn,
            "RoleSessionName": opts.role_session_name,
        }
        if opts.external_id:
            kwargs["ExternalId"] = opts.external_id
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except NoCredentialsError:
            raise CollectError(
                f"cannot assume {opts.role_arn}: no AWS credentials found to assume it with"
            ) from None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise CollectError(
                f"cannot assume {opts.role_arn}: {err.get('Code')}: {err.get('Message')} "
                "(check the role's trust policy, the external id, and sts:AssumeRole on the caller)"
            ) from None
        except BotoCoreError as exc:
            raise CollectError(f"cannot assume {opts.role_arn}: {scrub(str(exc))}") from None
        self.counter.counts["sts:AssumeRole"] += 1
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.region,
        )

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._lock:
            if key not in self._cache:
                with settings_read(self.options.profile):
                    client = self.session.client(
                        service,
                        region_name=key[1],
                        config=self._config,
                        endpoint_url=self.options.endpoint_url,
                    )
                cap_backoff(client, self.options.max_backoff)
                self._cache[key] = client
            return self._cache[key]


_BOTOCORE_MAX_BACKOFF = 20.0


def cap_backoff(client: Any, max_backoff: float) -> bool:
    """Cap the sleep between retries (``[collect] max_backoff_seconds``).

    botocore has no setting for it: its standard/adaptive retry handler is found by the
    ``unique_id`` it registers under and its backoff's cap is lowered. Returns whether the cap
    was applied, so a botocore change that moves it is caught by a test, not silently ignored.
    """
    if max_backoff >= _BOTOCORE_MAX_BACKOFF:
        return True
    service = client.meta.service_model.service_id.hyphenize()
    emitter = getattr(client.meta.events, "_emitter", None)
    entry = getattr(emitter, "_unique_id_handlers", {}).get(f"retry-config-{service}")
    handler = getattr(entry.get("handler") if entry else None, "__self__", None)
    backoff = getattr(getattr(handler, "_retry_policy", None), "_retry_backoff", None)
    if backoff is None or not hasattr(backoff, "_max_backoff"):
        return False
    backoff._max_backoff = max_backoff
    return True
