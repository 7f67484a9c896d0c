"""CloudFormation templates -> the account after: intrinsic functions, parameters and conditions
as CloudFormation evaluates them, each AWS::IAM type, CDK's synthesized shape, and bad input
that names the template's line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamgate.errors import InputError
from iamgate.formats.cloudformation import read_template
from iamgate.model.change import AccessKey, Assumed, Unresolved
from iamgate.model.snapshot import Snapshot
from iamgate.plan import Account, Stack, apply_changes, cloudformation_changes, project
from testing.cli import DATA
from testing.factories import ACCOUNT, ago, arn, group, key, managed, role, row, snap, user

FIXTURES = DATA / "plan" / "cloudformation"
LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def template(tmp_path: Path, text: str, name: str = "t.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def changes(
    path: Path,
    snapshot: Snapshot | None = None,
    stack: str = "app",
    region: str = "eu-west-1",
    **parameters: str,
) -> Any:
    before = snapshot or snap()
    account = Account(before.account_id, before.partition)
    return cloudformation_changes(
        read_template(path), Stack(stack, region, account, parameters), before
    )


def after(path: Path, snapshot: Snapshot | None = None, **kw: Any) -> Snapshot:
    before = snapshot or snap()
    return apply_changes(before, [changes(path, before, **kw)])


def one_role(text: str, tmp_path: Path, **kw: Any) -> Any:
    (found,) = after(template(tmp_path, text), **kw).roles
    return found


ROLE = """
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      RoleName: {name}
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
"""


# --- intrinsic functions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("!Sub '${AWS::StackName}-${AWS::Region}'", "app-eu-west-1"),
        ("!Sub ['${Env}-x', {Env: prod}]", "prod-x"),
        ("!Sub 'keep-${!Literal}'", "keep-${Literal}"),
        ("!Join ['-', [a, !Ref 'AWS::AccountId']]", f"a-{ACCOUNT}"),
        ("!Select [1, !Split [',', 'a,b,c']]", "b"),
        ("!Select [0, [first, second]]", "first"),
        ("!FindInMap [Names, !Ref 'AWS::Region', role]", "dublin"),
        ("!If [InEurope, eu-role, other-role]", "eu-role"),
        ("{'Fn::Join': ['', ['x-', {'Ref': 'AWS::Partition'}]]}", "x-aws"),
        ("!Join ['', [!Ref 'AWS::URLSuffix']]", "amazonaws.com"),
    ],
)
def test_intrinsic_functions_as_cloudformation_evaluates_them(
    tmp_path: Path, name: str, expected: str
) -> None:
    text = (
        "Mappings:\n  Names:\n    eu-west-1: {role: dublin}\n"
        "Conditions:\n  InEurope: !Equals [!Select [0, !Split ['-', !Ref 'AWS::Region']], eu]\n"
        + ROLE.format(name=name)
    )
    assert one_role(text, tmp_path).name == expected


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("!Ref Nowhere", "refers to 'Nowhere', which is no parameter or resource"),
        ("!GetAtt Nowhere.Arn", "refers to 'Nowhere'"),
        ("!Select [5, [a, b]]", "Fn::Select: index 5 is not in the list"),
        ("!Sub '${Nope}'", "refers to 'Nope'"),
        ("!If [NoSuchCondition, a, b]", "no condition named 'NoSuchCondition'"),
        ("!Join [',']", "Fn::Join takes [delimiter, [values]]"),
        ("!Ref 'AWS::NotAPseudo'", "unknown pseudo parameter AWS::NotAPseudo"),
        ("!Cidr ['10.0.0.0/16', 2, 8]", "Fn::Cidr cannot be evaluated before deploy"),
    ],
)
def test_a_function_that_cannot_be_evaluated_is_bad_input_at_the_resources_line(
    tmp_path: Path, name: str, problem: str
) -> None:
    path = template(tmp_path, ROLE.format(name=name))
    with pytest.raises(InputError) as caught:
        changes(path)
    assert caught.value.source == str(path)
    assert caught.value.line == 3  # the line of the logical id R
    assert problem in caught.value.message


def test_a_generated_name_is_stack_logical_id_and_a_placeholder(tmp_path: Path) -> None:
    text = ROLE.format(name="x").replace("      RoleName: x\n", "")
    found = one_role(text, tmp_path, stack="ci-roles")
    assert found.name == "ci-roles-R-(generated)"
    assert found.arn == arn("role", "ci-roles-R-(generated)")


def test_import_value_is_a_placeholder_and_said(tmp_path: Path) -> None:
    path = template(tmp_path, ROLE.format(name="!ImportValue shared-role-name"))
    found = changes(path)
    notes = [op.note for op in found.ops if isinstance(op, Assumed)]
    assert notes == ["R: Fn::ImportValue shared-role-name is known only at deploy time"]


# --- parameters ----------------------------------------------------------------------------------


PARAMETERS = """
Parameters:
  Env:
    Type: String
    AllowedValues: [staging, prod]
    Default: staging
  Secret:
    Type: String
    NoEcho: true
    AllowedPattern: "[a-z]+"
    Default: abc
  Count:
    Type: Number
    Default: 2
