"""Data: the web identity providers iamgate knows, and the services that act only for you.

Each provider row says which claim pins the caller, what a pinned value looks like, how such a
value is read (``read``: the owner first, then what it narrows to) and where that is
documented. The condition key of a claim is ``<provider URL without https://>:<claim>``
(``token.actions.githubusercontent.com:sub``). AWS passes only a few claims to a policy
(``aud``, ``sub``, ``amr``, ``oaud``, ``azp`` and the Facebook / Login with Amazon ids), never
provider-specific ones such as GitHub's ``repository_owner`` ("Support for custom claims for
OIDC is unavailable in AWS"), so for every CI provider the subject is the only pin, and it is
read from its start: a wildcard before the owner means any owner.

Each provider declares its subject **grammar**: globs of the subjects it issues (GitHub's
``repo:*/*:*``, Bitbucket's ``{*}:{*}``). A pattern that matches every subject of one of them
pins nothing, however it is spelled (``*``, ``repo:**``, ``{*}:*``): :func:`read_subject` decides
that with the glob inclusion test before any reader runs. Under an exact operator
(``StringEquals``) ``*`` and ``?`` are the characters they are
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String):
a value that no subject of the grammar has (``StringEquals sub "*"``) lets no one in, and any
other is read as a literal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from iamgate.model.config import OIDC_OWNER_PROVIDERS
from iamgate.policy import subjects
from iamgate.policy.subjects import Path, Reader
from iamgate.policy.wildcard import LITERAL_QMARK, LITERAL_STAR, compile_glob

AWS_OIDC_KEYS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
    "reference_policies_iam-condition-keys.html#condition-keys-wif"
)
# --- the providers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provider:
    id: str  # the prefix of an [trust] oidc_owners entry: "github:my-org"
    name: str
    issuer: str  # the provider URLs it is recognised by (see identify())
    caller: str  # one identity the provider vouches for, e.g. "GitHub Actions workflow"
    scope: str  # what a pin names, e.g. "repository"
    anyone: str  # who can assume when nothing pins the caller
    subject_claim: str  # the claim whose condition pins the caller
    subject_form: str  # what a pinned value looks like
    read: Reader  # value -> the path it fixes (owner first), or None
    # Anyone in the world can get a token (open sign-up): an unpinned trust is public.
    open_signup: bool
    # The provider URL itself names the tenant (a CircleCI org, a Bitbucket workspace): a pin.
    tenant_pins: bool
    docs: tuple[str, ...]
    # Globs of every subject the provider issues, one per shape: a pattern that matches all
    # of one shape pins nothing.
    grammar: tuple[str, ...] = ("?*",)


GITHUB = Provider(
    id="github",
    name="GitHub Actions",
    issuer="token.actions.githubusercontent.com[/ENTERPRISE], token.actions.TENANT.ghe.com, "
    "HOST/_services/token (GHES)",
    caller="GitHub Actions workflow",
    scope="repository",
    anyone="any GitHub Actions workflow in any repository",
    subject_claim="sub",
    subject_form="repo:OWNER/REPO:...",
    read=subjects.github,
    open_signup=True,
    tenant_pins=False,
    docs=(
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services",
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub",
    ),
    grammar=("repo:*/*:*", "repository_owner:*", "repository_owner_id:*", "repository:*/*:*"),
)
GITLAB = Provider(
    id="gitlab",
    name="GitLab CI/CD",
    issuer="gitlab.com (self-managed: any host, read by the subject's shape)",
    caller="GitLab CI/CD job",
    scope="project",
    anyone="any GitLab CI/CD job in any project",
    subject_claim="sub",
    subject_form="project_path:GROUP/PROJECT:ref_type:...",
    read=subjects.gitlab,
    open_signup=True,  # gitlab.com; a self-managed instance is read with GENERIC's row
    tenant_pins=False,
    docs=(
        "https://docs.gitlab.com/ee/ci/cloud_services/aws/",
        "https://docs.gitlab.com/ee/ci/secrets/id_token_authentication.html#token-payload",
    ),
    grammar=("project_path:*/*:ref_type:*:ref:*",),
)
TERRAFORM = Provider(
    id="terraform",
    name="HCP Terraform",
    issuer="app.terraform.io, app.eu.terraform.io (Terraform Enterprise: any host)",
    caller="HCP Terraform run",
    scope="workspace",
    anyone="any HCP Terraform run in any organization",
    subject_claim="sub",
    subject_form="organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE",
    read=subjects.named_pairs("organization", ("project", "workspace")),
    open_signup=True,
    tenant_pins=False,
    docs=(
        "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/aws-configuration",
        "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens",
    ),
    grammar=("organization:*:project:*:workspace:*:run_phase:*",),
)
CIRCLECI = Provider(  # issuer https://oidc.circleci.com/org/<ORG_ID>: the URL pins the org
    id="circleci",
    name="CircleCI",
    issuer="oidc.circleci.com/org/ORG_ID",
    caller="CircleCI job",
    scope="project",
    anyone="any CircleCI job",
    subject_claim="sub",
    subject_form="org/ORG_ID/project/PROJECT_ID/user/USER_ID",
    read=subjects.circleci,
    open_signup=False,
    tenant_pins=True,
    docs=("https://circleci.com/docs/openid-connect-tokens/",),
    grammar=("org/*/project/*/user/*",),
)
BITBUCKET = Provider(  # issuer .../workspaces/<WORKSPACE>/pipelines-config/identity/oidc
    id="bitbucket",
    name="Bitbucket Pipelines",
    issuer="api.bitbucket.org/2.0/workspaces/WORKSPACE/pipelines-config/identity/oidc",
    caller="Bitbucket Pipelines step",
    scope="repository",
    anyone="any Bitbucket Pipelines step",
    subject_claim="sub",
    subject_form="{REPOSITORY_UUID}:{STEP_UUID}",
    read=subjects.bitbucket,
    open_signup=False,
    tenant_pins=True,
    docs=(
        "https://support.atlassian.com/bitbucket-cloud/docs/deploy-on-aws-using-bitbucket-pipelines-openid-connect/",
    ),
    grammar=("{*}:{*}",),
)
BUILDKITE = Provider(  # one issuer for every Buildkite organization
    id="buildkite",
    name="Buildkite",
    issuer="agent.buildkite.com",
    caller="Buildkite job",
    scope="pipeline",
    anyone="any Buildkite job in any organization",
    subject_claim="sub",
    subject_form="organization:ORG:pipeline:PIPELINE:ref:REF:commit:SHA:step:KEY",
    read=subjects.named_pairs("organization", ("pipeline",)),
    open_signup=True,
    tenant_pins=False,
    docs=(
        "https://buildkite.com/docs/pipelines/security/oidc/aws",
        "https://buildkite.com/docs/agent/v3/cli-oidc",
    ),
    grammar=("organization:*:pipeline:*:ref:*:commit:*:step:*",),
)
EKS = Provider(  # the URL names the cluster, but every pod of every namespace has a token
    id="eks",
    name="Amazon EKS",
    issuer="oidc.eks.REGION.amazonaws.com/id/CLUSTER_ID",
    caller="Kubernetes service account",
    scope="service account",
    anyone="any service account in any namespace of the cluster",
    subject_claim="sub",
    subject_form="system:serviceaccount:NAMESPACE:NAME",
    read=subjects.eks,
    open_signup=False,
    tenant_pins=False,
    docs=("https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",),
    grammar=("system:serviceaccount:*:*",),
)
GOOGLE = Provider(  # aud is your OAuth client: any Google user can sign in to it
    id="google",
    name="Google",
    issuer="accounts.google.com",
    caller="Google account",
    scope="Google account",
    anyone="any Google account",
    subject_claim="sub",
    subject_form="the account's numeric subject id",
    read=subjects.exact,
    open_signup=True,
    tenant_pins=False,
    docs=(AWS_OIDC_KEYS,),
    grammar=("?*",),
)
COGNITO = Provider(  # aud IS the identity pool; amr then separates guests (anyone)
    id="cognito",
    name="Amazon Cognito",
    issuer="cognito-identity.amazonaws.com",
    caller="Cognito identity",
    scope="identity pool",
    anyone="any identity of any Cognito identity pool, in any AWS account",
    subject_claim="aud",
    subject_form="REGION:IDENTITY_POOL_ID",
    read=subjects.exact,
    open_signup=True,
    tenant_pins=False,
    docs=(
        "https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html",
        AWS_OIDC_KEYS,
    ),
    grammar=("?*:?*",),
)
FACEBOOK = Provider(
    id="facebook",
    name="Facebook",
    issuer="graph.facebook.com",
    caller="Facebook user",
    scope="Facebook user",
    anyone="any Facebook user",
    subject_claim="id",
    subject_form="the user id",
    read=subjects.exact,
    open_signup=True,
    tenant_pins=False,
    docs=(AWS_OIDC_KEYS,),
    grammar=("?*",),
)
AMAZON = Provider(
    id="amazon",
    name="Login with Amazon",
    issuer="www.amazon.com",
    caller="Login with Amazon user",
    scope="Amazon user",
    anyone="any Login with Amazon user",
    subject_claim="user_id",
    subject_form="the user id",
    read=subjects.exact,
    open_signup=True,
    tenant_pins=False,
    docs=(AWS_OIDC_KEYS,),
    grammar=("amzn1.account.?*",),
)
GENERIC = Provider(  # any other issuer: only an exact subject pins; who may sign up is unknown
    id="oidc",
    name="OIDC provider",
    issuer="any other URL",
    caller="identity",
    scope="subject",
    anyone="any identity of the provider",
    subject_claim="sub",
    subject_form="one exact subject",
    read=subjects.exact,
    open_signup=False,
    tenant_pins=False,
    docs=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html",
        AWS_OIDC_KEYS,
    ),
    grammar=("?*",),
)
# SAML: the provider is this account's own IdP, which decides who gets the role (the Role
# attribute of its assertion); SAML:aud only names the sign-in endpoint. Documented here; the
# model reads a SAML principal directly.
SAML_DOCS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml",
)

PROVIDERS = (
    GITHUB,
    GITLAB,
    TERRAFORM,
    CIRCLECI,
    BITBUCKET,
    BUILDKITE,
    EKS,
    GOOGLE,
    COGNITO,
    FACEBOOK,
    AMAZON,
    GENERIC,
)
# Providers whose pins name an owner ([trust] oidc_owners lists yours; the config validates
# entries against the same list).
OWNER_PROVIDERS = OIDC_OWNER_PROVIDERS


@dataclass(frozen=True, slots=True)
class ProviderMatch:
    provider: Provider
    key_prefix: str  # lower-case; condition keys are f"{key_prefix}:{claim}"
    tenant: str | None  # what the URL names: an enterprise, org, workspace or cluster
    url: str  # the provider URL (host and path) as written


def identify(url: str) -> ProviderMatch:
    """Which provider a ``Federated`` OIDC URL (``host/path``, no scheme) belongs to."""
    low = url.lower().rstrip("/")
    host, _, path = low.partition("/")

    def match(provider: Provider, tenant: str | None = None) -> ProviderMatch:
        return ProviderMatch(provider, low, tenant, url)

    if host == "token.actions.githubusercontent.com":
        # .../<enterprise> is GitHub Enterprise Cloud's enterprise-specific issuer.
        return match(GITHUB, path or None)
    if host.startswith("token.actions.") and host.endswith(".ghe.com"):  # GHE.com
        return match(GITHUB, host.removeprefix("token.actions.").removesuffix(".ghe.com"))
    if low.endswith("/_services/token"):  # GitHub Enterprise Server
        return match(GITHUB, host)
    if low == "gitlab.com":
        return match(GITLAB)
    if low in ("app.terraform.io", "app.eu.terraform.io"):
        return match(TERRAFORM)
    if host == "oidc.circleci.com" and path.startswith("org/") and len(path) > 4:
        return match(CIRCLECI, url.rstrip("/").split("/")[2])
    bitbucket = "/pipelines-config/identity/oidc"
    if (
        host == "api.bitbucket.org"
        and path.startswith("2.0/workspaces/")
        and low.endswith(bitbucket)
    ):
        workspace = url.rstrip("/")[len("api.bitbucket.org/2.0/workspaces/") : -len(bitbucket)]
        return match(BITBUCKET, workspace or None)
    if low == "agent.buildkite.com":
        return match(BUILDKITE)
    if host.startswith("oidc.eks.") and path.startswith("id/"):
        return match(EKS, url.rstrip("/").split("/")[2])
    if low == "accounts.google.com":
        return match(GOOGLE)
    if low == "cognito-identity.amazonaws.com":
        return match(COGNITO)
    if low == "graph.facebook.com":
        return match(FACEBOOK)
    if low == "www.amazon.com":
        return match(AMAZON)
    return match(GENERIC)


NOBODY: Final = "nobody"


def _unescaped(path: Path) -> Path:
    return tuple(p.replace(LITERAL_STAR, "*").replace(LITERAL_QMARK, "?") for p in path)


def read_subject(provider: Provider, value: str, exact: bool) -> Path | Literal["nobody"] | None:
    """What a subject condition value pins: the path it fixes (owner first), None when it pins
    nothing, :data:`NOBODY` when no subject the provider issues can match it. ``exact``: the
    operator compares literally (``StringEquals``), so ``*`` and ``?`` are characters."""
    if exact:
        if not any(compile_glob(shape, "text").matches(value) for shape in provider.grammar):
            return NOBODY
        literal = value.replace("*", LITERAL_STAR).replace("?", LITERAL_QMARK)
        found = provider.read(literal)
        return None if found is None else _unescaped(found)
    pattern = compile_glob(value, "text")
    if any(pattern.covers(shape) for shape in provider.grammar):
        return None  # every subject of one shape: it pins nothing, however it is spelled
    return provider.read(value)


def self_hosted(subject: str) -> Provider | None:
    """GitHub Enterprise Server, GitLab self-managed or Terraform Enterprise on a host of its
    own still issue subjects of their family's shape: read such a subject with that grammar."""
    low = subject.lower()
    if low.startswith(("repo:", "repository:", "repository_owner:", "repository_owner_id:")):
        return GITHUB
    if low.startswith("project_path:"):
        return GITLAB
    if low.startswith("system:serviceaccount:"):
        return EKS
    if low.startswith("organization:"):
        return BUILDKITE if ":pipeline:" in low else TERRAFORM
    return None


