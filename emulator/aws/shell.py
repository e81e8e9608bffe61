"""The emulator's own process keeps none of the developer's AWS credentials in its environment.

Handlers run as the same user as the emulator, so they can read `/proc/<pid>/environ` of every
process of that user, the emulator's included. That file shows the environment the process was
*started* with: removing names from `os.environ` later changes nothing there. So when the shell
hands the emulator AWS credentials (keys, a session token, a profile naming a credentials file,
a container or web-identity credentials source), the emulator starts itself again at once
(`execve`, same process id, same arguments) without them, before it reads any config. It never
needs them: it never calls AWS (DESIGN.md), and its children get fake ones (aws/tables.py).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

# Names whose value is, or points to, an AWS credential (botocore's credential providers).
CREDENTIALS = frozenset({
    "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
})
_SECRET_LOOKING = re.compile(r"^AWS_.*(KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL)", re.IGNORECASE)
REMOVED = "EMULATOR_REMOVED_AWS_CREDENTIALS"  # names only, for the one console line


def credential_names(env: Mapping[str, str]) -> list[str]:
    """The names in `env` that hold (or lead to) AWS credentials."""
    return sorted(name for name in env
                  if name.upper() in CREDENTIALS or _SECRET_LOOKING.match(name))


def restart_without_credentials() -> list[str]:
    """Start this process again without the shell's AWS credentials, if it has any (POSIX).

    Return the names removed (known from the restarted process's marker). Called first thing
    by the command line (never by tests calling `cli.main(argv)`). On Windows, where exec
    starts a new process, the names are only removed from os.environ.
    """
    names = credential_names(os.environ)
    if not names:
        removed = os.environ.pop(REMOVED, "")
        return removed.split(",") if removed else []
    env = {name: value for name, value in os.environ.items() if name not in names}
    if os.name != "posix":
        for name in names:
            del os.environ[name]
        return names
    env[REMOVED] = ",".join(names)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
    return names  # not reached: execve replaces this process