"""


def test_parameters_default_or_given(tmp_path: Path) -> None:
    path = template(tmp_path, PARAMETERS + ROLE.format(name="!Sub '${Env}-${Count}'"))
    assert one_role(path.read_text(), tmp_path).name == "staging-2"
    (found,) = after(path, Env="prod").roles
    assert found.name == "prod-2"


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"Env": "dev"}, "parameter Env: 'dev' is not one of its AllowedValues"),
        ({"Count": "two"}, "parameter Count: 'two' is not a Number"),
        (
            {"Secret": "NOT-LOWER"},
            "parameter Secret: (NoEcho value) does not match its AllowedPattern",
        ),
        ({"Other": "x"}, "--parameter Other: not a parameter of the template"),
    ],
)
def test_a_bad_parameter_is_bad_input_and_a_no_echo_value_is_never_shown(
    tmp_path: Path, given: dict[str, str], problem: str
) -> None:
    path = template(tmp_path, PARAMETERS + ROLE.format(name="x"))
    with pytest.raises(InputError) as caught:
        changes(path, **given)
    assert problem in str(caught.value)
    assert "NOT-LOWER" not in str(caught.value)


def test_a_parameter_without_a_value_is_bad_input_only_when_something_deployed_needs_it(
    tmp_path: Path,
) -> None:
    """CloudFormation does not deploy without it; an unused one (CDK's asset parameters, read
    by resources that are not IAM) is never asked for."""
    unused = "Parameters:\n  Asset: {Type: String}\n" + ROLE.format(name="r")
    assert one_role(unused, tmp_path).name == "r"
    used = "Parameters:\n  Asset: {Type: String}\n" + ROLE.format(name="!Sub 'r-${Asset}'")
    with pytest.raises(InputError, match="parameter Asset has no value and no Default"):
        changes(template(tmp_path, used, "c.yml"))


# --- conditions ----------------------------------------------------------------------------------


CONDITIONAL = """
Parameters:
  Env: {Type: String, Default: staging}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition NotProd, !Or [!Equals [a, a], !Equals [a, b]]]
Resources:
  Tester:
    Type: AWS::IAM::User
    Condition: Both
    Properties:
      UserName: tester
"""


@pytest.mark.parametrize(("env", "users"), [("staging", ["tester"]), ("prod", [])])
def test_a_resource_whose_condition_is_false_is_not_deployed(
    tmp_path: Path, env: str, users: list[str]
) -> None:
    found = after(template(tmp_path, CONDITIONAL), Env=env)
    assert [u.name for u in found.users] == users


def test_a_condition_that_depends_on_itself_is_bad_input(tmp_path: Path) -> None:
    text = "Conditions:\n  A: !Condition B\n  B: !Condition A\n" + ROLE.format(name="!If [A, x, y]")
    with pytest.raises(InputError, match="depends on itself"):
        changes(template(tmp_path, text))


# --- resource types ------------------------------------------------------------------------------


def test_each_iam_type_does_what_its_reference_says(tmp_path: Path) -> None:
    read = managed(
        "read",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
        },
    )
    before = snap(
        users=(user("old"),), groups=(group("devs"),), roles=(role("existing"),), policies=(read,)
    )
    text = """
