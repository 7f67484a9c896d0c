"""A catalogue row (:class:`Method`), its kinds and targets, and the service principals the
rows name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EdgeKind = Literal[
    "assume", "credentials", "trust", "join", "modify", "boundary", "new", "pass", "existing"
]
Target = Literal["role", "user", "group", "policy", "new"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Method:
    """One way of obtaining another principal's access (see the edge kinds above)."""

    id: str
    kind: EdgeKind
    target: Target
    actions: tuple[tuple[str, ...], ...]
    title: str
    docs: str  # the AWS documentation of the semantics the row relies on
    sources: tuple[str, ...]
    service: str = ""  # the service principal the role must trust (pass / existing)
    note: str = ""


EC2 = "ec2.amazonaws.com"
LAMBDA = "lambda.amazonaws.com"
GLUE = "glue.amazonaws.com"
CFN = "cloudformation.amazonaws.com"
CODEBUILD = "codebuild.amazonaws.com"
SAGEMAKER = "sagemaker.amazonaws.com"
ECS_TASKS = "ecs-tasks.amazonaws.com"
APPRUNNER = "tasks.apprunner.amazonaws.com"
AGENTCORE = "bedrock-agentcore.amazonaws.com"
CODESTAR = "codestar.amazonaws.com"
DATAPIPELINE = "datapipeline.amazonaws.com"
STATES = "states.amazonaws.com"
SCHEDULER = "scheduler.amazonaws.com"
SSM = "ssm.amazonaws.com"
EMR_SERVERLESS = "emr-serverless.amazonaws.com"
BRAKET = "braket.amazonaws.com"
GAMELIFT = "gamelift.amazonaws.com"
FLINK = "kinesisanalytics.amazonaws.com"
OMICS = "omics.amazonaws.com"
AWS_DOCS = "https://docs.aws.amazon.com/"
