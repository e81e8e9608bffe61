"""Who may call the Lambda Invoke API: a signed caller allowed `lambda:InvokeFunction`.

The Invoke API is served by the emulator itself (gateway/invoke_api.py), not moto, so the two
checks made in front of moto are made here: the signature (authn.py: only keys the emulator
issued; an unsigned call or an unknown key is refused, as Lambda refuses it, with HTTP 403) and,
for a function's key, its role, with the same Policy and AWS's same AccessDeniedException
wording (AWS, "Actions, resources, and condition keys for AWS Lambda": Invoke needs
`lambda:InvokeFunction` on the function's ARN). The developer's key (`python -m emulator
invoke`, the AWS CLI) is not subject to the role, as a developer's own credentials are not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from emulator.aws.authn import AuthError, KeyRing, Kind, authenticate
from emulator.aws.iam import Decision, IamSettings, Policy, denial_message, denial_report
from emulator.aws.iam_requests import Check

log = logging.getLogger(__name__)
Denial = tuple[int, str, str]  # HTTP status, Lambda's error type, message


class InvokePermission:
    """`(method, target, headers, body, function_arn)`: None when allowed, else the denial."""

    def __init__(self, settings: IamSettings, keys: KeyRing) -> None:
        self.settings, self.keys = settings, keys
        self.policy = Policy(settings.statements)

    def __call__(self, method: str, target: str, headers: dict[str, list[str]], body: bytes,
                 function_arn: str) -> Denial | None:
        settings, policy = self.settings, self.policy
        try:
            caller, _ = authenticate(self.keys, settings.functions, method=method,
                                     target=target, headers=headers, body=body)
        except AuthError as error:
            log.warning("Invoke API: %s refused: %s (%s)", function_arn, error.json_type,
                        error.message)
            missing = error.json_type == "MissingAuthenticationTokenException"
            return 403, error.json_type, ("Missing Authentication Token" if missing
                                          else error.message)
        if caller.kind in (Kind.DEVELOPER, Kind.EMULATOR):
            return None
        if caller.kind is not Kind.FUNCTION:  # no Invoke is served unsigned
            return 403, "MissingAuthenticationTokenException", "Missing Authentication Token"
        check = Check("lambda:InvokeFunction", function_arn)
        verdict = policy.evaluate(check)
        if verdict.decision is Decision.ALLOWED:
            return None
        log.warning("%s", denial_report(policy, caller.name, check, verdict, settings.role_name))
        principal = (f"arn:aws:sts::{settings.account_id}:assumed-role/"
                     f"{settings.role_name}/{caller.name}")
        return 403, "AccessDeniedException", denial_message(principal, check, verdict)


def invoke_permission(settings: IamSettings | None, keys: KeyRing | None
                      ) -> Callable[[str, str, dict[str, list[str]], bytes, str],
                                    Denial | None] | None:
    """The checker for a role (None: nothing checked, --no-iam)."""
    return InvokePermission(settings, keys) if settings is not None and keys is not None \
        else None
