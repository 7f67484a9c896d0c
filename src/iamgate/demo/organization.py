"""An organization on the stand-in AWS: SCPs and RCPs at the root, on OUs and on an account, and
member accounts whose IAM they bound.

moto 5.2.5 serves both policy types (``CreatePolicy``, ``AttachPolicy``, ``EnablePolicyType``,
``ListRoots`` with ``PolicyTypes``, ``ListParents``, ``ListPoliciesForTarget``,
``DescribePolicy``) and attaches ``FullAWSAccess``/``RCPFullAWSAccess`` to every new root, OU and
account, as AWS does while a type is enabled. It keeps each account's IAM apart, so one server
holds the whole organization.

The same IAM mistakes are made in every account, so each verdict an SCP or RCP changes has its
near miss beside it (``tests/integration/test_org_policies.py`` checks them end to end):

- ``ops-admin`` (AdministratorAccess) in every account: in ``prod-app`` it is not a full
  administrator, and its message names each SCP level that keeps something from it
  (``deny-leave-organization`` at the root, ``deny-iam`` on ``prod``, ``deny-trail-changes`` on
  the account); in the management account it stays one (no SCP applies to it). In ``sandbox``
  the root's ``deny-leave-organization`` keeps only leaving the organization from it: it may
  still write any policy on itself, so it stays a full administrator within the SCPs (the
  near miss of ``prod``'s ``deny-iam``);
- ``vendor-audit`` trusts another account without an external id in every account: the
  ``deny-external-assume`` RCP on ``prod`` denies ``sts:AssumeRole`` to principals outside the
  organization, so it passes ``role-trust-external-account`` in ``prod-app`` only, saying which
  RCP closes it; it fails in ``sandbox`` and in the management account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from iamgate.demo.standin import DEFAULT_ACCOUNT, MotoAccount

MEMBER_ROLE = "OrganizationAccountAccessRole"  # moto creates it in every new account
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
VENDOR = "210987654321"  # an account outside the organization


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def policy_documents(organization_id: str) -> dict[str, tuple[str, str, str]]:
    """name -> (policy type, where it is attached, document) of the demo's own policies. The
    RCP is the data-perimeter pattern of AWS's examples: no principal outside the organization
    assumes the OU's roles, AWS services acting for the account excepted
    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html).
    """
    scp, rcp = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
    leave = {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
    iam = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    trail = ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
    outside = {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": organization_id},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    }
    return {
        "deny-leave-organization": (scp, "root", _document(leave)),
        "deny-iam": (scp, "prod", _document(iam)),
        "deny-trail-changes": (
            scp,
            "prod-app",
            _document({"Effect": "Deny", "Action": trail, "Resource": "*"}),
        ),
        "deny-external-assume": (
            rcp,
            "prod",
            _document(
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Resource": "*",
                    "Condition": outside,
                }
            ),
        ),
    }


@dataclass
class OrganizationDemo:
    """The ids of what :func:`seed_organization` made."""

    organization_id: str
    root_id: str
    workloads_ou: str  # under the root
    prod_ou: str  # under workloads: deny-iam (SCP) and deny-external-assume (RCP)
    prod_app: str  # member in prod, with deny-trail-changes (SCP) on the account itself
    sandbox: str  # member directly under the root
    management: str = DEFAULT_ACCOUNT
    policies: dict[str, str] = field(default_factory=dict)  # name -> policy id

    @property
    def members(self) -> list[str]:
        return sorted([self.prod_app, self.sandbox])


def member_client(account: MotoAccount, member: str, service: str) -> Any:
    """A client in ``member`` (through the role moto made there)."""
    creds = account.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/{MEMBER_ROLE}", RoleSessionName="seed"
    )["Credentials"]
    return account.client(
        service, credentials=(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    )


def seed_organization(account: MotoAccount) -> OrganizationDemo:
    """The organization: root -> workloads -> prod -> prod-app, and sandbox under the root; SCPs
    and RCPs enabled; the demo's policies attached; the same IAM mistakes in every account."""
    orgs = account.client("organizations")
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        orgs.enable_policy_type(RootId=root, PolicyType=policy_type)
    workloads = orgs.create_organizational_unit(ParentId=root, Name="workloads")
    prod = orgs.create_organizational_unit(
        ParentId=workloads["OrganizationalUnit"]["Id"], Name="prod"
    )
    demo = OrganizationDemo(
        organization_id=org_id,
        root_id=root,
        workloads_ou=workloads["OrganizationalUnit"]["Id"],
        prod_ou=prod["OrganizationalUnit"]["Id"],
        prod_app=_account(orgs, "prod-app"),
        sandbox=_account(orgs, "sandbox"),
    )
    orgs.move_account(
        AccountId=demo.prod_app, SourceParentId=root, DestinationParentId=demo.prod_ou
    )
    targets = {"root": root, "prod": demo.prod_ou, "prod-app": demo.prod_app}
    for name, (policy_type, where, content) in policy_documents(org_id).items():
        created = orgs.create_policy(
            Name=name, Description=name, Type=policy_type, Content=content
        )["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=created, TargetId=targets[where])
        demo.policies[name] = created
    _mistakes(account.client("iam"))
    for member in demo.members:
        _mistakes(member_client(account, member, "iam"))
    return demo


def _account(orgs: Any, name: str) -> str:
    status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)
    return str(status["CreateAccountStatus"]["AccountId"])


def _mistakes(iam: Any) -> None:
    """A full administrator and a vendor role without an external id."""
    iam.create_user(UserName="ops-admin")
    iam.attach_user_policy(UserName="ops-admin", PolicyArn=ADMIN_POLICY)
    iam.create_role(
        RoleName="vendor-audit",
        AssumeRolePolicyDocument=_document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
