"""Trust policy documents for the role-trust tests: the unit table, the properties and the
end-to-end scans build them with these helpers, so the same documents meet every layer."""

from __future__ import annotations

from typing import Any

OWN, OTHER, TRUSTED = "111111111111", "999999999999", "222222222222"
ORG, OTHER_ORG = "o-mine123456", "o-other12345"
ASSUME, WEB, SAML = "sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"
GH = "token.actions.githubusercontent.com"


def oidc(url: str, account: str = OWN) -> dict[str, str]:
    return {"Federated": f"arn:aws:iam::{account}:oidc-provider/{url}"}


def st(
    effect: str,
    principal: Any,
    action: Any = ASSUME,
    condition: Any = None,
    sid: str | None = None,
    not_principal: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": action}
    out["NotPrincipal" if not_principal else "Principal"] = principal
    if condition is not None:
        out["Condition"] = condition
    if sid:
        out["Sid"] = sid
    return out


def allow(principal: Any, action: Any = ASSUME, condition: Any = None, **kw: Any) -> dict[str, Any]:
    return st("Allow", principal, action, condition, **kw)


def deny(principal: Any, action: Any = ASSUME, condition: Any = None, **kw: Any) -> dict[str, Any]:
    return st("Deny", principal, action, condition, **kw)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}
