"""iamgate.toml: [trust] oidc_owners, validated strictly, and bad values named by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamgate.errors import InputError
from iamgate.formats.config_toml import load_config, parse_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "iamgate.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_owners_are_read_deduplicated_and_listed_as_an_override(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[trust]\noidc_owners = [\n  "github:my-org",\n  "gitlab:my-group/sub",\n'
        '  "github:id:1234",\n  "circleci:0b2f0f7e-aaaa-bbbb-cccc-123456789abc",\n'
        '  "github:my-org",\n]\n',
    )
    cfg = load_config(path)
    assert cfg.trust.oidc_owners == (
        "github:my-org",
        "gitlab:my-group/sub",
        "github:id:1234",
        "circleci:0b2f0f7e-aaaa-bbbb-cccc-123456789abc",
    )
    assert ("trust.oidc_owners", list(cfg.trust.oidc_owners), []) in cfg.overrides()


@pytest.mark.parametrize(
    "entry",
    [
        "my-org",  # no provider
        "gihub:my-org",  # unknown provider
        "GitHub:my-org",  # providers are lower-case
        "github:",  # no owner
        "github:my-org/",  # empty path segment
        "github:/my-org",
        "github:my-*",  # a name, not a pattern
        "github:my org",
        "github:id:abc",  # a repository_owner_id is a number
        "eks:prod",  # EKS pins a namespace of your own cluster: no owner to list
    ],
)
def test_bad_owner_entries_name_the_file_and_line(tmp_path: Path, entry: str) -> None:
    path = write(
        tmp_path,
        f'[gate]\nfail_on = "low"\n\n[trust]\noidc_owners = [\n  "github:ok",\n  "{entry}",\n]\n',
    )
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert caught.value.line == 7
    assert f"[trust] oidc_owners: {entry!r} is not '<provider>:<owner>'" in caught.value.message
    assert "github, gitlab, terraform, buildkite, circleci, bitbucket" in caught.value.message


@pytest.mark.parametrize("value", ['"github:my-org"', "[1]", '[["github:x"]]'])
def test_owners_must_be_a_list_of_strings(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"[trust]\noidc_owners = {value}\n")
    with pytest.raises(InputError, match="oidc_owners") as caught:
        load_config(path)
    assert caught.value.line == 2


def test_other_bad_values_are_named_by_line_too(tmp_path: Path) -> None:
    path = write(tmp_path, '[thresholds]\npassword_min_length = 14\nuser_inactive_days = "x"\n')
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.line == 3
    path = write(tmp_path, '[trust]\ntrusted_accounts = [\n  "111122223333",\n  "1234",\n]\n')
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.line == 4
    path = write(tmp_path, "[gate]\n\n[thresholdz]\nx = 1\n")
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert caught.value.line == 3


def test_parsed_data_without_text_still_fails_closed() -> None:
    with pytest.raises(InputError, match="oidc_owners") as caught:
        parse_config({"trust": {"oidc_owners": ["nope"]}}, "x.toml")
    assert caught.value.line is None


def test_aws_managed_policies_are_arns_of_account_aws_read_once(tmp_path: Path) -> None:
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    gov = "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"
    cfg = load_config(
        write(tmp_path, f'[collect]\naws_managed_policies = ["{basic}", "{gov}", "{basic}"]\n')
    )
    assert cfg.collect.aws_managed_policies == (basic, gov)
    assert ("collect.aws_managed_policies", [basic, gov], []) in cfg.overrides()


@pytest.mark.parametrize(
    "entry",
    [
        "arn:aws:iam::123456789012:policy/mine",  # a customer policy: the snapshot has it
        "AWSLambdaBasicExecutionRole",  # a name, not an ARN
        "arn:aws:iam::aws:policy/*",  # a pattern
        "arn:aws:iam::aws:role/x",
    ],
)
def test_an_aws_managed_policy_entry_that_is_not_one_is_bad_input(
    tmp_path: Path, entry: str
) -> None:
    path = write(tmp_path, f'[collect]\naws_managed_policies = [\n  "{entry}",\n]\n')
    with pytest.raises(InputError, match="is not an AWS-managed policy ARN") as caught:
        load_config(path)
    assert caught.value.line == 3