# --- services -----------------------------------------------------------------------------------
#
# The cross-service confused deputy
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention):
# a service that works for many customers may be steered by one of them into using another
# customer's role; aws:SourceAccount / aws:SourceArn / aws:SourceOrgID name the customer whose
# resource the service acts for. AWS recommends them for service roles in general, so every
# service is flagged unless it is listed here: compute that runs only this account's own code,
# with a role that a principal of this account attached with iam:PassRole (which can only pass
# a role of its own account: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
SERVICES_FOR_OWN_RESOURCES: Mapping[str, tuple[str, str]] = {
    "ec2.amazonaws.com": (
        "instance profiles of this account's instances",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html",
    ),
    "lambda.amazonaws.com": (
        "execution role of this account's functions",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    ),
    "edgelambda.amazonaws.com": (
        "replicas of this account's Lambda@Edge functions",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html",
    ),
    "ecs-tasks.amazonaws.com": (
        "task role of this account's ECS tasks (a source condition is optional hardening)",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
    ),
    "eks.amazonaws.com": (
        "cluster role of this account's EKS clusters",
        "https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html",
    ),
    "pods.eks.amazonaws.com": (
        "EKS Pod Identity associations of this account's clusters",
        "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html",
    ),
}


def normalize_service(service: str) -> str:
    return service.lower().removesuffix(".cn")  # China regions: ec2.amazonaws.com.cn


def acts_for_other_accounts(service: str) -> bool:
    return normalize_service(service) not in SERVICES_FOR_OWN_RESOURCES
