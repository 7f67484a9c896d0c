"""Every AWS setting boto3 reads, checked before the first client is built.

boto3 reads its settings from the command line (``--region``, ``--profile``), the environment
(``AWS_*``) and the profile of the shared config file. A value it cannot use surfaces late and
as something else: a bad region or endpoint URL is a ``ValueError`` when a client is built, a
missing CA bundle a connection error on every call, an unparsable config file a crash at the
first call. Here each one is bad input (exit 2) naming the setting and what to put there.

The AWS documentation of these settings:
https://docs.aws.amazon.com/sdkref/latest/guide/settings-reference.html (and botocore's
``configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES``, the names it reads). The config and
credentials files themselves (``AWS_CONFIG_FILE``, ``AWS_SHARED_CREDENTIALS_FILE``) are parsed
by botocore in ``aws/clients.py:check_settings``, and the profile's values checked here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from iamgate.errors import InputError

# A region is a DNS label of its partition's form: us-east-1, eu-central-2, us-gov-west-1,
# cn-north-1, us-isob-east-1. An underscore or a capital is a typo (botocore refuses it late).
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_BOOLEAN = ("true", "false")


def region_problem(value: str) -> str | None:
    if REGION.fullmatch(value):
        return None
    return "is not an AWS region name (such as us-east-1: lower case, hyphens)"


def url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port that is not a number in 0-65535
    except ValueError as exc:
        return f"is not a URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http:// or https:// URL with a host (such as https://sts.amazonaws.com)"
    if port == 0:
        return "has port 0"
    return None


def _whole(low: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        ok = value.strip().isascii() and value.strip().isdigit() and int(value) >= low
        return None if ok else f"is not a whole number >= {low}"

    return check


def _choice(*choices: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value.strip().lower() in choices else f"is not one of {', '.join(choices)}"

    return check


def _file(value: str) -> str | None:
    return None if os.path.isfile(os.path.expanduser(value)) else "names no file"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its environment variable, its key in a config-file profile, and its rule."""

    env: str
    key: str
    problem: Callable[[str], str | None]


SETTINGS: tuple[Setting, ...] = (
    Setting("AWS_REGION", "region", region_problem),
    Setting("AWS_DEFAULT_REGION", "region", region_problem),
    Setting("AWS_ENDPOINT_URL", "endpoint_url", url_problem),
    Setting("AWS_MAX_ATTEMPTS", "max_attempts", _whole(1)),
    Setting("AWS_RETRY_MODE", "retry_mode", _choice("legacy", "standard", "adaptive")),
    Setting("AWS_CA_BUNDLE", "ca_bundle", _file),
    Setting("AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints", _choice("legacy", "regional")),
    Setting("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", _choice(*_BOOLEAN)),
    Setting("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", _choice(*_BOOLEAN)),
    Setting(
        "AWS_DEFAULTS_MODE",
        "defaults_mode",
        _choice("legacy", "standard", "in-region", "cross-region", "mobile", "auto"),
    ),
    Setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", _whole(1)),
    Setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", _whole(1)),
)
_SERVICE_ENDPOINT = "AWS_ENDPOINT_URL_"  # AWS_ENDPOINT_URL_<SERVICE>: one service's endpoint


def check_environment(env: Mapping[str, str], region: str | None) -> None:
    """Bad input naming the first setting of ``env`` (or ``--region``) boto3 could not use."""
    if region is not None and (problem := region_problem(region)) is not None:
        raise InputError(f"{region!r} {problem}", "--region")
    for setting in SETTINGS:
        value = env.get(setting.env)
        if value is not None and value != "":
            _check(setting.env, value, setting.problem)
    for name, value in env.items():
        if name.startswith(_SERVICE_ENDPOINT) and value:
            _check(name, value, url_problem)


def check_profile(values: Mapping[str, object], profile: str, source: str) -> None:
    """The same rules for the values of the profile boto3 reads from the shared config file."""
    for setting in SETTINGS:
        value = values.get(setting.key)
        if isinstance(value, str) and value:
            _check(f"{setting.key} of profile {profile!r}", value, setting.problem, source)


def _check(name: str, value: str, problem: Callable[[str], str | None], file: str = "") -> None:
    found = problem(value)
    if found is not None:
        where = f"{file}: {name}" if file else name
        raise InputError(f"{value!r} {found}: fix or unset it", where)
