"""How the catalogue covers its sources' methods: the chains of rows that cover a combination,
and the methods left out with the reason (read by the coverage test and docs/checks.md)."""

from __future__ import annotations

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