Resources:
  Admins:
    Type: AWS::IAM::Group
    Properties:
      GroupName: admins
      Path: /ops/
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Bob:
    Type: AWS::IAM::User
    Properties:
      UserName: bob
      Groups: [!Ref Admins]
      LoginProfile: {Password: not-a-real-password}
      ManagedPolicyArns: [!Ref Shared]
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: shared
      PolicyDocument:
        {Version: 2012-10-17, Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
      Roles: [existing]
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      PolicyDocument: '{"Version": "2012-10-17", "Statement":
        [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}'
      Users: [old]
      Groups: [devs]
  RoleInline:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: existing
      PolicyName: own
      PolicyDocument:
        {Version: 2012-10-17, Statement: [{Effect: Allow, Action: "ec2:*", Resource: "*"}]}
  Addition:
    Type: AWS::IAM::UserToGroupAddition
    Properties: {GroupName: devs, Users: [old, !Ref Bob]}
  Key:
    Type: AWS::IAM::AccessKey
    Properties: {UserName: !Ref Bob}
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties: {Roles: [existing]}
"""
    found = after(template(tmp_path, text), before)
    users = {u.name: u for u in found.users}
    assert users["bob"].groups == ("admins", "devs")
    assert [a.arn for a in users["bob"].attached] == [arn("policy", "shared")]
    assert users["old"].groups == ("devs",)
    assert [p.name for p in users["old"].inline] == ["extra"]
    groups = {g.name: g for g in found.groups}
    assert groups["admins"].arn == f"arn:aws:iam::{ACCOUNT}:group/ops/admins"
    assert [p.name for p in groups["devs"].inline] == ["extra"]
    (existing,) = found.roles
    assert [a.arn for a in existing.attached] == [arn("policy", "shared")]
    assert [p.name for p in existing.inline] == ["own"]
    (bob_row,) = [r for r in found.credential_report if r.user == "bob"]
    assert bob_row.password_enabled
    assert [k.active for k in bob_row.keys] == [True, False]


def test_an_access_key_of_a_user_that_already_has_one_is_taken_as_deployed(tmp_path: Path) -> None:
    """A template does not say whether it is deployed: a user who already has a key is taken
    to have this one (a second key would invent user-multiple-active-keys); beside it, a user
    with no key gets a new one."""
    text = "Resources:\n  Key:\n    Type: AWS::IAM::AccessKey\n    Properties: {UserName: ci}\n"
    path = template(tmp_path, text)
    with_key = snap(credential_report=(row("ci", keys=(key(1, rotated=3),)),))
    assert [type(op) for op in changes(path, with_key).ops] == [Assumed]
    without = snap(credential_report=(row("ci"),))
    assert [type(op) for op in changes(path, without).ops] == [AccessKey]


def test_unmodelled_iam_types_are_unresolved_and_other_services_ignored(tmp_path: Path) -> None:
    text = """
Resources:
  Cert:
    Type: AWS::IAM::ServerCertificate
    Properties: {ServerCertificateName: www}
  Linked:
    Type: AWS::IAM::ServiceLinkedRole
    Properties: {AWSServiceName: es.amazonaws.com}
  Bucket:
    Type: AWS::S3::Bucket
"""
    found = changes(template(tmp_path, text))
    assert [
        (op.origin.address, op.origin.line) for op in found.ops if isinstance(op, Unresolved)
    ] == [("Cert", 3), ("Linked", 6)]
    assert found.resources == 2


# --- CDK's synthesized template ------------------------------------------------------------------


def test_a_cdk_template_with_its_metadata_conditions_and_join_arns(tmp_path: Path) -> None:
    path = FIXTURES / "ReleaseStack.template.json"
    before = snap(roles=(role("other", attached=("arn:aws:iam::aws:policy/ReadOnlyAccess",)),))
    projected = project(before, [changes(path, before, stack="ReleaseStack", region="us-east-1")])
    roles = {r.name: r for r in projected.snapshot.roles}
    deploy = roles["release-deploy"]
    assert [a.arn for a in deploy.attached] == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    federated = deploy.trust_policy["Statement"][0]["Principal"]["Federated"]
    assert federated == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    (inline,) = deploy.inline
    statements = inline.document["Statement"]
    assert statements[1]["Resource"] == arn("role", "release-handler")  # Fn::GetAtt Role.Arn
    assert statements[0]["Resource"][1] == "(known at deploy: ArtifactsBucket2AAC5544.Arn)/*"
    origin = projected.touched[deploy.arn][0]
    raw = json.loads(path.read_text())
    assert (origin.address, origin.file) == ("GitHubDeployRoleD1A2B3C4", str(path))
    assert (
        path.read_text()
        .splitlines()[origin.line - 1]
        .strip()
        .startswith('"GitHubDeployRoleD1A2B3C4"')
    )
    assert "CDKMetadata" in raw["Resources"]  # read, and left out: not IAM


def test_yaml_and_json_templates_of_the_same_stack_give_the_same_account(tmp_path: Path) -> None:
    yml = FIXTURES / "ci-roles.yml"
    with yml.open(encoding="utf-8") as handle:
        as_json = _loaded(handle.read())
    jsn = template(tmp_path, json.dumps(as_json, indent=2), "ci-roles.json")
    a, b = after(yml, stack="ci-roles"), after(jsn, stack="ci-roles")
    assert (a.roles, a.users, a.policies) == (b.roles, b.users, b.policies)


def _loaded(text: str) -> Any:
    """The YAML fixture in its JSON form (short tags written out), for the comparison."""

    class Tags(yaml.SafeLoader):
        pass

    def construct(loader: Any, suffix: str, node: Any) -> Any:
        name = (
            "Ref" if suffix == "Ref" else "Condition" if suffix == "Condition" else f"Fn::{suffix}"
        )
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if suffix == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {name: value}

    Tags.add_multi_constructor("!", construct)
    Tags.yaml_implicit_resolvers = {
        k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return yaml.load(text, Tags)  # noqa: S506 (a SafeLoader subclass)


def test_when_the_user_exists_a_user_resource_updates_it(tmp_path: Path) -> None:
    text = "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties: {UserName: old}\n"
    before = snap(users=(user("old", groups=("devs",)),), groups=(group("devs"),))
    (found,) = after(template(tmp_path, text), before).users
    assert (found.name, found.groups, found.create_date) == ("old", ("devs",), ago(100))


def test_a_comma_delimited_list_parameter_keeps_its_commas(tmp_path: Path) -> None:
    from iamgate.app.plan import parse_parameters

    given = parse_parameters(["Names=first,second"])
    assert given == {"Names": "first,second"}
    text = "Parameters:\n  Names: {Type: CommaDelimitedList}\n" + ROLE.format(
        name="!Select [1, !Ref Names]"
    )
    assert one_role(text, tmp_path, **given).name == "second"


# --- a role, user or group the account already holds ---------------------------------------------

DENY_IAM = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
}
READ_S3 = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
}
EXISTING_ROLE = """Resources:
  Ci:
    Type: AWS::IAM::Role
    Properties:
      RoleName: ci
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: "sts:AssumeRole"}
      Policies:
        - PolicyName: work
          PolicyDocument:
            {Version: 2012-10-17, Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
"""


def test_an_unlisted_policy_of_an_existing_role_that_denies_is_taken_as_removed(
    tmp_path: Path,
) -> None:
    """CloudFormation removes what an earlier template listed, keeps what was attached outside
    the stack: unknowable here, so a Deny is taken as gone (and said), an Allow as kept."""
    guard = managed("guard", DENY_IAM)
    reader = managed("reader", READ_S3)
    before = snap(
        roles=(
            role(
                "ci",
                LAMBDA,
                attached=(guard.arn, reader.arn),
                inline={"fence": DENY_IAM, "extra": READ_S3, "work": READ_S3},
            ),
        ),
        policies=(guard, reader),
    )
    path = template(tmp_path, EXISTING_ROLE)
    (ci,) = after(path, before).roles
    assert {a.arn for a in ci.attached} == {reader.arn}
    assert sorted(p.name for p in ci.inline) == ["extra", "work"]
    notes = [op.note for op in changes(path, before).ops if isinstance(op, Assumed)]
    assert notes == [
        f"Ci: role ci holds managed policy {guard.arn}, which the template does not list: taken "
        "as removed, since it holds a Deny (CloudFormation removes it only if an earlier version "
        "of the template listed it)",
        "Ci: role ci holds inline policy fence, which the template does not list: taken as "
        "removed, since it holds a Deny (CloudFormation removes it only if an earlier version of "
        "the template listed it)",
    ]


def test_the_same_deny_listed_by_the_template_stays(tmp_path: Path) -> None:
    guard = managed("guard", DENY_IAM)
    before = snap(
        roles=(role("ci", LAMBDA, attached=(guard.arn,), inline={"fence": DENY_IAM}),),
        policies=(guard,),
    )
    listed = EXISTING_ROLE.replace(
        "      Policies:\n",
        f"      ManagedPolicyArns: [{guard.arn}]\n      Policies:\n"
        "        - {PolicyName: fence, PolicyDocument: {Version: 2012-10-17, Statement: "
        "[{Effect: Deny, Action: 'iam:*', Resource: '*'}]}}\n",
    )
    path = template(tmp_path, listed)
    (ci,) = after(path, before).roles
    assert ({a.arn for a in ci.attached}, sorted(p.name for p in ci.inline)) == (
        {guard.arn},
        ["fence", "work"],
    )
    assert not [op for op in changes(path, before).ops if isinstance(op, Assumed)]


def test_a_new_role_of_that_name_has_nothing_to_drop(tmp_path: Path) -> None:
    path = template(tmp_path, EXISTING_ROLE)
    assert not [op for op in changes(path, snap()).ops if isinstance(op, Assumed)]


def test_an_existing_user_leaves_an_unlisted_group_that_denies_and_keeps_one_that_allows(
    tmp_path: Path,
) -> None:
    before = snap(
        users=(user("ana", groups=("quarantine", "readers", "listed")),),
        groups=(
            group("quarantine", inline={"deny": DENY_IAM}),
            group("readers", inline={"read": READ_S3}),
            group("listed", inline={"deny": DENY_IAM}),
        ),
    )
    path = template(
        tmp_path,
        "Resources:\n  Ana:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: ana\n"
        "      Groups: [listed]\n",
    )
    (ana,) = after(path, before).users
    assert sorted(ana.groups) == ["listed", "readers"]
