"""Planning: a snapshot and a change (a Terraform plan, a CloudFormation template) -> the
snapshot after the change. One pure stage in front of the checks; it imports only ``model``
and ``formats`` (the readers of the two input formats)."""

from __future__ import annotations

from iamgate.plan.apply import Projected, apply_changes, project
from iamgate.plan.aws_policies import aws_policies_needed
from iamgate.plan.cfn_intrinsics import Stack
from iamgate.plan.cloudformation import cloudformation_changes
from iamgate.plan.names import Account
from iamgate.plan.terraform import terraform_changes

__all__ = [
    "Account",
    "Projected",
    "Stack",
    "apply_changes",
    "aws_policies_needed",
    "cloudformation_changes",
    "project",
    "terraform_changes",
]
