"""What decides a handler virtualenv's contents: the runtime's Python and image, Lambda's SDK,
the project's requirements, the runtime client (runtime/dependencies.py builds it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from emulator.runtime.requirements import Requirements, requirement_names

FORMAT = 1  # bump when the layout of a virtualenv folder changes
# AWS publishes no fixed SDK version ("depends on the runtime version and your AWS Region",
# Lambda developer guide, "Runtime-included SDK versions"); python3.12 and python3.13 reported
# boto3/botocore 1.38.36 in August 2025 (github.com/terricain/aioboto3/issues/381).
LAMBDA_SDK = (("boto3", "1.38.36"), ("botocore", "1.38.36"))
SDK_PIN_MIN_PYTHON = (3, 9)  # boto3 1.38 needs 3.9+; older (deprecated) runtimes get the newest
# boto3 that still installs on them, as their Lambda runtime shipped an older SDK too
# What else the runtime's image has in /var/lang/lib/python3.x/site-packages, where a handler
# imports it from. Every Lambda Python image ships pip (AWS's image scans list pip in python:3.8
# to 3.14: github.com/aws/aws-lambda-base-images issues 179, 489, 595). Up to python3.11 the
# images also ship setuptools 65.5.0 (issue 178, python:3.8-3.11; DataDog/datadog-lambda-python
# PR 322 imports it from /var/lang on python:3.10), so `import pkg_resources` works there;
# python3.12+ (Amazon Linux 2023) ship none. Runtimes older than 3.8 get the newest setuptools
# that installs on them.
RUNTIME_PACKAGES: tuple[tuple[tuple[int, int], tuple[str, ...]], ...] = (
    ((3, 8), ("pip", "setuptools")),  # below python3.8: as deployed then, unpinned
    ((3, 12), ("pip", "setuptools==65.5.0")),  # python3.8 .. python3.11
    ((99, 0), ("pip",)),  # python3.12 and later
)
SERVERLESS_WSGI = "serverless-wsgi==3.1.0"  # the PyPI twin of the plugin's serverless_wsgi.py
# The plugin copies serverless_wsgi.py into the package: it goes in without its dependencies
# (werkzeug comes from the requirements, requirements.py).
AWSLAMBDARIC = "awslambdaric>=4.2"  # --runtime-client awslambdaric: AWS's client in the venv

@dataclass(frozen=True, slots=True)
class Spec:
    """Everything that decides a virtualenv's contents; `key` names its folder."""

    python: str  # the runtime's version, "3.12"
    requirements: Requirements
    runtime_client: str = "builtin"
    wsgi: bool = False

    def install_lines(self) -> tuple[str, ...]:
        """The project's lines, plus Lambda's SDK unless the project brings its own."""
        named = requirement_names(self.requirements.lines)
        own_sdk = bool(named & {name for name, _ in LAMBDA_SDK})  # /var/task wins over the SDK
        pinned = _version(self.python) >= SDK_PIN_MIN_PYTHON and not own_sdk
        sdk = tuple(f"{n}=={v}" if pinned else n for n, v in LAMBDA_SDK if n not in named)
        client = (AWSLAMBDARIC,) if self.runtime_client == "awslambdaric" else ()
        return self.requirements.lines + sdk + self.runtime_packages(named) + client

    def runtime_packages(self, named: frozenset[str] | set[str] = frozenset()) -> tuple[str, ...]:
        """What the runtime's image itself carries besides the SDK (pip; setuptools up to
        python3.11), unless the project's requirements name it (/var/task wins)."""
        version = _version(self.python)
        packages = next(p for below, p in RUNTIME_PACKAGES if version < below)
        return tuple(p for p in packages if p.partition("=")[0] not in named)

    def without_dependencies(self) -> tuple[str, ...]:
        """What goes in as the plugin copies it: the file alone, not its dependencies."""
        return (SERVERLESS_WSGI,) if self.wsgi else ()

    def key(self) -> str:
        text = json.dumps([FORMAT, self.python, self.requirements.digest,
                           list(self.install_lines()), list(self.without_dependencies())])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _version(python: str) -> tuple[int, ...]:
    """Read "3.12" as (3, 12); anything unreadable counts as current."""
    try:
        return tuple(int(part) for part in python.split(".")[:2])
    except ValueError:
        return (99,)
