"""`--stack`: a deployed stage's base URL, from its CloudFormation stack's outputs.

The Serverless Framework (v3) writes the stage's URL to the `ServiceEndpoint` output of the
stack `{service}-{stage}`, e.g. `https://abc123.execute-api.us-east-2.amazonaws.com/dev`.
"""

from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError

OUTPUT_KEY = "ServiceEndpoint"


class StackError(Exception):
    """The stack or its output could not be read; reported as one line."""


def service_endpoint(stack_name: str, region: str | None) -> str:
    """Return the `ServiceEndpoint` output of a stack."""
    outputs = stack_outputs(stack_name, region)
    if OUTPUT_KEY not in outputs:
        raise StackError(
            f"--stack {stack_name}: no {OUTPUT_KEY} output "
            f"(outputs: {', '.join(sorted(outputs)) or 'none'})"
        )
    return str(outputs[OUTPUT_KEY]).rstrip("/")


def stack_outputs(stack_name: str, region: str | None) -> dict[str, str]:
    """Every output of a stack, by key (UserPoolClientId: the identities' app client)."""
    try:
        client = boto3.client("cloudformation", region_name=region)
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except (BotoCoreError, ClientError) as exc:
        raise StackError(f"--stack {stack_name}: {exc}") from exc
    return {
        str(o["OutputKey"]): str(o["OutputValue"])
        for s in stacks
        for o in s.get("Outputs", [])
        if "OutputValue" in o
    }
