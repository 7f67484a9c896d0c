"""The AWS documentation the checks' verdicts rely on, one constant per page (``semantics=`` of
``@check``; docs/checks.md links them under each check)."""

from __future__ import annotations

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_TRAIL = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"

PASSWORD_POLICY = _IAM + "id_credentials_passwords_account-policy.html"
ROOT_USER = _IAM + "id_root-user.html"
MFA = _IAM + "id_credentials_mfa.html"
CREDENTIAL_REPORT = _IAM + "id_credentials_getting-report.html"
ACCESS_KEYS = _IAM + "id_credentials_access-keys.html"
UNUSED_CREDENTIALS = _IAM + "id_credentials_finding-unused.html"
BEST_PRACTICES = _IAM + "best-practices.html"
GROUPS = _IAM + "id_groups.html"
SERVER_CERTIFICATES = _IAM + "id_credentials_server-certs.html"
EVALUATION_LOGIC = _IAM + "reference_policies_evaluation-logic.html"
POLICY_VARIABLES = _IAM + "reference_policies_variables.html"
PASS_ROLE = _IAM + "id_roles_use_passrole.html"
SWITCH_ROLE_PERMISSIONS = _IAM + "id_roles_use_permissions-to-switch.html"
PRINCIPAL = _IAM + "reference_policies_elements_principal.html"
CONDITION_OPERATORS = _IAM + "reference_policies_elements_condition_operators.html"
THIRD_PARTY = _IAM + "id_roles_common-scenarios_third-party.html"
OIDC_ROLES = _IAM + "id_roles_create_for-idp_oidc.html"
CONFUSED_DEPUTY = _IAM + "confused-deputy.html"
ACCESS_ANALYZER = _IAM + "what-is-access-analyzer.html"
ROLE_LAST_USED = "https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html"
LAST_ACCESSED_REGIONS = _IAM + "access_policies_last-accessed.html#access-advisor_tracking-period"
SERVICE_LINKED_ROLES = _IAM + "using-service-linked-roles.html"
SUPPORT_ACCESS = (
    "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html"
)
CLOUDSHELL_ACCESS = (
    "https://docs.aws.amazon.com/cloudshell/latest/userguide/sec-auth-with-identities.html"
)
MULTI_REGION_TRAIL = _TRAIL + "receive-cloudtrail-log-files-from-multiple-regions.html"
GLOBAL_SERVICE_EVENTS = (
    _TRAIL + "cloudtrail-concepts.html#cloudtrail-concepts-global-service-events"
)
LOG_VALIDATION = _TRAIL + "cloudtrail-log-file-validation-intro.html"
CLOUDTRAIL_ALARMS = _TRAIL + "cloudwatch-alarms-for-cloudtrail.html"
CIS_ALARM_CONTROLS = (
    "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"
)
EVENTBRIDGE_CLOUDTRAIL = (
    "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html"
)
_ORGS = "https://docs.aws.amazon.com/organizations/latest/userguide/"
SCP_EVALUATION = _ORGS + "orgs_manage_policies_scps_evaluation.html"
RCP_EVALUATION = _ORGS + "orgs_manage_policies_rcps_evaluation.html"
ORGANIZATIONS_EVENTS = (
    "https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-organizations.html"
)
