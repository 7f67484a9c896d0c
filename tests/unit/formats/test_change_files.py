"""The two change formats, read: Terraform's JSON plan (format versions, the shapes real plans
have, configuration references) and CloudFormation templates (JSON with lines, YAML with the
short tags, and what is not a template)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamgate.errors import InputError
from iamgate.formats.cloudformation import read_template
from iamgate.formats.terraform_plan import read_terraform_plan, terraform_plan_from_json
from testing.cli import DATA
from testing.plans import change, create, plan, refs

CFN = DATA / "plan" / "cloudformation"


def _write(tmp_path: Path, data: Any, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# --- Terraform -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2", "1.9"])
def test_format_versions_0_and_1_are_read(version: str) -> None:
    read = terraform_plan_from_json(plan(version=version), "p.json")
    assert read.format_version == version


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {"format_version": "2.0", "resource_changes": []},
            "unsupported Terraform plan format_version '2.0'",
        ),
        (
            {"format_version": 1.2, "resource_changes": []},
            "unsupported Terraform plan format_version 1.2",
        ),
        ({"resource_changes": []}, "not a Terraform plan in JSON (no format_version)"),
        (
            {"format_version": "1.0", "values": {}},
            "not a plan: no resource_changes or planned_values",
        ),
        (
            {"format_version": "1.2", "errored": True, "planned_values": {}},
            "terraform plan did not finish",
        ),
        (
            plan(change("aws_iam_role.r", ["explode"])),
            "aws_iam_role.r: change.actions: unknown action(s) explode",
        ),
        (
            plan({"address": "aws_iam_role.r", "type": "aws_iam_role", "name": "r", "change": []}),
            "aws_iam_role.r: change: expected an object",
        ),
        (
            plan(change("aws_iam_role.r", ["create"], after=["not", "an", "object"])),
            "aws_iam_role.r: change.after: expected an object or null",
        ),
    ],
)
def test_what_is_not_a_readable_plan_is_bad_input_naming_the_file_and_address(
    tmp_path: Path, data: Any, problem: str
) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as caught:
        read_terraform_plan(path)
    assert caught.value.source == str(path)
    assert problem in caught.value.message


def test_a_plan_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_terraform_plan(_write(tmp_path, '{\n "format_version": "1.2",\n oops\n}'))
    assert caught.value.line == 3


def test_the_shapes_real_plans_have() -> None:
    """Modules, for_each and count keys, data sources read at apply, deposed objects."""
    data = plan(
        create('module.ci.aws_iam_role.r["prod"]', {"name": "r"}),
        create("module.ci.module.inner.aws_iam_user.u[0]", {"name": "u"}),
        change("data.aws_iam_policy_document.d", ["read"], None, {"statement": []}, {"json": True}),
        change("aws_iam_role.old", ["delete"], {"name": "old"}, None, deposed="ab12cd34"),
        resources=[
            refs(
                "data.aws_iam_policy_document.d", statement=[{"resources": ["aws_s3_bucket.b.arn"]}]
            )
        ],
        module_calls={
            "ci": {
                "expressions": {"env": {"references": ["var.env"]}},
                "module": {
                    "resources": [refs("aws_iam_role.r", name=["each.key"])],
                    "outputs": {"arn": {"expression": {"references": ["aws_iam_role.r.arn"]}}},
                    "module_calls": {"inner": {"module": {"resources": []}}},
                },
            }
        },
    )
    read = terraform_plan_from_json(data, "p.json")
    by = {c.address: c for c in read.changes}
    role = by['module.ci.aws_iam_role.r["prod"]']
    assert (role.module_address, role.index, role.config_address) == (
        "module.ci",
        "prod",
        "module.ci.aws_iam_role.r",
    )
    user = by["module.ci.module.inner.aws_iam_user.u[0]"]
    assert (user.index, user.config_address) == (0, "module.ci.module.inner.aws_iam_user.u")
    assert by["data.aws_iam_policy_document.d"].config_address == "data.aws_iam_policy_document.d"
    assert by["aws_iam_role.old"].deposed == "ab12cd34"
    assert read.references["data.aws_iam_policy_document.d"] == {
        "statement.0.resources": ("aws_s3_bucket.b.arn",)
    }
    assert read.references["module.ci.aws_iam_role.r"] == {"name": ("each.key",)}
    assert read.outputs == {"module.ci.arn": ("aws_iam_role.r.arn",)}
    assert read.inputs == {"module.ci.env": ("var.env",)}


def test_the_demo_plan_is_read_whole() -> None:
    from iamgate.demo.run import demo_plan_path

    read = read_terraform_plan(demo_plan_path())
    assert [c.address for c in read.changes][:2] == [
        "aws_iam_role.deployer",
        "aws_iam_role.shared_reports",
    ]


# --- CloudFormation ------------------------------------------------------------------------------


def test_yaml_short_tags_become_the_full_forms(tmp_path: Path) -> None:
    text = """AWSTemplateFormatVersion: 2010-09-09
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      A: !Ref X
      B: !GetAtt Res.Attr.With.Dots
      C: !GetAtt [Res, Arn]
      D: !Sub "${AWS::Region}"
      E: !Sub ["${a}", {a: !Ref B}]
      F: !If [Cond, !Join [",", [a, b]], !Ref "AWS::NoValue"]
      G: !Not [!Condition Other]
      H: !Select [0, !Split [",", "a,b"]]
      I: !FindInMap [M, k, v]
      J: !Base64 text
      K: !GetAZs ""
      Version: 2012-10-17
      Number: 3
      Flag: true
      Float: 1.50
