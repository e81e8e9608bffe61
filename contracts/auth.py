"""What a deployed stage may ask of a client: extra headers (an API key) and SigV4 signing.

API Gateway's IAM authorization (`authorizer: aws_iam`) wants every request signed with
Signature Version 4 for the `execute-api` service, as botocore's `SigV4Auth` does it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import botocore.session
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SERVICE = "execute-api"
# https://{api-id}.execute-api.{region}.amazonaws.com/{stage}
_EXECUTE_API_HOST = re.compile(r"^[^.]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")
# Headers requests or urllib3 may set or change after signing; signing them breaks the signature.
_UNSIGNED = frozenset({"connection", "user-agent", "accept-encoding", "content-length"})


class AuthError(Exception):
    """A usage problem with --header or --sigv4, reported as one line."""


def parse_header(text: str) -> tuple[str, str]:
    """Split `'Name: value'` (as curl's -H) into its name and value."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip() or name != name.strip():
        raise AuthError(f"--header {text!r}: expected 'Name: value'")
    return name, value.strip()


def region_from_url(url: str) -> str | None:
    """Return the region of an execute-api URL, or None for other hosts (custom domains)."""
    match = _EXECUTE_API_HOST.match(urlsplit(url).hostname or "")
    return match.group(1) if match else None


class SigV4(requests.auth.AuthBase):
    """Sign each prepared request with SigV4 for execute-api (used by requests and schemathesis)."""

    def __init__(self, credentials: Credentials, region: str) -> None:
        self.credentials = credentials
        self.region = region

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _UNSIGNED}
        aws_request = AWSRequest(method=request.method, url=request.url, data=data, headers=headers)
        SigV4Auth(self.credentials, SERVICE, self.region).add_auth(aws_request)
        for name, value in aws_request.headers.items():
            request.headers[name] = value
        return request


def sigv4_from_environment(url: str, region: str | None) -> SigV4:
    """Build the signer from the caller's AWS credentials (env, profile, SSO, instance role)."""
    session = botocore.session.get_session()
    credentials = session.get_credentials()
    if credentials is None:
        raise AuthError("--sigv4: no AWS credentials found (environment, profile or role)")
    signing_region = region_from_url(url) or region or session.get_config_variable("region")
    if not signing_region:
        raise AuthError("--sigv4: cannot tell the region from the URL; pass --region")
    return SigV4(credentials, str(signing_region))
