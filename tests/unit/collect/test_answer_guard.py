"""The collection guard on its own: every answer checked against botocore's service model and
the members a source reads; every pagination checked for markers that cycle, never end, or are
missing. (At the wire, through moto and the fault proxy: tests/faults/test_odd_answers.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from iamgate.aws.clients import AwsOptions, Clients
from iamgate.aws.failures import MalformedAnswer
from iamgate.collect.source import check_answer, paginate

T = datetime(2026, 10, 1, tzinfo=UTC)
_MODELS = botocore.session.get_session()


def model(service: str, operation: str) -> Any:
    return _MODELS.get_service_model(service).operation_model(operation)


@pytest.mark.parametrize(
    ("service", "operation", "answer", "needs", "fragment"),
    [
        ("accessanalyzer", "ListFindingsV2", {}, (), "findings (missing)"),
        ("accessanalyzer", "ListFindingsV2", {"findings": "none"}, (), "(a list, got a string)"),
        ("accessanalyzer", "ListFindingsV2", {"findings": [5]}, (), "findings[0] (an object"),
        (
            "accessanalyzer",
            "ListAnalyzers",
            {"analyzers": [{"arn": "a", "name": "n", "type": "ACCOUNT", "createdAt": T}]},
            (),
            "analyzers[0].status (missing)",
        ),
        ("iam", "GetAccountSummary", {}, ("SummaryMap",), "SummaryMap (missing)"),
        ("iam", "GetAccountSummary", {"SummaryMap": {"Users": "7"}}, (), "(integer, got a string)"),
        ("iam", "GetAccountSummary", {"SummaryMap": {"Users": True}}, (), "(integer, got True)"),
        (
            "iam",
            "GetAccountAuthorizationDetails",
            {"UserDetailList": [{"UserName": "a"}], "GroupDetailList": []},
            ("UserDetailList[].Arn",),
            "UserDetailList[0].Arn (missing)",
        ),
        (
            "iam",
            "GetAccountAuthorizationDetails",
            {"UserDetailList": [{"UserName": "a\ud800", "Arn": "x"}]},
            (),
            "lone surrogate",
        ),
        ("iam", "GetCredentialReport", {"Content": b"x"}, ("GeneratedTime",), "GeneratedTime"),
        ("iam", "GetCredentialReport", {"GeneratedTime": "yesterday"}, (), "(timestamp, got"),
    ],
)
def test_an_answer_without_the_shape_the_code_reads_is_refused(
    service: str, operation: str, answer: dict[str, Any], needs: tuple[str, ...], fragment: str
) -> None:
    with pytest.raises(MalformedAnswer, match="answered without the expected") as err:
        check_answer(model(service, operation), answer, needs)
    assert fragment in str(err.value)
    assert err.value.operation_name == operation


def test_a_well_formed_answer_passes_and_policy_documents_may_be_decoded() -> None:
    check_answer(
        model("iam", "GetAccountAuthorizationDetails"),
        {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": [
                {"RoleName": "r", "AssumeRolePolicyDocument": {"Version": "2012-10-17"}}
            ],
            "Policies": [],
            "IsTruncated": False,
            "ResponseMetadata": {"HTTPStatusCode": 200},
        },
        ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"),
    )


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch) -> Any:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return Clients(AwsOptions(region="us-east-1", max_attempts=1)).client("iam")


def page(marker: str | None, truncated: bool) -> dict[str, Any]:
    answer: dict[str, Any] = {"VirtualMFADevices": [], "IsTruncated": truncated}
    if marker is not None:
        answer["Marker"] = marker
    return answer


def pages_of(iam: Any, answers: list[dict[str, Any]], **kw: Any) -> int:
    with Stubber(iam) as stub:
        for n, answer in enumerate(answers):
            expected = {"MaxItems": 1000} | ({"Marker": answers[n - 1]["Marker"]} if n else {})
            stub.add_response("list_virtual_mfa_devices", answer, expected)
        return sum(1 for _ in paginate(iam, "ListVirtualMFADevices", page_size=1000, **kw))


def test_pages_are_followed_to_the_end(iam: Any) -> None:
    assert pages_of(iam, [page("a", True), page("b", True), page(None, False)]) == 3


def test_a_marker_that_comes_back_stops_the_pagination(iam: Any) -> None:
    # botocore's paginator only catches the same marker twice in a row; A, B, A loops forever.
    answers = [page("A", True), page("B", True), page("A", True)]
    with pytest.raises(MalformedAnswer, match="already used"):
        pages_of(iam, answers)


def test_a_truncated_page_without_a_marker_is_not_the_end(iam: Any) -> None:
    with pytest.raises(MalformedAnswer, match="says there is more"):
        pages_of(iam, [page("a", True), page(None, True)])


def test_the_page_cap(iam: Any) -> None:
    answers = [page(f"m{n}", True) for n in range(4)]
    with pytest.raises(MalformedAnswer, match="more than 3 pages"):
        pages_of(iam, answers, max_pages=3)
    assert pages_of(iam, [*answers[:2], page(None, False)], max_pages=3) == 3
