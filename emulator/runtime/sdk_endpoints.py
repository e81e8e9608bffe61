"""Local endpoints for AWS SDKs too old to read them from the environment.

botocore reads `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE_ID>` since 1.31.0 (boto3
1.28.0, July 2023; AWS SDKs and Tools reference guide, "Service-specific endpoints"). A project
that pins an older boto3 in its requirements (serverless/examples' aws-python-sqs-worker pins
boto3==1.26.106) would send every call past the emulator to AWS — with fake credentials, so it
fails, but it leaves the machine. `install()` gives those versions the same default: a client
created without `endpoint_url` gets the service's variable, else `AWS_ENDPOINT_URL`, exactly as
a newer botocore would. Newer versions are left alone; the handler's code is never touched.

STANDALONE and stdlib only, like bootstrap.py, which loads it by path before the handler.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

READS_ENVIRONMENT = (1, 31, 0)  # the first botocore that reads AWS_ENDPOINT_URL itself
_TARGET = "botocore.session"
# create_client(service_name, region_name, api_version, use_ssl, verify, endpoint_url, ...)
_ENDPOINT_ARG = 5


def version_tuple(text: str) -> tuple[int, ...]:
    """"1.29.165" -> (1, 29, 165); anything unparsable counts as new (left alone)."""
    try:
        return tuple(int(part) for part in text.split(".")[:3])
    except ValueError:
        return READS_ENVIRONMENT


def env_name(service_id: str) -> str:
    """The variable a newer botocore reads: "Cognito Identity Provider" ->
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER."""
    return "AWS_ENDPOINT_URL_" + service_id.upper().replace(" ", "_").replace("-", "_")


def local_endpoint(service_id: str, env: Mapping[str, str]) -> str | None:
    """The endpoint a newer botocore would use for this service, from the environment."""
    return env.get(env_name(service_id)) or env.get("AWS_ENDPOINT_URL") or None


def patch_session_class(session_class: Any, env: Mapping[str, str] = os.environ) -> None:
    """Make `Session.create_client` default `endpoint_url` from the environment."""
    original: Callable[..., Any] = session_class.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        given = args[_ENDPOINT_ARG] if len(args) > _ENDPOINT_ARG else kwargs.get("endpoint_url")
        if given is None:
            name = str(args[0] if args else kwargs.get("service_name"))
            url = local_endpoint(_service_id(self, name), env)
            if url is not None:
                if len(args) > _ENDPOINT_ARG:
                    args = (*args[:_ENDPOINT_ARG], url, *args[_ENDPOINT_ARG + 1:])
                else:
                    kwargs["endpoint_url"] = url
        return original(self, *args, **kwargs)

    session_class.create_client = create_client


def _service_id(session: Any, service_name: str) -> str:
    try:
        return str(session.get_service_model(service_name).service_id)
    except Exception:  # an unknown service: botocore itself will say so
        return service_name


class _Finder(importlib.abc.MetaPathFinder):
    """Patches botocore.session right after it is imported, if botocore is too old."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != _TARGET:
            return None
        sys.meta_path.remove(self)  # once: the real finders locate the module
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            botocore = sys.modules.get("botocore")
            if version_tuple(str(getattr(botocore, "__version__", ""))) < READS_ENVIRONMENT:
                patch_session_class(module.Session)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install() -> None:
    """Watch for botocore's import (nothing is imported now: no cold-start cost)."""
    if "AWS_ENDPOINT_URL" in os.environ and _TARGET not in sys.modules:
        sys.meta_path.insert(0, _Finder())
