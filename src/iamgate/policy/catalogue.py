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


@dataclass(frozen=True, slots=True, kw_only=True)
class Method:
    """One way of obtaining another principal's access (see the edge kinds above)."""

    id: str
    kind: EdgeKind
    target: Target
    actions: tuple[tuple[str, ...], ...]
    title: str
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

METHODS: tuple[Method, ...] = (
    # --- become another principal --------------------------------------------------------------
    Method(
        id="assume-role",
        kind="assume",
        target="role",
        actions=(("sts:AssumeRole",),),
        title="assume a role whose trust policy admits it",
        sources=(
            "pmapper:sts_edges",
            "prowler:AssumeRole+*",
            "cloudsplaining:CreatePolicyVersionThenAssumeRole",
            "rhino:AttachRolePolicy/PutRolePolicy/UpdateRolePolicyToAssumeIt (with sts:AssumeRole)",
        ),
        note="same-account trust that names the principal's ARN needs no identity permission",
    ),
    Method(
        id="create-access-key",
        kind="credentials",
        target="user",
        actions=(("iam:CreateAccessKey",),),
        title="create an access key for the user",
        sources=(
            "rhino:CreateAccessKey",
            "cloudsplaining:CreateAccessKey",
            "prowler:iam:CreateAccessKey",
            "prowler:CreateAccessKey+DeleteAccessKey",
            "cloudsplaining:CreateAndRotateAccessKey",
            "pmapper:iam_edges",
        ),
        note="a user with two keys needs iam:DeleteAccessKey first; key counts are not collected",
    ),
    Method(
        id="create-login-profile",
        kind="credentials",
        target="user",
        actions=(("iam:CreateLoginProfile",),),
        title="give the user a console password",
        sources=(
            "rhino:CreateLoginProfile",
            "cloudsplaining:CreateLoginProfile",
            "prowler:iam:CreateLoginProfile",
            "pmapper:iam_edges",
        ),
    ),
    Method(
        id="update-login-profile",
        kind="credentials",
        target="user",
        actions=(("iam:UpdateLoginProfile",),),
        title="change the user's console password",
        sources=(
            "rhino:UpdateLoginProfile",
            "cloudsplaining:UpdateLoginProfile",
            "prowler:iam:UpdateLoginProfile",
            "pmapper:iam_edges",
        ),
    ),
    Method(
        id="update-assume-role-policy",
        kind="trust",
        target="role",
        actions=(("iam:UpdateAssumeRolePolicy",),),
        title="rewrite the role's trust policy to trust itself, then assume it",
        sources=(
            "rhino:UpdateRolePolicyToAssumeIt",
            "cloudsplaining:UpdateRolePolicyToAssumeIt",
            "prowler:iam:UpdateAssumeRolePolicy",
            "prowler:AssumeRole+UpdateAssumeRolePolicy",
            "pmapper:iam_edges",
        ),
    ),
    Method(
        id="add-user-to-group",
        kind="join",
        target="group",
        actions=(("iam:AddUserToGroup",),),
        title="add itself to the group",
        sources=(
            "rhino:AddUserToGroup",
            "cloudsplaining:AddUserToGroup",
            "prowler:iam:AddUserToGroup",
        ),
    ),
    # --- write policies ------------------------------------------------------------------------
    Method(
        id="put-user-policy",
        kind="modify",
        target="user",
        actions=(("iam:PutUserPolicy",),),
        title="write an inline policy on the user",
        sources=(
            "rhino:PutUserPolicy",
            "cloudsplaining:PutUserPolicy",
            "prowler:iam:PutUserPolicy",
            "prowler:IAMPut",
            "prowler:PutUserPolicy+CreateAccessKey",
            "cloudsplaining:PutUserPolicyThenCreateAccessKey",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="attach-user-policy",
        kind="modify",
        target="user",
        actions=(("iam:AttachUserPolicy",),),
        title="attach any managed policy (AdministratorAccess) to the user",
        sources=(
            "rhino:AttachUserPolicy",
            "cloudsplaining:AttachUserPolicy",
            "prowler:iam:AttachUserPolicy",
            "prowler:AttachUserPolicy+CreateAccessKey",
            "cloudsplaining:AttachUserPolicyThenCreateAccessKey",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="put-group-policy",
        kind="modify",
        target="group",
        actions=(("iam:PutGroupPolicy",),),
        title="write an inline policy on the group",
        sources=(
            "rhino:PutGroupPolicy",
            "cloudsplaining:PutGroupPolicy",
            "prowler:iam:PutGroupPolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="attach-group-policy",
        kind="modify",
        target="group",
        actions=(("iam:AttachGroupPolicy",),),
        title="attach any managed policy to the group",
        sources=(
            "rhino:AttachGroupPolicy",
            "cloudsplaining:AttachGroupPolicy",
            "prowler:iam:AttachGroupPolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="put-role-policy",
        kind="modify",
        target="role",
        actions=(("iam:PutRolePolicy",),),
        title="write an inline policy on the role",
        sources=(
            "rhino:PutRolePolicy",
            "cloudsplaining:PutRolePolicy",
            "prowler:iam:PutRolePolicy",
            "prowler:AssumeRole+PutRolePolicy",
            "prowler:PutRolePolicy+UpdateAssumeRolePolicy",
            "cloudsplaining:PutRolePolicyThenUpdateAssumeRolePolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="attach-role-policy",
        kind="modify",
        target="role",
        actions=(("iam:AttachRolePolicy",),),
        title="attach any managed policy to the role",
        sources=(
            "rhino:AttachRolePolicy",
            "cloudsplaining:AttachRolePolicy",
            "prowler:iam:AttachRolePolicy",
            "prowler:AssumeRole+AttachRolePolicy",
            "prowler:AttachRolePolicy+UpdateAssumeRolePolicy",
            "cloudsplaining:AttachRolePolicyThenUpdateAssumeRolePolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="create-policy-version",
        kind="modify",
        target="policy",
        actions=(("iam:CreatePolicyVersion",),),
        title="write a new default version of a customer-managed policy attached to the target",
        sources=(
            "rhino:CreateNewPolicyVersion",
            "cloudsplaining:CreateNewPolicyVersion",
            "prowler:CreatePolicyVersion",
            "prowler:AssumeRole+CreatePolicyVersion",
            "prowler:CreatePolicyVersion+UpdateAssumeRolePolicy",
            "cloudsplaining:CreatePolicyVersionThenUpdateAssumeRolePolicy",
            "pmapper:gathering.update_admin_status",
        ),
    ),
    Method(
        id="set-default-policy-version",
        kind="modify",
        target="policy",
        actions=(("iam:SetDefaultPolicyVersion",),),
        title="make another version of a customer-managed policy attached to the target the "
        "default",
        sources=(
            "rhino:SetExistingDefaultPolicyVersion",
            "cloudsplaining:SetExistingDefaultPolicyVersion",
            "prowler:SetDefaultPolicyVersion",
        ),
        note="non-default versions are not collected: assumed to be able to grant anything",
    ),
    Method(
        id="delete-user-permissions-boundary",
        kind="boundary",
        target="user",
        actions=(("iam:DeleteUserPermissionsBoundary",),),
        title="remove the user's permissions boundary",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="put-user-permissions-boundary",
        kind="boundary",
        target="user",
        actions=(("iam:PutUserPermissionsBoundary",),),
        title="replace the user's permissions boundary",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="delete-role-permissions-boundary",
        kind="boundary",
        target="role",
        actions=(("iam:DeleteRolePermissionsBoundary",),),
        title="remove the role's permissions boundary",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="put-role-permissions-boundary",
        kind="boundary",
        target="role",
        actions=(("iam:PutRolePermissionsBoundary",),),
        title="replace the role's permissions boundary",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="create-role",
        kind="new",
        target="new",
        actions=(("iam:CreateRole",), ("iam:AttachRolePolicy", "iam:PutRolePolicy")),
        title="create a role that trusts itself and give it any policy",
        sources=("pmapper:gathering.update_admin_status",),
        note="a Condition on iam:PermissionsBoundary can force a boundary: the edge is conditioned",
    ),
    Method(
        id="create-user",
        kind="new",
        target="new",
        actions=(
            ("iam:CreateUser",),
            ("iam:CreateAccessKey", "iam:CreateLoginProfile"),
            ("iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup"),
        ),
        title="create a user with credentials and give it any policy",
        sources=("iamgate:new principal",),
    ),
    # --- pass a role to a service that runs code -------------------------------------------------
    Method(
        id="passrole-ec2",
        kind="pass",
        target="role",
        actions=(
            (
                "ec2:RunInstances",
                "ec2:RequestSpotInstances",
                "ec2:AssociateIamInstanceProfile",
                "ec2:ReplaceIamInstanceProfileAssociation",
            ),
        ),
        title="start an EC2 instance with the role's instance profile",
        sources=(
            "rhino:CreateEC2WithExistingIP",
            "cloudsplaining:CreateEC2WithExistingIP",
            "cloudsplaining:PassExistingRoleToNewEC2SpotInstance",
            "prowler:PassRole+EC2",
            "prowler:PassRole+EC2SpotInstances",
            "pmapper:ec2_edges",
        ),
        service=EC2,
        note="instance profiles are not collected: every role trusting EC2 counts",
    ),
    Method(
        id="passrole-lambda",
        kind="pass",
        target="role",
        actions=(
            ("lambda:CreateFunction",),
            ("lambda:InvokeFunction", "lambda:CreateEventSourceMapping", "lambda:AddPermission"),
        ),
        title="create a Lambda function under the role and invoke or trigger it",
        sources=(
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
        service=LAMBDA,
        note="PMapper needs lambda:CreateFunction alone; the other sources also need a way to "
        "run it, as here",
    ),
    Method(
        id="passrole-lambda-update",
        kind="pass",
        target="role",
        actions=(("lambda:UpdateFunctionConfiguration",), ("lambda:UpdateFunctionCode",)),
        title="move an existing function to the role and replace its code",
        sources=("pmapper:lambda_edges",),
        service=LAMBDA,
    ),
    Method(
        id="passrole-glue-dev-endpoint",
        kind="pass",
        target="role",
        actions=(("glue:CreateDevEndpoint",),),
        title="create a Glue development endpoint with the role and log in to it",
        sources=(
            "rhino:PassExistingRoleToNewGlueDevEndpoint",
            "cloudsplaining:PassExistingRoleToNewGlueDevEndpoint",
            "prowler:PassRole+GlueCreateDevEndpoint",
            "pmapper:glue_edges",
        ),
        service=GLUE,
    ),
    Method(
        id="passrole-glue-job",
        kind="pass",
        target="role",
        actions=(("glue:CreateJob", "glue:UpdateJob"), ("glue:StartJobRun", "glue:CreateTrigger")),
        title="create or update a Glue job with the role and run it",
        sources=(
            "cloudsplaining:PassExistingRoleToNewGlueJobThenRun",
            "cloudsplaining:PassExistingRoleToNewGlueJobViaTrigger",
            "cloudsplaining:PassExistingRoleToUpdatedGlueJobThenRun",
            "cloudsplaining:PassExistingRoleToUpdatedGlueJobViaTrigger",
            "prowler:PassRole+GlueCreateJob+StartJobRun",
            "prowler:PassRole+GlueCreateJob+CreateTrigger",
            "prowler:PassRole+GlueUpdateJob+StartJobRun",
            "prowler:PassRole+GlueUpdateJob+CreateTrigger",
        ),
        service=GLUE,
    ),
    Method(
        id="passrole-cloudformation",
        kind="pass",
        target="role",
        actions=(
            (
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:UpdateStackSet",
                "cloudformation:CreateStackSet",
            ),
        ),
        title="create or update a CloudFormation stack (set) that acts with the role",
        sources=(
            "rhino:PassExistingRoleToNewCloudFormation",
            "cloudsplaining:PassExistingRoleToCloudFormation",
            "cloudsplaining:PassExistingRoleToNewCloudFormationStackSet",
            "cloudsplaining:PassRoleToUpdateCloudFormationStackSet",
            "prowler:PassRole+CloudFormationCreateStack",
            "prowler:PassRole+CloudFormationCreateStackSet",
            "prowler:PassRole+CloudFormationUpdateStackSet",
            "pmapper:cloudformation_edges",
        ),
        service=CFN,
        note="a stack set also needs cloudformation:CreateStackInstances (Prowler, "
        "Cloudsplaining); CreateStack alone suffices, so the row asks one of the four",
    ),
    Method(
        id="passrole-datapipeline",
        kind="pass",
        target="role",
        actions=(("datapipeline:CreatePipeline",), ("datapipeline:PutPipelineDefinition",)),
        title="define a Data Pipeline that runs commands with the role",
        sources=(
            "rhino:PassExistingRoleToNewDataPipeline",
            "cloudsplaining:PassExistingRoleToNewDataPipeline",
            "prowler:PassRole+DataPipeline",
            "pmapper:datapipeline_edges",
        ),
        service=DATAPIPELINE,
        note="Prowler also asks datapipeline:ActivatePipeline; the EC2 resource role the "
        "pipeline starts is reached through passrole-ec2's targets only if that row holds too",
    ),
    Method(
        id="passrole-codebuild",
        kind="pass",
        target="role",
        actions=(
            ("codebuild:CreateProject", "codebuild:UpdateProject"),
            ("codebuild:StartBuild", "codebuild:StartBuildBatch"),
        ),
        title="create or update a CodeBuild project with the role and run a build",
        sources=(
            "cloudsplaining:PassExistingRoleToNewCodeBuildProjectThenBuild",
            "cloudsplaining:PassExistingRoleToNewCodeBuildProjectThenBuildBatch",
            "prowler:PassRole+CodeBuildCreateProject+StartBuild",
            "prowler:PassRole+CodeBuildCreateProject+StartBuildBatch",
            "pmapper:codebuild_edges",
        ),
        service=CODEBUILD,
    ),
    Method(
        id="passrole-sagemaker",
        kind="pass",
        target="role",
        actions=(
            (
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateProcessingJob",
            ),
        ),
        title="start a SageMaker notebook, training or processing job with the role",
        sources=(
            "rhino:PassRoleToNewSageMakerJupyterNotebook",
            "cloudsplaining:PassExistingRoleToNewSageMakerNotebookInstance",
            "cloudsplaining:PassExistingRoleToNewSageMakerTrainingJob",
            "cloudsplaining:PassExistingRoleToNewSageMakerProcessingJob",
            "prowler:PassRole+SageMakerCreateNotebookInstance",
            "prowler:PassRole+SageMakerCreateTrainingJob",
            "prowler:PassRole+SageMakerCreateProcessingJob",
            "pmapper:sagemaker_edges",
        ),
        service=SAGEMAKER,
    ),
    Method(
        id="passrole-ecs-run-task",
        kind="pass",
        target="role",
        actions=(("ecs:RunTask",),),
        title="run an ECS task with the role as its task role (an override of an existing "
        "definition)",
        sources=("prowler:PassRole+ECS+RunTask", "pmapper:ecs_edges"),
        service=ECS_TASKS,
    ),
    Method(
        id="passrole-ecs-task-definition",
        kind="pass",
        target="role",
        actions=(
            ("ecs:RegisterTaskDefinition",),
            ("ecs:CreateService", "ecs:StartTask", "ecs:RunTask", "ecs:UpdateService"),
        ),
        title="register a task definition with the role and start it",
        sources=(
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
        service=ECS_TASKS,
    ),
    Method(
        id="passrole-batch",
        kind="pass",
        target="role",
        actions=(("batch:RegisterJobDefinition",), ("batch:SubmitJob",)),
        title="register a Batch job definition with the role as job role and submit it",
        sources=("iamgate:issue (Batch)",),
        service=ECS_TASKS,
    ),
    Method(
        id="passrole-emr",
        kind="pass",
        target="role",
        actions=(("elasticmapreduce:RunJobFlow",),),
        title="start an EMR cluster whose instances carry the role",
        sources=("iamgate:issue (EMR)",),
        service=EC2,
    ),
    Method(
        id="passrole-autoscaling",
        kind="pass",
        target="role",
        actions=(
            (
                "autoscaling:CreateLaunchConfiguration",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion",
            ),
            ("autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"),
        ),
        title="create a launch configuration or template with the role and scale instances from it",
        sources=(
            "prowler:PassRole+CreateAutoScaling",
            "prowler:PassRole+UpdateAutoScaling",
            "pmapper:autoscaling_edges",
        ),
        service=EC2,
    ),
    Method(
        id="passrole-apprunner",
        kind="pass",
        target="role",
        actions=(("apprunner:CreateService",),),
        title="create an App Runner service with the role as instance role",
        sources=(
            "cloudsplaining:PassExistingRoleToNewAppRunnerService",
            "prowler:PassRole+AppRunnerCreateService",
        ),
        service=APPRUNNER,
    ),
    Method(
        id="passrole-agentcore",
        kind="pass",
        target="role",
        actions=(
            ("bedrock-agentcore:CreateCodeInterpreter",),
            ("bedrock-agentcore:InvokeCodeInterpreter",),
        ),
        title="create a Bedrock AgentCore code interpreter with the role and run code in it",
        sources=(
            "cloudsplaining:PassExistingRoleToNewBedrockCodeInterpreter",
            "prowler:PassRole+AgentCoreCreateInterpreter+InvokeInterpreter",
        ),
        service=AGENTCORE,
        note="Cloudsplaining also lists StartCodeInterpreterSession",
    ),
    Method(
        id="passrole-codestar",
        kind="pass",
        target="role",
        actions=(("codestar:CreateProject",),),
        title="create a CodeStar project with the role",
        sources=("rhino:PassExistingRoleToNewCodeStarProject", "prowler:PassRole+CodeStar"),
        service=CODESTAR,
        note="CodeStar projects were discontinued in 2024; kept while old roles may trust it",
    ),
    # --- run code on existing compute ------------------------------------------------------------
    Method(
        id="lambda-update-code",
        kind="existing",
        target="role",
        actions=(("lambda:UpdateFunctionCode",),),
        title="replace the code of a function that runs under the role",
        sources=(
            "rhino:EditExistingLambdaFunctionWithRole",
            "cloudsplaining:EditExistingLambdaFunctionWithRole",
            "cloudsplaining:UpdateAndInvokeLambdaFunction",
            "cloudsplaining:UpdateLambdaFunctionAndAddPermission",
            "prowler:lambda:UpdateFunctionCode",
            "prowler:UpdateFunctionCode+InvokeFunction",
            "prowler:UpdateFunctionCode+AddPermission",
            "pmapper:lambda_edges",
        ),
        service=LAMBDA,
    ),
    Method(
        id="lambda-update-configuration",
        kind="existing",
        target="role",
        actions=(("lambda:UpdateFunctionConfiguration",),),
        title="add a layer (code) to a function that runs under the role",
        sources=(
            "rhino:AddExistingLambdaLayerToLambdaFunctionWithRole",
            "prowler:lambda:UpdateFunctionConfiguration",
        ),
        service=LAMBDA,
    ),
    Method(
        id="glue-update-dev-endpoint",
        kind="existing",
        target="role",
        actions=(("glue:UpdateDevEndpoint",),),
        title="add an SSH key to a Glue development endpoint that has the role",
        sources=(
            "rhino:UpdateExistingGlueDevEndpoint",
            "cloudsplaining:UpdateExistingGlueDevEndpoint",
            "prowler:GlueUpdateDevEndpoint",
            "pmapper:glue_edges",
        ),
        service=GLUE,
    ),
    Method(
        id="glue-update-job",
        kind="existing",
        target="role",
        actions=(("glue:UpdateJob",), ("glue:StartJobRun", "glue:CreateTrigger")),
        title="change the script of a Glue job that has the role and run it",
        sources=("iamgate:existing-compute (the job keeps its role: no PassRole)",),
        service=GLUE,
    ),
    Method(
        id="ssm-command",
        kind="existing",
        target="role",
        actions=(("ssm:SendCommand", "ssm:StartSession"),),
        title="run commands on an EC2 instance that carries the role",
        sources=("prowler:SSMSendCommand", "prowler:SSMStartSession", "pmapper:ssm_edges"),
        service=EC2,
    ),
    Method(
        id="ec2-instance-connect",
        kind="existing",
        target="role",
        actions=(
            (
                "ec2-instance-connect:SendSSHPublicKey",
                "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
            ),
        ),
        title="push an SSH key to an EC2 instance that carries the role and log in",
        sources=(
            "cloudsplaining:EC2InstanceConnectSendSSHPublicKey",
            "prowler:EC2InstanceConnect+SendSSHPublicKey",
        ),
        service=EC2,
    ),
    Method(
        id="ec2-user-data",
        kind="existing",
        target="role",
        actions=(("ec2:ModifyInstanceAttribute",), ("ec2:StopInstances",), ("ec2:StartInstances",)),
        title="replace the user data of an instance that carries the role and restart it",
        sources=(
            "cloudsplaining:ModifyEC2InstanceUserDataThenRestart",
            "prowler:EC2ModifyInstanceAttribute",
        ),
        service=EC2,
    ),
    Method(
        id="ec2-launch-template",
        kind="existing",
        target="role",
        actions=(("ec2:CreateLaunchTemplateVersion",), ("ec2:ModifyLaunchTemplate",)),
        title="change the launch template that instances with the role start from",
        sources=(
            "cloudsplaining:ModifyExistingEC2LaunchTemplate",
            "prowler:EC2ModifyLaunchTemplate",
        ),
        service=EC2,
    ),
    Method(
        id="autoscaling-existing-configuration",
        kind="existing",
        target="role",
        actions=(("autoscaling:CreateAutoScalingGroup",),),
        title="start instances from an existing launch configuration that carries the role",
        sources=("pmapper:autoscaling_edges",),
        service=EC2,
    ),
    Method(
        id="ecs-execute-command",
        kind="existing",
        target="role",
        actions=(("ecs:ExecuteCommand",),),
        title="open a shell in a running ECS task that has the role",
        sources=("cloudsplaining:ECSExecuteCommandOnRunningTask", "prowler:ECS+ExecuteCommand"),
        service=ECS_TASKS,
    ),
    Method(
        id="codebuild-start-build",
        kind="existing",
        target="role",
        actions=(("codebuild:StartBuild", "codebuild:StartBuildBatch"),),
        title="start a build of a project with the role, with a buildspec override",
        sources=(
            "prowler:CodeBuildStartBuild",
            "prowler:CodeBuildStartBuildBatch",
            "pmapper:codebuild_edges",
        ),
        service=CODEBUILD,
    ),
    Method(
        id="cloudformation-update-stack",
        kind="existing",
        target="role",
        actions=(("cloudformation:UpdateStack", "cloudformation:ExecuteChangeSet"),),
        title="update a stack that has the role as its service role",
        sources=(
            "prowler:CloudFormationUpdateStack",
            "prowler:CloudFormationChangeSet",
            "cloudsplaining:ExecuteCloudFormationChangeSet",
            "pmapper:cloudformation_edges",
        ),
        service=CFN,
        note="a change set also needs cloudformation:CreateChangeSet",
    ),
    Method(
        id="sagemaker-notebook",
        kind="existing",
        target="role",
        actions=(
            (
                "sagemaker:CreatePresignedNotebookInstanceUrl",
                "sagemaker:CreateNotebookInstanceLifecycleConfig",
            ),
        ),
        title="open (or add a start-up script to) a notebook instance that has the role",
        sources=(
            "rhino:AccessExistingSageMakerJupyterNotebook",
            "cloudsplaining:CreatePresignedSageMakerNotebookUrl",
            "cloudsplaining:UpdateSageMakerNotebookLifecycleConfig",
            "prowler:SageMakerCreatePresignedNotebookInstanceUrl",
            "prowler:SageMakerNotebookLifecycleConfig",
        ),
        service=SAGEMAKER,
        note="the lifecycle route also needs Stop/Update/StartNotebookInstance",
    ),
    Method(
        id="apprunner-update-service",
        kind="existing",
        target="role",
        actions=(("apprunner:UpdateService",),),
        title="deploy new code to an App Runner service that has the role",
        sources=("prowler:AppRunnerUpdateService",),
        service=APPRUNNER,
    ),
    Method(
        id="agentcore-session",
        kind="existing",
        target="role",
        actions=(
            ("bedrock-agentcore:StartCodeInterpreterSession",),
            ("bedrock-agentcore:InvokeCodeInterpreter",),
        ),
        title="run code in an existing Bedrock AgentCore code interpreter that has the role",
        sources=(
            "cloudsplaining:AccessExistingBedrockCodeInterpreterSession",
            "prowler:AgentCoreSessionInvoke",
        ),
        service=AGENTCORE,
    ),
    Method(
        id="codestar-template",
        kind="existing",
        target="role",
        actions=(("codestar:CreateProjectFromTemplate", "codestar:AssociateTeamMember"),),
        title="create a CodeStar project from a template (or join one) to act through its roles",
        sources=(
            "rhino:CodeStarCreateProjectFromTemplate",
            "rhino:CodeStarCreateProjectThenAssociateTeamMember",
        ),
        service=CODESTAR,
    ),
)

BY_ID = {m.id: m for m in METHODS}


def of_kind(*kinds: EdgeKind) -> tuple[Method, ...]:
    """The rows of these edge kinds, in catalogue order (the order explanations try them)."""
    return tuple(m for m in METHODS if m.kind in kinds)


def writes(kind: Literal["modify", "boundary"], target: Target) -> tuple[str, ...]:
    """The IAM actions of the ``modify`` (or ``boundary``) rows on ``target``, in catalogue
    order: ``writes("modify", "user")`` is ``("iam:PutUserPolicy", "iam:AttachUserPolicy")``."""
    return tuple(m.actions[0][0] for m in METHODS if m.kind == kind and m.target == target)


def _validate(rows: tuple[Method, ...]) -> None:
    """Refuse a malformed row at import: ids are unique, only ``pass``/``existing`` rows name
    a service, and an IAM row (every kind but those and ``new``) is one action on its target."""
    seen: set[str] = set()
    for m in rows:
        if m.id in seen:
            raise ValueError(f"escalation row {m.id!r} is declared twice")
        seen.add(m.id)
        if (m.kind in ("pass", "existing")) != bool(m.service):
            raise ValueError(f"escalation row {m.id!r}: a service goes with pass/existing rows")
        if not m.actions or not all(m.actions):
            raise ValueError(f"escalation row {m.id!r} needs at least one action per step")
        single = m.kind not in ("pass", "existing", "new")
        if single and (len(m.actions) != 1 or len(m.actions[0]) != 1):
            raise ValueError(f"escalation row {m.id!r} ({m.kind}) is one action on its target")


_validate(METHODS)

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
