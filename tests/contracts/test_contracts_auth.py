"""--header and --sigv4: what a real stage asks of a client, checked on a recording fake stage."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from contracts_fake_stage import FakeStage, Recorded

from contracts import auth, model
from contracts.client import ApiClient

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-2"
CREDENTIALS = Credentials("AKIDEXAMPLEFAKE", "fake-secret-key", "fake-session-token")
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/execute-api/"
    r"aws4_request, SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})$"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def signature_is_valid(request: Recorded, origin: str, credentials: Credentials) -> bool:
    """Recompute the signature from what arrived, as API Gateway would, and compare."""
    match = AUTHORIZATION.match(request.headers["Authorization"])
    assert match, request.headers["Authorization"]
    signed = match.group("signed").split(";")
    headers = {k: v for k, v in request.headers.items() if k.lower() in signed}
    received = AWSRequest(
        method=request.method, url=origin + request.raw_path, data=request.body, headers=headers
    )
    received.context["timestamp"] = request.headers["X-Amz-Date"]
    signer = SigV4Auth(credentials, "execute-api", match.group("region"))
    canonical = signer.canonical_request(received)
    expected = signer.signature(signer.string_to_sign(received, canonical), received)
    return bool(expected == match.group("signature"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x-api-key: abc", ("x-api-key", "abc")),
        ("X-Token:a:b", ("X-Token", "a:b")),
        ("Empty:", ("Empty", "")),
    ],
)
def test_header_option_is_split_like_curl(text: str, expected: tuple[str, str]) -> None:
    assert auth.parse_header(text) == expected


@pytest.mark.parametrize("text", ["no-colon", ": value", " x: y"])
def test_malformed_header_option_is_refused(text: str) -> None:
    with pytest.raises(auth.AuthError):
        auth.parse_header(text)


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://abc123.execute-api.eu-west-1.amazonaws.com/dev", "eu-west-1"),
        ("https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod", "cn-north-1"),
        ("https://api.example.com/dev", None),
        ("http://127.0.0.1:3000/dev", None),
    ],
)
def test_region_is_read_from_execute_api_hosts(url: str, region: str | None) -> None:
    assert auth.region_from_url(url) == region


def test_sigv4_signs_requests_as_api_gateway_verifies_them() -> None:
    with FakeStage() as stage:
        client = ApiClient(stage.base_url, {"x-api-key": "k1"}, auth.SigV4(CREDENTIALS, REGION))
        (reviews,) = model.load(REPO / "openapi.yaml").collections
        client.list_page(reviews, 10, None)
        client.delete_item(reviews, "3f1c2b9e-8d4a-4c6b-9e2f-1a2b3c4d5e6f")
        client.close()
        origin = stage.base_url.rsplit("/", 1)[0]
        sent = stage.requests

    assert [r.method for r in sent] == ["GET", "DELETE"]
    for request in sent:
        match = AUTHORIZATION.match(request.headers["Authorization"])
        assert match and (match.group("key"), match.group("region")) == ("AKIDEXAMPLEFAKE", REGION)
        assert request.headers["X-Amz-Security-Token"] == "fake-session-token"
        assert "x-api-key" in match.group("signed").split(";")
        assert signature_is_valid(request, origin, CREDENTIALS)
    assert not signature_is_valid(sent[0], origin, Credentials("AKIDEXAMPLEFAKE", "other"))


def test_read_only_run_on_a_prod_stage_signs_every_request_and_writes_nothing(
    tmp_path: Path,
) -> None:
    env = {
        "PATH": "",
        "AWS_ACCESS_KEY_ID": CREDENTIALS.access_key,
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS.secret_key,
        "AWS_SESSION_TOKEN": str(CREDENTIALS.token),
        "AWS_CONFIG_FILE": str(tmp_path / "missing"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "missing"),
    }
    with FakeStage("prod") as stage:
        done = subprocess.run(
            [sys.executable, "-m", "contracts", "--base-url", stage.base_url, "--read-only",
             "--sigv4", "--region", REGION, "--header", "x-api-key: k1",
             "--max-examples", "3", "--seed", "7"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        origin = stage.base_url.rsplit("/", 1)[0]
        # schemathesis's capability probes (a GET of the base URL) go out before the run, unsigned
        sent = [r for r in stage.requests if "X-Schemathesis-Probe" not in r.headers]

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert len(sent) > 10
    assert {r.method for r in sent} <= SAFE_METHODS
    assert all(r.headers.get("x-api-key") == "k1" for r in sent)
    assert all(signature_is_valid(r, origin, CREDENTIALS) for r in sent)
