"""The environment variables of one Lambda execution environment, built from config (pure).

Emulates the variables Lambda's python3.x runtimes define ("Defined runtime environment
variables" in the Lambda developer guide): the function's own `environment`, the reserved
Lambda variables (which a function cannot set: AWS rejects them at deploy), the unreserved
defaults it may override (LANG, PATH, TZ), plus the emulator's per-function fake credentials and
local endpoints. Nothing else from the developer's shell leaks in; names passed with
`--env-passthrough` are the explicit exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from emulator.config.service import FunctionConfig, ServiceConfig

# Reserved by Lambda: "The keys for these environment variables are reserved and cannot be set in
# your function configuration." (Lambda developer guide, "Defined runtime environment variables").
RESERVED = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

# Not reserved on AWS, but any of them could send a local handler's boto3 calls to a real account
# (another endpoint, a profile, a credentials provider): only the emulator's `aws_env` sets them.
GUARDED = frozenset(
    {
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_SECURITY_TOKEN",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_USE_FIPS_ENDPOINT",
        "AWS_USE_DUALSTACK_ENDPOINT",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_ROLE_SESSION_NAME",
        "AWS_CREDENTIAL_PROCESS",
    }
)
GUARDED_PREFIXES = ("AWS_ENDPOINT_URL",)

# Names the interpreter itself needs on some platforms (Windows: SYSTEMROOT for sockets/random).
PLATFORM_NAMES = ("SYSTEMROOT",)

LAMBDA_LANG = "en_US.UTF-8"
LAMBDA_TZ = ":UTC"


def is_protected(name: str) -> bool:
    """Say whether `name` is set only by the emulator (reserved by Lambda, or endpoint-related)."""
    return name in RESERVED or name in GUARDED or name.startswith(GUARDED_PREFIXES)


def log_group_name(function: FunctionConfig) -> str:
    """Return the CloudWatch log group Lambda uses: `/aws/lambda/<function name>`."""
    return f"/aws/lambda/{function.full_name}"


def function_arn(service: ServiceConfig, function: FunctionConfig) -> str:
    """Return the unqualified function ARN (what `context.invoked_function_arn` shows)."""
    return f"arn:aws:lambda:{service.region}:{service.account_id}:function:{function.full_name}"


def lambda_variables(
    service: ServiceConfig,
    function: FunctionConfig,
    *,
    runtime_api: str,
    task_root: str,
    log_stream: str,
    runtime_dir: str | None = None,
) -> dict[str, str]:
    """Return the reserved variables Lambda defines for this function's environment."""
    variables = {
        "_HANDLER": function.handler,
        "AWS_REGION": service.region,
        "AWS_DEFAULT_REGION": service.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": function.full_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": log_group_name(function),
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "LAMBDA_TASK_ROOT": task_root,
    }
    if runtime_dir is not None:
        variables["LAMBDA_RUNTIME_DIR"] = runtime_dir
    return variables


def build_environment(
    service: ServiceConfig,
    function: FunctionConfig,
    *,
    runtime_api: str,
    aws_env: Mapping[str, str],
    passthrough: Iterable[str],
    shell_env: Mapping[str, str],
    task_root: str,
    log_stream: str,
    runtime_dir: str | None = None,
) -> dict[str, str]:
    """Return the complete environment of one execution environment process.

    Precedence, lowest first: Lambda's unreserved defaults (LANG, TZ, PATH from the shell) <
    passthrough names from the shell < the function's `environment` < `aws_env` < the reserved
    Lambda variables. Protected names (see `is_protected`) come only from `aws_env` and Lambda.
    """
    env = {"LANG": LAMBDA_LANG, "TZ": LAMBDA_TZ, "PATH": shell_env.get("PATH", os.defpath)}
    env.update({name: shell_env[name] for name in PLATFORM_NAMES if name in shell_env})
    for name in passthrough:
        if name in shell_env and not is_protected(name):
            env[name] = shell_env[name]
    env.update({k: v for k, v in function.environment.items() if not is_protected(k)})
    env.update(aws_env)
    env.update(
        lambda_variables(
            service,
            function,
            runtime_api=runtime_api,
            task_root=task_root,
            log_stream=log_stream,
            runtime_dir=runtime_dir,
        )
    )
    return env


def ignored_names(
    function: FunctionConfig, *, passthrough: Iterable[str], aws_env: Mapping[str, str]
) -> tuple[str, ...]:
    """Return the names of `function`'s environment or the passthrough list that are overridden.

    AWS refuses reserved names at deploy time; locally they are dropped (and the caller warns
    once), as are endpoint/credential names, so a handler never reaches a real AWS account.
    """
    named = [*function.environment, *passthrough]
    return tuple(sorted({n for n in named if is_protected(n) or n in aws_env}))
