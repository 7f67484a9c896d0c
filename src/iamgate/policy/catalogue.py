"""The privilege-escalation edge catalogue: data, one row per way of obtaining another
principal's access, each naming its sources. :mod:`.graph` reads it; ``docs/gen_checks.py``
lists it in ``docs/checks.md``.

Edge kinds (what the graph does with a row):

- ``assume``: ``sts:AssumeRole`` on role T, when T's trust admits the principal;
- ``credentials``: an IAM write on user Q's ARN that yields Q's credentials;
- ``trust``: rewrite role T's trust policy (then assume T: same-account trust naming the
  principal's ARN needs no identity permission);
- ``join``: add oneself to group G (gains G's policies);
- ``modify``: write the policies of a principal, group or customer-managed policy. Alone it
  grants nothing to the writer; the graph turns it into an edge to the *raised* target when the
  writer also is, or can become, that target (itself, a group it is in or joins, a role it can
  assume or pass, a user whose credentials it can create);
- ``boundary``: remove or replace a permissions boundary (same rule as ``modify``);
- ``new``: create a principal and give it any policy (PMapper's admin test);
- ``pass``: ``iam:PassRole`` on role T (T trusts ``service``) plus service actions that run
  code under T: the principal gains T's access;
- ``existing``: change or run code on existing compute that carries a role; no inventory of
  functions, instances, stacks... is collected, so the principal gains every role that trusts
  ``service`` (the roles that service can carry in the account).

``actions`` is all-of groups of any-of alternatives, e.g. ``(("lambda:CreateFunction",),
("lambda:InvokeFunction", "lambda:CreateEventSourceMapping"))``. For ``pass`` rows
``iam:PassRole`` on the role is implied and not listed; for IAM rows the action is asked on the
target's ARN, for service rows on some resource the principal names.

Sources (``sources`` strings are ``<source>:<their name for it>``):

- ``rhino``: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
  (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/) and its
  ``aws_escalate.py`` (RhinoSecurityLabs/Security-Research), whose method names are used;
- ``cloudsplaining``: ``PRIVILEGE_ESCALATION_METHODS`` in salesforce/cloudsplaining
  ``cloudsplaining/shared/constants.py`` (which now includes DataDog's pathfinding.cloud paths);
- ``prowler``: ``privilege_escalation_policies_combination`` in prowler-cloud/prowler
  ``prowler/providers/aws/services/iam/lib/privilege_escalation.py``;
- ``pmapper``: nccgroup/PMapper ``principalmapper/graphing/<file>`` edge checkers (v1.2.0-dev
  branch, which adds ECS, Glue and Data Pipeline) and ``gathering.update_admin_status``;
- ``iamgate``: added here (named in iamgate's issue, or an AWS feature none of the above has).

To refresh: compare the four files above with the rows' ``sources`` and :data:`COMBINATIONS`
(``tests/unit/policy/source_lists.py`` keeps their method names, and a test fails when one is
not named here); a new combination either maps to existing rows (add it to ``COMBINATIONS``) or
needs a new row. Ids are stable: they appear in messages.

Why a hand-kept list and not an action catalogue such as policy-sentry: the graph asks the
actions of these rows of each principal, and :mod:`.wildcard` matches policy patterns
(``iam:*Policy*``, ``NotAction``) against them directly, so no expansion of wildcards into every
AWS action is needed (docs/checks.md has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EdgeKind = Literal[
    "assume", "credentials", "trust", "join", "modify", "boundary", "new", "pass", "existing"
]
Target = Literal["role", "user", "group", "policy", "new"]


@dataclass(frozen=True, slots=True)
class Method:
    id: str
    kind: EdgeKind
    target: Target
    actions: tuple[tuple[str, ...], ...]
    title: str
    sources: tuple[str, ...]
    service: str = ""  # the service principal the role must trust (pass / existing)
    note: str = ""


def _m(
    id: str,
    kind: EdgeKind,
    target: Target,
    actions: tuple[tuple[str, ...], ...],
    title: str,
    sources: tuple[str, ...],
    service: str = "",
    note: str = "",
) -> Method:
    return Method(id, kind, target, actions, title, sources, service, note)


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

METHODS: tuple[Method, ...] = (
    # --- become another principal --------------------------------------------------------------
    _m(
        "assume-role",
        "assume",
        "role",
        (("sts:AssumeRole",),),
        "assume a role whose trust policy admits it",
        (
            "pmapper:sts_edges",
            "prowler:AssumeRole+*",
            "cloudsplaining:CreatePolicyVersionThenAssumeRole",
            "rhino:AttachRolePolicy/PutRolePolicy/UpdateRolePolicyToAssumeIt (with sts:AssumeRole)",
        ),
        note="same-account trust that names the principal's ARN needs no identity permission",
    ),
    _m(
        "create-access-key",
        "credentials",
        "user",
        (("iam:CreateAccessKey",),),
        "create an access key for the user",
        (
            "rhino:CreateAccessKey",
            "cloudsplaining:CreateAccessKey",
            "prowler:iam:CreateAccessKey",
            "prowler:CreateAccessKey+DeleteAccessKey",
            "cloudsplaining:CreateAndRotateAccessKey",
            "pmapper:iam_edges",
        ),
        note="a user with two keys needs iam:DeleteAccessKey first; key counts are not collected",
    ),
    _m(
        "create-login-profile",
        "credentials",
        "user",
        (("iam:CreateLoginProfile",),),
        "give the user a console password",
        (
            "rhino:CreateLoginProfile",
            "cloudsplaining:CreateLoginProfile",
            "prowler:iam:CreateLoginProfile",
            "pmapper:iam_edges",
        ),
    ),
    _m(
        "update-login-profile",
        "credentials",
        "user",
        (("iam:UpdateLoginProfile",),),
        "change the user's console password",
        (
            "rhino:UpdateLoginProfile",
            "cloudsplaining:UpdateLoginProfile",
            "prowler:iam:UpdateLoginProfile",
            "pmapper:iam_edges",
        ),
    ),
    _m(
        "update-assume-role-policy",
        "trust",
        "role",
        (("iam:UpdateAssumeRolePolicy",),),
        "rewrite the role's trust policy to trust itself, then assume it",
        (
            "rhino:UpdateRolePolicyToAssumeIt",
            "cloudsplaining:UpdateRolePolicyToAssumeIt",
            "prowler:iam:UpdateAssumeRolePolicy",
            "prowler:AssumeRole+UpdateAssumeRolePolicy",
            "pmapper:iam_edges",
        ),
    ),
    _m(
        "add-user-to-group",
        "join",
        "group",
        (("iam:AddUserToGroup",),),
        "add itself to the group",
        ("rhino:AddUserToGroup", "cloudsplaining:AddUserToGroup", "prowler:iam:AddUserToGroup"),
    ),
    # --- write policies ------------------------------------------------------------------------
    _m(
        "put-user-policy",
        "modify",
        "user",
        (("iam:PutUserPolicy",),),
        "write an inline policy on the user",
        (
            "rhino:PutUserPolicy",
            "cloudsplaining:PutUserPolicy",
            "prowler:iam:PutUserPolicy",
            "prowler:IAMPut",
            "prowler:PutUserPolicy+CreateAccessKey",
            "cloudsplaining:PutUserPolicyThenCreateAccessKey",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "attach-user-policy",
        "modify",
        "user",
        (("iam:AttachUserPolicy",),),
        "attach any managed policy (AdministratorAccess) to the user",
        (
            "rhino:AttachUserPolicy",
            "cloudsplaining:AttachUserPolicy",
            "prowler:iam:AttachUserPolicy",
            "prowler:AttachUserPolicy+CreateAccessKey",
            "cloudsplaining:AttachUserPolicyThenCreateAccessKey",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "put-group-policy",
        "modify",
        "group",
        (("iam:PutGroupPolicy",),),
        "write an inline policy on the group",
        (
            "rhino:PutGroupPolicy",
            "cloudsplaining:PutGroupPolicy",
            "prowler:iam:PutGroupPolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "attach-group-policy",
        "modify",
        "group",
        (("iam:AttachGroupPolicy",),),
        "attach any managed policy to the group",
        (
            "rhino:AttachGroupPolicy",
            "cloudsplaining:AttachGroupPolicy",
            "prowler:iam:AttachGroupPolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "put-role-policy",
        "modify",
        "role",
        (("iam:PutRolePolicy",),),
        "write an inline policy on the role",
        (
            "rhino:PutRolePolicy",
            "cloudsplaining:PutRolePolicy",
            "prowler:iam:PutRolePolicy",
            "prowler:AssumeRole+PutRolePolicy",
            "prowler:PutRolePolicy+UpdateAssumeRolePolicy",
            "cloudsplaining:PutRolePolicyThenUpdateAssumeRolePolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "attach-role-policy",
        "modify",
        "role",
        (("iam:AttachRolePolicy",),),
        "attach any managed policy to the role",
        (
            "rhino:AttachRolePolicy",
            "cloudsplaining:AttachRolePolicy",
            "prowler:iam:AttachRolePolicy",
            "prowler:AssumeRole+AttachRolePolicy",
            "prowler:AttachRolePolicy+UpdateAssumeRolePolicy",
            "cloudsplaining:AttachRolePolicyThenUpdateAssumeRolePolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "create-policy-version",
        "modify",
        "policy",
        (("iam:CreatePolicyVersion",),),
        "write a new default version of a customer-managed policy attached to the target",
        (
            "rhino:CreateNewPolicyVersion",
            "cloudsplaining:CreateNewPolicyVersion",
            "prowler:CreatePolicyVersion",
            "prowler:AssumeRole+CreatePolicyVersion",
            "prowler:CreatePolicyVersion+UpdateAssumeRolePolicy",
            "cloudsplaining:CreatePolicyVersionThenUpdateAssumeRolePolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    _m(
        "set-default-policy-version",
        "modify",
        "policy",
        (("iam:SetDefaultPolicyVersion",),),
        "make another version of a customer-managed policy attached to the target the default",
        (
            "rhino:SetExistingDefaultPolicyVersion",
            "cloudsplaining:SetExistingDefaultPolicyVersion",
            "prowler:SetDefaultPolicyVersion",
        ),
        note="non-default versions are not collected: assumed to be able to grant anything",
    ),
    _m(
        "delete-user-permissions-boundary",
        "boundary",
        "user",
        (("iam:DeleteUserPermissionsBoundary",),),
        "remove the user's permissions boundary",
        ("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    _m(
        "put-user-permissions-boundary",
        "boundary",
        "user",
        (("iam:PutUserPermissionsBoundary",),),
        "replace the user's permissions boundary",
        ("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    _m(
        "delete-role-permissions-boundary",
        "boundary",
        "role",
        (("iam:DeleteRolePermissionsBoundary",),),
        "remove the role's permissions boundary",
        ("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    _m(
        "put-role-permissions-boundary",
        "boundary",
        "role",
        (("iam:PutRolePermissionsBoundary",),),
        "replace the role's permissions boundary",
        ("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    _m(
        "create-role",
        "new",
        "new",
        (("iam:CreateRole",), ("iam:AttachRolePolicy", "iam:PutRolePolicy")),
        "create a role that trusts itself and give it any policy",
        ("pmapper:gathering.update_admin_status",),
        note="a Condition on iam:PermissionsBoundary can force a boundary: the edge is conditioned",
    ),
    _m(
        "create-user",
        "new",
        "new",
        (
            ("iam:CreateUser",),
            ("iam:CreateAccessKey", "iam:CreateLoginProfile"),
            ("iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup"),
        ),
        "create a user with credentials and give it any policy",
        ("iamgate:new principal",),
    ),
    # --- pass a role to a service that runs code -------------------------------------------------
    _m(
        "passrole-ec2",
        "pass",
        "role",
        (
            (
                "ec2:RunInstances",
                "ec2:RequestSpotInstances",
                "ec2:AssociateIamInstanceProfile",
                "ec2:ReplaceIamInstanceProfileAssociation",
            ),
        ),
        "start an EC2 instance with the role's instance profile",
        (
            "rhino:CreateEC2WithExistingIP",
            "cloudsplaining:CreateEC2WithExistingIP",
            "cloudsplaining:PassExistingRoleToNewEC2SpotInstance",
            "prowler:PassRole+EC2",
            "prowler:PassRole+EC2SpotInstances",
            "pmapper:ec2_edges",
        ),
        EC2,
        "instance profiles are not collected: every role trusting EC2 counts",
    ),
    _m(
        "passrole-lambda",
        "pass",
        "role",
        (
            ("lambda:CreateFunction",),
            ("lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission"),
        ),
        "create a Lambda function under the role and invoke or trigger it",
        (
            "rhino:PassExistingRoleToNewLambdaThenInvoke",
            "rhino:PassExistingRoleToNewLambdaThenInvokeCrossAccount",
            "rhino:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo",
            "rhino:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
            "cloudsplaining:PassExistingRoleToNewLambdaThenInvoke",
            "cloudsplaining:PassExistingRoleToNewLambdaThenTriggerWithNewDynamo",
            "cloudsplaining:PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo",
            "cloudsplaining:PassExistingRoleToNewLambdaThenAddPermission",
            "prowler:PassRole+CreateLambda+Invoke",
            "prowler:PassRole+CreateLambda+ExistingDynamo",
            "prowler:PassRole+CreateLambda+NewDynamo",
            "prowler:PassRole+CreateLambda+AddPermission",
            "pmapper:lambda_edges",
        ),
        LAMBDA,
        "PMapper needs lambda:CreateFunction alone; the other sources also need a way to "
        "run it, as here",
    ),
    _m(
        "passrole-lambda-update",
        "pass",
        "role",
        (("lambda:UpdateFunctionConfiguration",), ("lambda:UpdateFunctionCode",)),
        "move an existing function to the role and replace its code",
        ("pmapper:lambda_edges",),
        LAMBDA,
    ),
    _m(
        "passrole-glue-dev-endpoint",
        "pass",
        "role",
        (("glue:CreateDevEndpoint",),),
        "create a Glue development endpoint with the role and log in to it",
        (
            "rhino:PassExistingRoleToNewGlueDevEndpoint",
            "cloudsplaining:PassExistingRoleToNewGlueDevEndpoint",
            "prowler:PassRole+GlueCreateDevEndpoint",
            "pmapper:glue_edges",
        ),
        GLUE,
    ),
    _m(
        "passrole-glue-job",
        "pass",
        "role",
        (("glue:CreateJob", "glue:UpdateJob"), ("glue:StartJobRun", "glue:CreateTrigger")),
        "create or update a Glue job with the role and run it",
        (
            "cloudsplaining:PassExistingRoleToNewGlueJobThenRun",
            "cloudsplaining:PassExistingRoleToNewGlueJobViaTrigger",
            "cloudsplaining:PassExistingRoleToUpdatedGlueJobThenRun",
            "cloudsplaining:PassExistingRoleToUpdatedGlueJobViaTrigger",
            "prowler:PassRole+GlueCreateJob+StartJobRun",
            "prowler:PassRole+GlueCreateJob+CreateTrigger",
            "prowler:PassRole+GlueUpdateJob+StartJobRun",
            "prowler:PassRole+GlueUpdateJob+CreateTrigger",
        ),
        GLUE,
    ),
    _m(
        "passrole-cloudformation",
        "pass",
        "role",
        (
            (
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:UpdateStackSet",
                "cloudformation:CreateStackSet",
            ),
        ),
        "create or update a CloudFormation stack (set) that acts with the role",
        (
            "rhino:PassExistingRoleToNewCloudFormation",
            "cloudsplaining:PassExistingRoleToCloudFormation",
            "cloudsplaining:PassExistingRoleToNewCloudFormationStackSet",
            "cloudsplaining:PassRoleToUpdateCloudFormationStackSet",
            "prowler:PassRole+CloudFormationCreateStack",
            "prowler:PassRole+CloudFormationCreateStackSet",
            "prowler:PassRole+CloudFormationUpdateStackSet",
            "pmapper:cloudformation_edges",
        ),
        CFN,
        "a stack set also needs cloudformation:CreateStackInstances (Prowler, Cloudsplaining); "
        "CreateStack alone suffices, so the row asks one of the four",
    ),
    _m(
        "passrole-datapipeline",
        "pass",
        "role",
        (("datapipeline:CreatePipeline",), ("datapipeline:PutPipelineDefinition",)),
        "define a Data Pipeline that runs commands with the role",
        (
            "rhino:PassExistingRoleToNewDataPipeline",
            "cloudsplaining:PassExistingRoleToNewDataPipeline",
            "prowler:PassRole+DataPipeline",
            "pmapper:datapipeline_edges",
        ),
        DATAPIPELINE,
        "Prowler also asks datapipeline:ActivatePipeline; the EC2 resource role the "
        "pipeline starts is reached through passrole-ec2's targets only if that row holds too",
    ),
    _m(
        "passrole-codebuild",
        "pass",
        "role",
        (
            ("codebuild:CreateProject", "codebuild:UpdateProject"),
            ("codebuild:StartBuild", "codebuild:StartBuildBatch"),
        ),
        "create or update a CodeBuild project with the role and run a build",
        (
            "cloudsplaining:PassExistingRoleToNewCodeBuildProjectThenBuild",
            "cloudsplaining:PassExistingRoleToNewCodeBuildProjectThenBuildBatch",
            "prowler:PassRole+CodeBuildCreateProject+StartBuild",
            "prowler:PassRole+CodeBuildCreateProject+StartBuildBatch",
            "pmapper:codebuild_edges",
        ),
        CODEBUILD,
    ),
    _m(
        "passrole-sagemaker",
        "pass",
        "role",
        (
            (
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateProcessingJob",
            ),
        ),
        "start a SageMaker notebook, training or processing job with the role",
        (
            "rhino:PassRoleToNewSageMakerJupyterNotebook",
            "cloudsplaining:PassExistingRoleToNewSageMakerNotebookInstance",
            "cloudsplaining:PassExistingRoleToNewSageMakerTrainingJob",
            "cloudsplaining:PassExistingRoleToNewSageMakerProcessingJob",
            "prowler:PassRole+SageMakerCreateNotebookInstance",
            "prowler:PassRole+SageMakerCreateTrainingJob",
            "prowler:PassRole+SageMakerCreateProcessingJob",
            "pmapper:sagemaker_edges",
        ),
        SAGEMAKER,
    ),
    _m(
        "passrole-ecs-run-task",
        "pass",
        "role",
        (("ecs:RunTask",),),
        "run an ECS task with the role as its task role (an override of an existing definition)",
        ("prowler:PassRole+ECS+RunTask", "pmapper:ecs_edges"),
        ECS_TASKS,
    ),
    _m(
        "passrole-ecs-task-definition",
        "pass",
        "role",
        (
            ("ecs:RegisterTaskDefinition",),
            ("ecs:CreateService", "ecs:StartTask", "ecs:RunTask", "ecs:UpdateService"),
        ),
        "register a task definition with the role and start it",
        (
            "cloudsplaining:PassExistingRoleToNewECSService",
            "cloudsplaining:PassExistingRoleToNewECSTaskViaRunTask",
            "cloudsplaining:PassExistingRoleToNewECSTaskViaStartTask",
            "cloudsplaining:PassExistingRoleToNewECSClusterServiceTask",
            "cloudsplaining:PassExistingRoleToNewECSClusterRunTask",
            "prowler:PassRole+ECS+RegisterTaskDef+CreateService",
            "prowler:PassRole+ECS+RegisterTaskDef+RunTask",
            "prowler:PassRole+ECS+RegisterTaskDef+StartTask",
            "prowler:PassRole+ECS+StartTask",
        ),
        ECS_TASKS,
    ),
    _m(
        "passrole-batch",
        "pass",
        "role",
        (("batch:RegisterJobDefinition",), ("batch:SubmitJob",)),
        "register a Batch job definition with the role as job role and submit it",
        ("iamgate:issue (Batch)",),
        ECS_TASKS,
    ),
    _m(
        "passrole-emr",
        "pass",
        "role",
        (("elasticmapreduce:RunJobFlow",),),
        "start an EMR cluster whose instances carry the role",
        ("iamgate:issue (EMR)",),
        EC2,
    ),
    _m(
        "passrole-autoscaling",
        "pass",
        "role",
        (
            (
                "autoscaling:CreateLaunchConfiguration",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion",
            ),
            ("autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"),
        ),
        "create a launch configuration or template with the role and scale instances from it",
        (
            "prowler:PassRole+CreateAutoScaling",
            "prowler:PassRole+UpdateAutoScaling",
            "pmapper:autoscaling_edges",
        ),
        EC2,
    ),
    _m(
        "passrole-apprunner",
        "pass",
        "role",
        (("apprunner:CreateService",),),
        "create an App Runner service with the role as instance role",
        (
            "cloudsplaining:PassExistingRoleToNewAppRunnerService",
            "prowler:PassRole+AppRunnerCreateService",
        ),
        APPRUNNER,
    ),
    _m(
        "passrole-agentcore",
        "pass",
        "role",
        (
            ("bedrock-agentcore:CreateCodeInterpreter",),
            ("bedrock-agentcore:InvokeCodeInterpreter",),
        ),
        "create a Bedrock AgentCore code interpreter with the role and run code in it",
        (
            "cloudsplaining:PassExistingRoleToNewBedrockCodeInterpreter",
            "prowler:PassRole+AgentCoreCreateInterpreter+InvokeInterpreter",
        ),
        AGENTCORE,
        "Cloudsplaining also lists StartCodeInterpreterSession",
    ),
    _m(
        "passrole-codestar",
        "pass",
        "role",
        (("codestar:CreateProject",),),
        "create a CodeStar project with the role",
        ("rhino:PassExistingRoleToNewCodeStarProject", "prowler:PassRole+CodeStar"),
        CODESTAR,
        "CodeStar projects were discontinued in 2024; kept while old roles may trust it",
    ),
    # --- run code on existing compute ------------------------------------------------------------
    _m(
        "lambda-update-code",
        "existing",
        "role",
        (("lambda:UpdateFunctionCode",),),
        "replace the code of a function that runs under the role",
        (
            "rhino:EditExistingLambdaFunctionWithRole",
            "cloudsplaining:EditExistingLambdaFunctionWithRole",
            "cloudsplaining:UpdateAndInvokeLambdaFunction",
            "cloudsplaining:UpdateLambdaFunctionAndAddPermission",
            "prowler:lambda:UpdateFunctionCode",
            "prowler:UpdateFunctionCode+InvokeFunction",
            "prowler:UpdateFunctionCode+AddPermission",
            "pmapper:lambda_edges",
        ),
        LAMBDA,
    ),
    _m(
        "lambda-update-configuration",
        "existing",
        "role",
        (("lambda:UpdateFunctionConfiguration",),),
        "add a layer (code) to a function that runs under the role",
        (
            "rhino:AddExistingLambdaLayerToLambdaFunctionWithRole",
            "prowler:lambda:UpdateFunctionConfiguration",
        ),
        LAMBDA,
    ),
    _m(
        "glue-update-dev-endpoint",
        "existing",
        "role",
        (("glue:UpdateDevEndpoint",),),
        "add an SSH key to a Glue development endpoint that has the role",
        (
            "rhino:UpdateExistingGlueDevEndpoint",
            "cloudsplaining:UpdateExistingGlueDevEndpoint",
            "prowler:GlueUpdateDevEndpoint",
            "pmapper:glue_edges",
        ),
        GLUE,
    ),
    _m(
        "glue-update-job",
        "existing",
        "role",
        (("glue:UpdateJob",), ("glue:StartJobRun", "glue:CreateTrigger")),
        "change the script of a Glue job that has the role and run it",
        ("iamgate:existing-compute (the job keeps its role: no PassRole)",),
        GLUE,
    ),
    _m(
        "ssm-command",
        "existing",
        "role",
        (("ssm:SendCommand", "ssm:StartSession"),),
        "run commands on an EC2 instance that carries the role",
        ("prowler:SSMSendCommand", "prowler:SSMStartSession", "pmapper:ssm_edges"),
        EC2,
    ),
    _m(
        "ec2-instance-connect",
        "existing",
        "role",
        (
            (
                "ec2-instance-connect:SendSSHPublicKey",
                "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
            ),
        ),
        "push an SSH key to an EC2 instance that carries the role and log in",
        (
            "cloudsplaining:EC2InstanceConnectSendSSHPublicKey",
            "prowler:EC2InstanceConnect+SendSSHPublicKey",
        ),
        EC2,
    ),
    _m(
        "ec2-user-data",
        "existing",
        "role",
        (("ec2:ModifyInstanceAttribute",), ("ec2:StopInstances",), ("ec2:StartInstances",)),
        "replace the user data of an instance that carries the role and restart it",
        (
            "cloudsplaining:ModifyEC2InstanceUserDataThenRestart",
            "prowler:EC2ModifyInstanceAttribute",
        ),
        EC2,
    ),
    _m(
        "ec2-launch-template",
        "existing",
        "role",
        (("ec2:CreateLaunchTemplateVersion",), ("ec2:ModifyLaunchTemplate",)),
        "change the launch template that instances with the role start from",
        ("cloudsplaining:ModifyExistingEC2LaunchTemplate", "prowler:EC2ModifyLaunchTemplate"),
        EC2,
    ),
    _m(
        "autoscaling-existing-configuration",
        "existing",
        "role",
        (("autoscaling:CreateAutoScalingGroup",),),
        "start instances from an existing launch configuration that carries the role",
        ("pmapper:autoscaling_edges",),
        EC2,
    ),
    _m(
        "ecs-execute-command",
        "existing",
        "role",
        (("ecs:ExecuteCommand",),),
        "open a shell in a running ECS task that has the role",
        ("cloudsplaining:ECSExecuteCommandOnRunningTask", "prowler:ECS+ExecuteCommand"),
        ECS_TASKS,
    ),
    _m(
        "codebuild-start-build",
        "existing",
        "role",
        (("codebuild:StartBuild", "codebuild:StartBuildBatch"),),
        "start a build of a project with the role, with a buildspec override",
        (
            "prowler:CodeBuildStartBuild",
            "prowler:CodeBuildStartBuildBatch",
            "pmapper:codebuild_edges",
        ),
        CODEBUILD,
    ),
    _m(
        "cloudformation-update-stack",
        "existing",
        "role",
        (("cloudformation:UpdateStack", "cloudformation:ExecuteChangeSet"),),
        "update a stack that has the role as its service role",
        (
            "prowler:CloudFormationUpdateStack",
            "prowler:CloudFormationChangeSet",
            "cloudsplaining:ExecuteCloudFormationChangeSet",
            "pmapper:cloudformation_edges",
        ),
        CFN,
        "a change set also needs cloudformation:CreateChangeSet",
    ),
    _m(
        "sagemaker-notebook",
        "existing",
        "role",
        (
            (
                "sagemaker:CreatePresignedNotebookInstanceUrl",
                "sagemaker:CreateNotebookInstanceLifecycleConfig",
            ),
        ),
        "open (or add a start-up script to) a notebook instance that has the role",
        (
            "rhino:AccessExistingSageMakerJupyterNotebook",
            "cloudsplaining:CreatePresignedSageMakerNotebookUrl",
            "cloudsplaining:UpdateSageMakerNotebookLifecycleConfig",
            "prowler:SageMakerCreatePresignedNotebookInstanceUrl",
            "prowler:SageMakerNotebookLifecycleConfig",
        ),
        SAGEMAKER,
        "the lifecycle route also needs Stop/Update/StartNotebookInstance",
    ),
    _m(
        "apprunner-update-service",
        "existing",
        "role",
        (("apprunner:UpdateService",),),
        "deploy new code to an App Runner service that has the role",
        ("prowler:AppRunnerUpdateService",),
        APPRUNNER,
    ),
    _m(
        "agentcore-session",
        "existing",
        "role",
        (
            ("bedrock-agentcore:StartCodeInterpreterSession",),
            ("bedrock-agentcore:InvokeCodeInterpreter",),
        ),
        "run code in an existing Bedrock AgentCore code interpreter that has the role",
        (
            "cloudsplaining:AccessExistingBedrockCodeInterpreterSession",
            "prowler:AgentCoreSessionInvoke",
        ),
        AGENTCORE,
    ),
    _m(
        "codestar-template",
        "existing",
        "role",
        (("codestar:CreateProjectFromTemplate", "codestar:AssociateTeamMember"),),
        "create a CodeStar project from a template (or join one) to act through its roles",
        (
            "rhino:CodeStarCreateProjectFromTemplate",
            "rhino:CodeStarCreateProjectThenAssociateTeamMember",
        ),
        CODESTAR,
    ),
)

BY_ID = {m.id: m for m in METHODS}

# IAM writes that change who holds what: holding one a principal lacks is an escalation prize.
IAM_WRITE: tuple[str, ...] = (
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
    "iam:CreateRole",
    "iam:CreateUser",
)

# Every combination the sources list, and the rows (or chains of rows) that cover it.
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "prowler:OverPermissiveIAM (iam:*)": ("put-user-policy", "put-role-policy"),
    "prowler:AttachUserPolicy+CreateAccessKey": ("attach-user-policy", "create-access-key"),
    "prowler:PutUserPolicy+CreateAccessKey": ("put-user-policy", "create-access-key"),
    "prowler:AttachRolePolicy+UpdateAssumeRolePolicy": (
        "attach-role-policy",
        "update-assume-role-policy",
    ),
    "prowler:CreatePolicyVersion+UpdateAssumeRolePolicy": (
        "create-policy-version",
        "update-assume-role-policy",
    ),
    "prowler:PutRolePolicy+UpdateAssumeRolePolicy": (
        "put-role-policy",
        "update-assume-role-policy",
    ),
    "prowler:AssumeRole+AttachRolePolicy": ("assume-role", "attach-role-policy"),
    "prowler:AssumeRole+PutRolePolicy": ("assume-role", "put-role-policy"),
    "prowler:AssumeRole+UpdateAssumeRolePolicy": ("update-assume-role-policy",),
    "prowler:AssumeRole+CreatePolicyVersion": ("assume-role", "create-policy-version"),
    "cloudsplaining:CreatePolicyVersionThenAssumeRole": ("assume-role", "create-policy-version"),
    "rhino:AttachRolePolicy (+sts:AssumeRole)": ("assume-role", "attach-role-policy"),
    "rhino:PutRolePolicy (+sts:AssumeRole)": ("assume-role", "put-role-policy"),
}


def sources() -> list[str]:
    """Every source entry named by a row, sorted (for coverage tests and docs)."""
    return sorted({s for m in METHODS for s in m.sources})
