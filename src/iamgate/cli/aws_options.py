"""Building the AWS options of a command from its flags and the config's [collect] section."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iamgate.aws.clients import AwsOptions
    from iamgate.model.config import Config


def aws_options(
    config: Config,
    region: str | None,
    profile: str | None,
    role_arn: str | None,
    external_id: str | None,
    session_name: str,
) -> AwsOptions:
    from iamgate.aws.clients import AwsOptions  # boto3: only for the commands that call AWS

    c = config.collect
    return AwsOptions(
        region=region,
        profile=profile,
        role_arn=role_arn,
        external_id=external_id,
        role_session_name=session_name,
        max_attempts=c.max_attempts,
        retry_mode=c.retry_mode,
        max_backoff=float(c.max_backoff_seconds),
        connect_timeout=c.connect_timeout,
        read_timeout=c.read_timeout,
    )
