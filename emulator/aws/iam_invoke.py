"""The role checked on a function's calls to the Lambda Invoke API: `lambda:InvokeFunction`.

The Invoke API is served by the emulator itself (gateway/invoke_api.py), not moto, so the
check that IamMiddleware makes in front of moto for DynamoDB is made here with the same Policy,
the same access-key-to-function map and AWS's same AccessDeniedException wording (AWS, "Actions,
resources, and condition keys for AWS Lambda": Invoke needs `lambda:InvokeFunction` on the
function's ARN). Calls signed with any other key (a developer's script) are not checked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from emulator.aws.iam import Decision, IamSettings, Policy, denial_message, denial_report
from emulator.aws.iam_requests import Check

log = logging.getLogger(__name__)


class InvokePermission:
    """`authorize(access_key, function_arn)`: None when allowed, else AWS's denial message."""

    def __init__(self, settings: IamSettings) -> None:
        self.settings = settings
        self.policy = Policy(settings.statements)

    def __call__(self, access_key: str, function_arn: str) -> str | None:
        settings, policy = self.settings, self.policy
        caller = settings.functions.get(access_key)
        if caller is None:
            return None  # not a function's call: not enforced
        check = Check("lambda:InvokeFunction", function_arn)
        verdict = policy.evaluate(check)
        if verdict.decision is Decision.ALLOWED:
            return None
        log.warning("%s", denial_report(policy, caller, check, verdict, settings.role_name))
        principal = (f"arn:aws:sts::{settings.account_id}:assumed-role/"
                     f"{settings.role_name}/{caller}")
        return denial_message(principal, check, verdict)


def invoke_permission(settings: IamSettings | None) -> Callable[[str, str], str | None] | None:
    """The checker for a role (None: enforcement off, --no-iam)."""
    return InvokePermission(settings) if settings is not None else None
