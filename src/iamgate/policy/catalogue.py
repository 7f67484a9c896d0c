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

To refresh: ``tools/refresh_escalation_sources.py`` rebuilds the vendored lists
(``tests/data/escalation_sources/*.json``: each method's name and actions, with the commit and
date read) from fetched checkouts of the four repositories, and
``tests/unit/policy/test_escalation_sources.py`` then names every method no row covers. A new
method either maps to existing rows (a row's ``sources``, or a chain in :data:`COMBINATIONS`),
needs a new row (with its AWS documentation link in ``docs``), or is left out with the reason in
:data:`NOT_MODELLED`. Ids are stable: they appear in messages.

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

METHODS: tuple[Method, ...] = (
    # --- become another principal --------------------------------------------------------------
    Method(
        id="assume-role",
        kind="assume",
        target="role",
        actions=(("sts:AssumeRole",),),
        title="assume a role whose trust policy admits it",
        docs="https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html",
        sources=(
            "rhino:CreateAccessKey",
            "cloudsplaining:CreateAccessKey",
            "prowler:iam:CreateAccessKey",
            "prowler:CreateAccessKey+DeleteAccessKey",
            "cloudsplaining:CreateAndRotateAccessKey",
            "pmapper:iam_edges",
        ),
        note="a user with two keys needs iam:DeleteAccessKey first (escalation/preconditions.py)",
    ),
    Method(
        id="create-login-profile",
        kind="credentials",
        target="user",
        actions=(("iam:CreateLoginProfile",),),
        title="give the user a console password",
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachUserPolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutGroupPolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachGroupPolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachRolePolicy.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPermissionsBoundary.html",
        sources=(
            "iamgate:permissions boundaries (in iamgate since its first escalation list)",
            "prowler:iam:DeleteUserPermissionsBoundary",
        ),
    ),
    Method(
        id="put-user-permissions-boundary",
        kind="boundary",
        target="user",
        actions=(("iam:PutUserPermissionsBoundary",),),
        title="replace the user's permissions boundary",
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="delete-role-permissions-boundary",
        kind="boundary",
        target="role",
        actions=(("iam:DeleteRolePermissionsBoundary",),),
        title="remove the role's permissions boundary",
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePermissionsBoundary.html",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="put-role-permissions-boundary",
        kind="boundary",
        target="role",
        actions=(("iam:PutRolePermissionsBoundary",),),
        title="replace the role's permissions boundary",
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html",
        sources=("iamgate:permissions boundaries (in iamgate since its first escalation list)",),
    ),
    Method(
        id="create-role",
        kind="new",
        target="new",
        actions=(("iam:CreateRole",), ("iam:AttachRolePolicy", "iam:PutRolePolicy")),
        title="create a role that trusts itself and give it any policy",
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html",
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
        docs="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html",
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
        docs="https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
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
        docs="https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html",
        sources=("pmapper:lambda_edges",),
        service=LAMBDA,
    ),
    Method(
        id="passrole-glue-dev-endpoint",
        kind="pass",
        target="role",
        actions=(("glue:CreateDevEndpoint",),),
        title="create a Glue development endpoint with the role and log in to it",
        docs="https://docs.aws.amazon.com/glue/latest/webapi/API_CreateDevEndpoint.html",
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
        docs="https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html",
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
        docs="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
        sources=(
            "rhino:PassExistingRoleToNewCloudFormation",
            "rhino:PassExistingRoleToCloudFormation",
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
        docs="https://docs.aws.amazon.com/datapipeline/latest/DeveloperGuide/dp-iam-roles.html",
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
        docs="https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html",
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
        docs="https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html",
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
        docs="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskOverride.html",
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
        docs="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
        sources=(
            "cloudsplaining:PassExistingRoleToNewECSService",
            "cloudsplaining:PassExistingRoleToNewECSTaskViaRunTask",
            "cloudsplaining:PassExistingRoleToNewECSTaskViaStartTask",
            "cloudsplaining:PassExistingRoleToNewECSClusterServiceTask",
            "cloudsplaining:PassExistingRoleToNewECSClusterRunTask",
            "prowler:PassRole+ECS+RegisterTaskDef+CreateService",
            "prowler:PassRole+ECS+RegisterTaskDef+RunTask",
            "prowler:PassRole+ECS+RegisterTaskDef+StartTask",
        ),
        service=ECS_TASKS,
    ),
    Method(
        id="passrole-batch",
        kind="pass",
        target="role",
        actions=(("batch:RegisterJobDefinition",), ("batch:SubmitJob",)),
        title="register a Batch job definition with the role as job role and submit it",
        docs="https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html",
        sources=("iamgate:issue (Batch)", "prowler:PassRole+BatchRegisterJobDef+SubmitJob"),
        service=ECS_TASKS,
    ),
    Method(
        id="passrole-emr",
        kind="pass",
        target="role",
        actions=(("elasticmapreduce:RunJobFlow",),),
        title="start an EMR cluster whose instances carry the role",
        docs="https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-iam-role-for-ec2.html",
        sources=("iamgate:issue (EMR)", "prowler:PassRole+EMRRunJobFlow"),
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
        docs="https://docs.aws.amazon.com/autoscaling/ec2/userguide/us-iam-role.html",
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
        docs="https://docs.aws.amazon.com/apprunner/latest/api/API_InstanceConfiguration.html",
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
        docs="https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateCodeInterpreter.html",
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
        docs="https://docs.aws.amazon.com/codestar/latest/APIReference/API_CreateProject.html",
        sources=("rhino:PassExistingRoleToNewCodeStarProject", "prowler:PassRole+CodeStar"),
        service=CODESTAR,
        note="CodeStar projects were discontinued in 2024; kept while old roles may trust it",
    ),
    # Added from the sources' heads (issue 20): each notes the AWS semantics its link documents.
    Method(
        id="passrole-ecs-start-task",
        kind="pass",
        target="role",
        actions=(("ecs:StartTask",),),
        title="start an ECS task on a container instance with the role as a task-role override",
        docs="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StartTask.html",
        sources=(
            "prowler:PassRole+ECSStartTaskExistingCluster",
            "prowler:PassRole+ECS+StartTask",
        ),
        service=ECS_TASKS,
        note="overrides.taskRoleArn replaces the definition's task role; a container instance "
        "must exist, or be registered (Prowler's second route): not collected, assumed",
    ),
    Method(
        id="passrole-step-functions",
        kind="pass",
        target="role",
        actions=(
            ("states:CreateStateMachine",),
            ("states:StartExecution", "states:StartSyncExecution"),
        ),
        title="create a Step Functions state machine with the role and start it",
        docs="https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html",
        sources=("prowler:PassRole+StepFunctionsCreateStateMachine+StartExecution",),
        service=STATES,
        note="AWS SDK integrations (arn:aws:states:::aws-sdk:*) call any API as the role",
    ),
    Method(
        id="passrole-scheduler",
        kind="pass",
        target="role",
        actions=(("scheduler:CreateSchedule", "scheduler:UpdateSchedule"),),
        title="schedule a universal target that EventBridge Scheduler calls as the role",
        docs="https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html",
        sources=("prowler:PassRole+SchedulerCreateSchedule",),
        service=SCHEDULER,
        note="a universal target (arn:aws:scheduler:::aws-sdk:SERVICE:ACTION) calls any API "
        "with the schedule's input; UpdateSchedule restates the target, its RoleArn too",
    ),
    Method(
        id="passrole-ssm-automation",
        kind="pass",
        target="role",
        actions=(
            ("ssm:CreateDocument", "ssm:UpdateDocument"),
            ("ssm:StartAutomationExecution",),
        ),
        title="write an Automation runbook and run it with the role as AutomationAssumeRole",
        docs="https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-working.html",
        sources=("prowler:PassRole+SSMCreateDocument+StartAutomation",),
        service=SSM,
        note="without AutomationAssumeRole a runbook runs as its caller; with it, its "
        "aws:executeScript and aws:executeAwsApi steps run as that role",
    ),
    Method(
        id="passrole-glue-session",
        kind="pass",
        target="role",
        actions=(("glue:CreateSession",), ("glue:RunStatement",)),
        title="open a Glue interactive session with the role and run statements in it",
        docs="https://docs.aws.amazon.com/glue/latest/dg/glue-is-security.html",
        sources=("prowler:PassRole+GlueCreateSession+RunStatement",),
        service=GLUE,
    ),
    Method(
        id="passrole-emr-serverless",
        kind="pass",
        target="role",
        actions=(("emr-serverless:StartJobRun",),),
        title="start an EMR Serverless job run with the role as its execution role",
        docs="https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/security-iam-runtime-role.html",
        sources=("prowler:PassRole+EMRServerlessCreateApp+StartJobRun",),
        service=EMR_SERVERLESS,
        note="the role is passed per job run (executionRoleArn); an application must exist, "
        "or emr-serverless:CreateApplication (Prowler asks it): not collected, assumed",
    ),
    Method(
        id="passrole-agentcore-runtime",
        kind="pass",
        target="role",
        actions=(
            ("bedrock-agentcore:CreateAgentRuntime",),
            ("bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeAgentRuntimeCommand"),
        ),
        title="create a Bedrock AgentCore runtime from its own container with the role and "
        "invoke it",
        docs="https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateAgentRuntime.html",
        sources=(
            "prowler:PassRole+AgentCoreCreateRuntime+InvokeRuntimeCommand",
            "prowler:PassRole+AgentCoreCreateHarness+InvokeRuntimeCommand",
        ),
        service=AGENTCORE,
        note="the runtime's DEFAULT endpoint comes with it; Prowler also asks "
        "CreateAgentRuntimeEndpoint and CreateWorkloadIdentity",
    ),
    Method(
        id="passrole-agentcore-browser",
        kind="pass",
        target="role",
        actions=(
            ("bedrock-agentcore:CreateBrowser",),
            ("bedrock-agentcore:StartBrowserSession",),
            ("bedrock-agentcore:ConnectBrowserAutomationStream",),
        ),
        title="create a Bedrock AgentCore browser with the role and drive a session of it",
        docs="https://docs.aws.amazon.com/bedrock-agentcore-control/latest/APIReference/API_CreateBrowser.html",
        sources=("prowler:PassRole+AgentCoreCreateBrowser+ConnectBrowser",),
        service=AGENTCORE,
    ),
    Method(
        id="passrole-braket",
        kind="pass",
        target="role",
        actions=(("braket:CreateJob",),),
        title="create an Amazon Braket hybrid job whose algorithm script runs as the role",
        docs="https://docs.aws.amazon.com/braket/latest/APIReference/API_CreateJob.html",
        sources=("prowler:PassRole+BraketCreateJob",),
        service=BRAKET,
    ),
    Method(
        id="passrole-gamelift",
        kind="pass",
        target="role",
        actions=(("gamelift:CreateBuild",), ("gamelift:CreateFleet",)),
        title="create a GameLift fleet whose instances run its own build with the role",
        docs="https://docs.aws.amazon.com/gamelift/latest/apireference/API_CreateFleet.html",
        sources=("prowler:PassRole+GameLiftCreateBuild+CreateFleet",),
        service=GAMELIFT,
        note="InstanceRoleArn; Prowler also asks RequestUploadCredentials (a build can come "
        "from S3 instead)",
    ),
    Method(
        id="passrole-imagebuilder",
        kind="pass",
        target="role",
        actions=(
            ("imagebuilder:CreateComponent",),
            ("imagebuilder:CreateImageRecipe",),
            ("imagebuilder:CreateInfrastructureConfiguration",),
            ("imagebuilder:CreateImage",),
        ),
        title="build an EC2 Image Builder image whose component runs on an instance with the "
        "role's instance profile",
        docs="https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateInfrastructureConfiguration.html",
        sources=("prowler:PassRole+ImageBuilderCreateComponent+CreateImage",),
        service=EC2,
        note="instance profiles are not collected: every role trusting EC2 counts",
    ),
    Method(
        id="passrole-managed-flink",
        kind="pass",
        target="role",
        actions=(("kinesisanalytics:CreateApplication",), ("kinesisanalytics:StartApplication",)),
        title="create and start a Managed Service for Apache Flink application with the role",
        docs="https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CreateApplication.html",
        sources=("prowler:PassRole+KinesisAnalyticsCreateApp+StartApp",),
        service=FLINK,
        note="ServiceExecutionRole; the application's own code runs with it",
    ),
    Method(
        id="passrole-omics",
        kind="pass",
        target="role",
        actions=(("omics:CreateWorkflow",), ("omics:StartRun",)),
        title="create a HealthOmics workflow and run it with the role",
        docs="https://docs.aws.amazon.com/omics/latest/api/API_StartRun.html",
        sources=("prowler:PassRole+OmicsCreateWorkflow+StartRun",),
        service=OMICS,
        note="Prowler also asks s3:GetObject (the workflow definition's location)",
    ),
    # --- run code on existing compute ------------------------------------------------------------
    Method(
        id="lambda-update-code",
        kind="existing",
        target="role",
        actions=(("lambda:UpdateFunctionCode",),),
        title="replace the code of a function that runs under the role",
        docs="https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html",
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
        docs="https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
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
        docs="https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateDevEndpoint.html",
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
        docs="https://docs.aws.amazon.com/glue/latest/webapi/API_UpdateJob.html",
        sources=("iamgate:existing-compute (the job keeps its role: no PassRole)",),
        service=GLUE,
    ),
    Method(
        id="ssm-command",
        kind="existing",
        target="role",
        actions=(("ssm:SendCommand", "ssm:StartSession"),),
        title="run commands on an EC2 instance that carries the role",
        docs="https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html",
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
        docs="https://docs.aws.amazon.com/ec2-instance-connect/latest/APIReference/API_SendSSHPublicKey.html",
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
        docs="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
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
        docs="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyLaunchTemplate.html",
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
        docs="https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
        sources=("pmapper:autoscaling_edges",),
        service=EC2,
    ),
    Method(
        id="ecs-execute-command",
        kind="existing",
        target="role",
        actions=(("ecs:ExecuteCommand",),),
        title="open a shell in a running ECS task that has the role",
        docs="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
        sources=("cloudsplaining:ECSExecuteCommandOnRunningTask", "prowler:ECS+ExecuteCommand"),
        service=ECS_TASKS,
    ),
    Method(
        id="codebuild-start-build",
        kind="existing",
        target="role",
        actions=(("codebuild:StartBuild", "codebuild:StartBuildBatch"),),
        title="start a build of a project with the role, with a buildspec override",
        docs="https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html",
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
        docs="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
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
        docs="https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreatePresignedNotebookInstanceUrl.html",
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
        docs="https://docs.aws.amazon.com/apprunner/latest/api/API_UpdateService.html",
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
        docs="https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_InvokeCodeInterpreter.html",
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
        docs="https://docs.aws.amazon.com/codestar/latest/APIReference/API_AssociateTeamMember.html",
        sources=(
            "rhino:CodeStarCreateProjectFromTemplate",
            "rhino:CodeStarCreateProjectThenAssociateTeamMember",
        ),
        service=CODESTAR,
    ),
    Method(
        id="batch-submit-job",
        kind="existing",
        target="role",
        actions=(("batch:SubmitJob",),),
        title="submit a job of a Batch job definition that has the role, overriding its command",
        docs="https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerOverrides.html",
        sources=("prowler:BatchSubmitJob",),
        service=ECS_TASKS,
        note="containerOverrides.command replaces the command; the job role stays the "
        "definition's, so no iam:PassRole",
    ),
    Method(
        id="step-functions-update",
        kind="existing",
        target="role",
        actions=(
            ("states:UpdateStateMachine",),
            ("states:StartExecution", "states:StartSyncExecution"),
        ),
        title="rewrite the definition of a state machine that runs as the role and start it",
        docs="https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachine.html",
        sources=("prowler:StepFunctionsUpdateStateMachine+StartExecution",),
        service=STATES,
        note="a new definition alone needs no iam:PassRole (a new roleArn would)",
    ),
    Method(
        id="codedeploy-existing-group",
        kind="existing",
        target="role",
        actions=(("codedeploy:CreateDeployment",),),
        title="deploy a revision to an existing deployment group: its hooks run on EC2 "
        "instances that carry the role",
        docs="https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html",
        sources=("prowler:CodeDeployCreateDeployment",),
        service=EC2,
        note="EC2/on-premises groups; a deployment names its revision, so Prowler's "
        "RegisterApplicationRevision and GetDeploymentConfig are not needed",
    ),
    Method(
        id="agentcore-runtime-command",
        kind="existing",
        target="role",
        actions=(("bedrock-agentcore:InvokeAgentRuntimeCommand",),),
        title="run a shell command in an existing Bedrock AgentCore runtime that has the role",
        docs="https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-permissions.html",
        sources=("prowler:AgentCoreInvokeRuntimeCommand",),
        service=AGENTCORE,
    ),
    Method(
        id="agentcore-browser-session",
        kind="existing",
        target="role",
        actions=(
            ("bedrock-agentcore:StartBrowserSession",),
            ("bedrock-agentcore:ConnectBrowserAutomationStream",),
        ),
        title="drive a session of an existing Bedrock AgentCore browser that has the role",
        docs="https://docs.aws.amazon.com/bedrock-agentcore/latest/APIReference/API_StartBrowserSession.html",
        sources=("prowler:AgentCoreBrowserSessionConnect",),
        service=AGENTCORE,
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
    """Refuse a malformed row at import: ids are unique, each links its AWS documentation, only
    ``pass``/``existing`` rows name a service, and an IAM row (every kind but those and
    ``new``) is one action on its target."""
    seen: set[str] = set()
    for m in rows:
        if m.id in seen:
            raise ValueError(f"escalation row {m.id!r} is declared twice")
        seen.add(m.id)
        if (m.kind in ("pass", "existing")) != bool(m.service):
            raise ValueError(f"escalation row {m.id!r}: a service goes with pass/existing rows")
        if not m.docs.startswith(AWS_DOCS):
            raise ValueError(f"escalation row {m.id!r} needs its AWS documentation link")
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

# Methods of the sources that the graph does not model, and why (docs/checks.md lists them).
NOT_MODELLED: dict[str, str] = {
    "prowler:PassRole+CognitoSetIdentityPoolRoles": "the role must trust the web identity "
    "cognito-identity.amazonaws.com, not a service: role-trust-federated-subject and "
    "role-trust-public judge who an identity pool lets in",
    "prowler:SSOCreatePermissionSet+CreateAccountAssignment+AttachManagedPolicy": "IAM "
    "Identity Center writes happen in its instance's account (usually the management "
    "account), not in the account scanned; the roles it provisions here are judged as roles",
    "prowler:sso:AttachManagedPolicyToPermissionSet": "as above: a permission set is not an "
    "IAM entity of the account scanned",
    "prowler:sso:PutInlinePolicyToPermissionSet": "as above: a permission set is not an IAM "
    "entity of the account scanned",
}

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
    "prowler:AssumeRole+DeleteRolePermissionsBoundary": (
        "assume-role",
        "delete-role-permissions-boundary",
    ),
}


def sources() -> list[str]:
    """Every source entry named by a row, sorted (for coverage tests and docs)."""
    return sorted({s for m in METHODS for s in m.sources})