"""
    (resource,) = read_template(_write(tmp_path, text, "t.yml")).resources
    p = resource.properties
    assert p["A"] == {"Ref": "X"}
    assert p["B"] == {"Fn::GetAtt": ["Res", "Attr.With.Dots"]}
    assert p["C"] == {"Fn::GetAtt": ["Res", "Arn"]}
    assert p["D"] == {"Fn::Sub": "${AWS::Region}"}
    assert p["E"] == {"Fn::Sub": ["${a}", {"a": {"Ref": "B"}}]}
    assert p["F"] == {"Fn::If": ["Cond", {"Fn::Join": [",", ["a", "b"]]}, {"Ref": "AWS::NoValue"}]}
    assert p["G"] == {"Fn::Not": [{"Condition": "Other"}]}
    assert p["H"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert p["I"] == {"Fn::FindInMap": ["M", "k", "v"]}
    assert (p["J"], p["K"]) == ({"Fn::Base64": "text"}, {"Fn::GetAZs": ""})
    # A date and a decimal stay the text IAM and CloudFormation read; ints and booleans stay.
    assert (p["Version"], p["Number"], p["Flag"], p["Float"]) == ("2012-10-17", 3, True, "1.50")
    assert resource.line == 3


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("Resources:\n  R:\n    Type: X\n    Properties: {A: !Bogus x}\n", "unknown tag !Bogus", 4),
        ("Resources:\n  R: &a {Type: X}\n  S: *a\n", "anchors and aliases are not allowed", 2),
        ("Resources:\n  R: {Type: X}\n  R: {Type: Y}\n", "duplicate key 'R' (first on line 2)", 3),
        ("Resources:\n  R: {Type: X\n", "invalid YAML", None),
        (
            "Description: no resources\n",
            "not a CloudFormation template: no Resources section",
            None,
        ),
        ("- a list\n", "not a CloudFormation template", None),
        ("", "the file is empty", None),
        ("Resources:\n  Bad-Id: {Type: X}\n", "a logical id is alphanumeric", 2),
        ("Resources:\n  R: {Properties: {}}\n", "resource R: no Type", 2),
        (
            "AWSTemplateFormatVersion: '2011-01-01'\nResources:\n  R: {Type: X}\n",
            "is not '2010-09-09'",
            None,
        ),
        (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  R: {Type: X}\n",
            "--template-stage Processed",
            None,
        ),
        (
            "Parameters:\n  P: {Type: String, AllowedPattern: '['}\nResources:\n  R: {Type: X}\n",
            "parameter P: AllowedPattern",
            2,
        ),
        ("!!python/object:os.system {}\n", "unknown tag tag:yaml.org,2002:python/object", 1),
        ("Resources:\n  R: {Type: !!python/name:os.system x}\n", "unknown tag", 2),
        ("Resources:\n  R: !!set {Type: X}\n", "unknown tag tag:yaml.org,2002:set", 2),
    ],
)
def test_what_is_not_a_template_is_bad_input_with_its_line(
    tmp_path: Path, text: str, problem: str, line: int | None
) -> None:
    path = _write(tmp_path, text, "t.yml")
    with pytest.raises(InputError) as caught:
        read_template(path)
    assert caught.value.source == str(path)
    assert problem in caught.value.message
    if line is not None:
        assert caught.value.line == line


def test_json_templates_keep_every_resources_line() -> None:
    path = CFN / "ReleaseStack.template.json"
    read = read_template(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(read.resources) == 6
    for resource in read.resources:
        assert resource.line is not None
        assert lines[resource.line - 1].strip().startswith(f'"{resource.logical_id}"')
    assert read.parameters["BootstrapVersion"].line is not None


def test_a_json_key_that_repeats_a_logical_id_deeper_does_not_move_its_line(tmp_path: Path) -> None:
    """The line is the key's in Resources, not a property of the same name elsewhere."""
    text = (
        '{\n "Metadata": {"Role": 1},\n "Resources": {\n'
        '  "X": {"Type": "A", "Properties": {"Role": "\\"}"}},\n  "Role": {"Type": "B"}\n }\n}'
    )
    read = read_template(_write(tmp_path, text, "t.json"))
    assert [(r.logical_id, r.line) for r in read.resources] == [("X", 4), ("Role", 5)]


def test_a_json_template_that_is_not_json_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_template(_write(tmp_path, '{\n "Resources": {\n  x\n }\n}', "t.json"))
    assert caught.value.line == 3
