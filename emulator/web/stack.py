"""`python -m emulator web-config`: write the web page's config.json for a deployed stage.

Locally `--web` answers /config.json itself (site.py). After `serverless deploy` the page needs
the same keys for the real stage: they are read from the CloudFormation stack's outputs, which
the Serverless Framework and this project's serverless.yml declare: `ServiceEndpoint` (the REST
API's stage URL, written by the Framework for every stack with http events), `UserPoolId` and
`UserPoolClientId` (this project's `resources.Outputs`). The Cognito endpoint is the pool
region's public one, `https://cognito-idp.{region}.amazonaws.com/` (AWS General Reference,
"Amazon Cognito endpoints and quotas"), which the page POSTs its JSON API calls to.
This command talks to AWS (CloudFormation DescribeStacks) with your usual credentials; the
emulator itself never does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emulator.config.errors import ConfigError
from emulator.web.settings import CONFIG_NAME, WebConfig

API_OUTPUT = "ServiceEndpoint"
POOL_OUTPUT = "UserPoolId"
CLIENT_OUTPUT = "UserPoolClientId"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m emulator web-config",
        description="Write the web page's config.json for a deployed stage, from the "
                    f"CloudFormation stack's outputs {API_OUTPUT}, {POOL_OUTPUT} and "
                    f"{CLIENT_OUTPUT} (needs AWS credentials that may DescribeStacks).")
    p.add_argument("--stack", required=True,
                   help="the stack's name (the Serverless Framework's is <service>-<stage>, "
                        "e.g. review-api-dev)")
    p.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    p.add_argument("--out", type=Path, default=Path("web") / CONFIG_NAME, metavar="FILE",
                   help=f"where to write it (default: web/{CONFIG_NAME})")
    return p


def stack_config(cloudformation: Any, stack: str) -> WebConfig:
    """Read the stack's outputs through a boto3 CloudFormation client."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        found = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(f"cannot read stack {stack}: {exc}", key="--stack") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found[0].get("Outputs", [])}
    if API_OUTPUT not in outputs:
        raise ConfigError(f"stack {stack} has no output {API_OUTPUT} (its outputs: "
                          f"{', '.join(sorted(outputs)) or 'none'}); is it a Serverless "
                          "Framework stack with http events?", key="--stack")
    region = str(cloudformation.meta.region_name)
    pool = outputs.get(POOL_OUTPUT)
    endpoint = f"https://cognito-idp.{pool.split('_', 1)[0]}.amazonaws.com/" if pool else None
    return WebConfig(outputs[API_OUTPUT].rstrip("/"), region, pool, outputs.get(CLIENT_OUTPUT),
                     endpoint)


def main(argv: Sequence[str]) -> int:
    """Write config.json for --stack; 2 with a one-line error when it cannot."""
    args = parser().parse_args(argv)
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        config = stack_config(boto3.client("cloudformation", region_name=args.region),
                              args.stack)
    except (ConfigError, BotoCoreError) as exc:  # NoRegionError: no --region, none configured
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(config.to_json())
    missing = [k for k, v in ((POOL_OUTPUT, config.user_pool_id),
                              (CLIENT_OUTPUT, config.user_pool_client_id)) if v is None]
    print(f"Wrote {args.out}: API {config.api_url}" + (
        f"; no {' or '.join(missing)} output: the page cannot sign anyone in" if missing
        else f", user pool {config.user_pool_id}"))
    return 0
