"""Every AWS setting boto3 reads is checked before the first call (issue 24): a value boto3
could not use is bad input naming the setting, beside the nearly identical value that passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamgate.aws.clients import AwsOptions, Clients, check_settings
from iamgate.aws.settings import check_environment
from iamgate.errors import InputError

# (variable, a value boto3 cannot use, the near miss it can)
PAIRS = [
    ("AWS_REGION", "us_east_1", "us-east-1"),
    ("AWS_DEFAULT_REGION", "US-EAST-1", "eu-central-2"),
    ("AWS_DEFAULT_REGION", "us-east", "us-gov-west-1"),
    ("AWS_ENDPOINT_URL", "not a url", "http://127.0.0.1:5000"),
    ("AWS_ENDPOINT_URL", "http://[::1", "http://[::1]:5000"),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:99999", "https://sts.amazonaws.com"),
    ("AWS_ENDPOINT_URL", "ftp://example.com", "https://example.com/path"),
    ("AWS_ENDPOINT_URL_STS", "sts", "https://sts.us-east-1.amazonaws.com"),
    ("AWS_MAX_ATTEMPTS", "many", "3"),
    ("AWS_MAX_ATTEMPTS", "0", "1"),
    ("AWS_RETRY_MODE", "eager", "adaptive"),
    ("AWS_STS_REGIONAL_ENDPOINTS", "global", "regional"),
    ("AWS_USE_FIPS_ENDPOINT", "yes", "true"),
    ("AWS_DEFAULTS_MODE", "fast", "standard"),
    ("AWS_METADATA_SERVICE_TIMEOUT", "1.5", "2"),
    ("AWS_CA_BUNDLE", "/nonexistent/ca.pem", __file__),
]


@pytest.mark.parametrize(("name", "bad", "good"), PAIRS)
def test_a_setting_boto3_cannot_use_is_bad_input(name: str, bad: str, good: str) -> None:
    with pytest.raises(InputError) as caught:
        check_environment({name: bad}, None)
    assert caught.value.source == name
    assert repr(bad) in caught.value.message
    check_environment({name: good}, None)  # the near miss passes


def test_the_region_option_is_checked_like_the_environment() -> None:
    with pytest.raises(InputError, match="not an AWS region name") as caught:
        check_environment({}, "us_east_1")
    assert caught.value.source == "--region"
    check_environment({}, "us-east-1")


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    return tmp_path


def test_an_unparsable_config_file_is_bad_input(aws_home: Path) -> None:
    (aws_home / "config").write_text("[default\nregion = us-east-1\n", encoding="utf-8")
    with pytest.raises(InputError, match="Unable to parse config file"):
        check_settings(AwsOptions())
    (aws_home / "config").write_text("[default]\nregion = us-east-1\n", encoding="utf-8")
    check_settings(AwsOptions())


def test_an_unparsable_credentials_file_is_bad_input(aws_home: Path) -> None:
    (aws_home / "credentials").write_text("[default\naws_access_key_id = A\n", encoding="utf-8")
    with pytest.raises(InputError, match="Unable to parse config file"):
        check_settings(AwsOptions())


def test_a_profile_value_is_checked_and_names_the_file(aws_home: Path) -> None:
    config = aws_home / "config"
    config.write_text("[profile ci]\nendpoint_url = localhost:4566\n", encoding="utf-8")
    with pytest.raises(InputError, match="endpoint_url of profile 'ci'") as caught:
        check_settings(AwsOptions(profile="ci"))
    assert str(config) in str(caught.value)
    config.write_text("[profile ci]\nendpoint_url = http://localhost:4566\n", encoding="utf-8")
    check_settings(AwsOptions(profile="ci"))


def test_a_missing_profile_is_bad_input_naming_the_option(aws_home: Path) -> None:
    (aws_home / "config").write_text("[profile ci]\nregion = us-east-1\n", encoding="utf-8")
    with pytest.raises(InputError, match="'nobody' is in neither") as caught:
        Clients(AwsOptions(profile="nobody"))
    assert caught.value.source == "--profile"
    check_settings(AwsOptions(profile="ci"))


def test_a_setting_botocore_refuses_when_a_client_is_built_is_bad_input(
    aws_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "always")
    clients = Clients(AwsOptions(region="us-east-1", static_credentials=("A", "B", None)))
    with pytest.raises(InputError, match="request_checksum_calculation"):
        clients.client("sts")
    monkeypatch.setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
    assert clients.client("iam") is not None
