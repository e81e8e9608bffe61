"""Signature Version 4, checked on the receiving side: who signed a request, and did they?

AWS authenticates every call by recomputing its SigV4 signature from the request as received
and the secret of the access key it names (AWS, "Create a signed AWS API request"; "Elements of
an AWS API request signature"). Here the same: the canonical request is rebuilt from the method,
the raw path and query, the headers the client listed in `SignedHeaders` and the payload hash,
then signed with the secret the emulator issued for that key. It follows botocore's signer
(botocore/auth.py `SigV4Auth.canonical_request`), the client every handler uses: the path is
normalised and URI-encoded once more except for S3, whose path is signed as sent; the query's
pairs are sorted as they arrived; `X-Amz-Content-SHA256`, when sent, stands for the payload.
Both the Authorization header and a presigned URL's query (`X-Amz-Signature`) are read.
Not checked (deviations): the 15-minute clock skew window and the session token's validity.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

ALGORITHM = "AWS4-HMAC-SHA256"
_HEADER = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*$")


@dataclass(frozen=True, slots=True)
class Signed:
    """The signature a request carries, and the scope it claims."""

    access_key: str
    date: str  # YYYYMMDD, from the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date (YYYYMMDD'T'HHMMSS'Z')
    presigned: bool


class Malformed(Exception):
    """The request names SigV4 but its signature cannot be read (AWS: IncompleteSignature)."""


def read_signature(headers: dict[str, list[str]], query: str) -> Signed | None:
    """Return the request's SigV4 signature; None when it carries none (unsigned).

    `headers` maps lower-case names to their values; raises Malformed for a signature of
    another kind or one missing a part.
    """
    authorization = headers.get("authorization")
    if authorization:
        match = _HEADER.match(authorization[-1])
        if match is None:
            raise Malformed(authorization[-1].split(" ", 1)[0])
        stamp = (headers.get("x-amz-date") or [""])[-1]
        return _signed(match.group("credential"), match.group("signed"),
                       match.group("signature"), stamp, presigned=False)
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    if "X-Amz-Signature" not in params and "X-Amz-Credential" not in params:
        return None
    if params.get("X-Amz-Algorithm") != ALGORITHM:
        raise Malformed("X-Amz-Algorithm")
    return _signed(params.get("X-Amz-Credential", ""), params.get("X-Amz-SignedHeaders", ""),
                   params.get("X-Amz-Signature", ""), params.get("X-Amz-Date", ""),
                   presigned=True)


def _signed(credential: str, signed: str, signature: str, stamp: str, *,
            presigned: bool) -> Signed:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not re.fullmatch(r"\d{8}T\d{6}Z", stamp) \
            or not stamp.startswith(parts[1]) or not re.fullmatch(r"[0-9a-f]{64}", signature):
        raise Malformed("Credential")
    return Signed(parts[0], parts[1], parts[2], parts[3], tuple(signed.split(";")), signature,
                  stamp, presigned)


def verify(signed: Signed, secret: str, *, method: str, target: str,
           headers: dict[str, list[str]], body: bytes) -> bool:
    """Say whether `signed.signature` is what `secret` gives for this request.

    `target` is the request target as received (raw path and query, still percent-encoded).
    """
    path, _, query = target.partition("?")
    if "host" not in signed.signed_headers:
        return False  # SigV4 always signs Host; a client that does not is not botocore
    canonical = "\n".join((
        method.upper(),
        path if signed.service == "s3" else urllib.parse.quote(_normalized(path), safe="/~"),
        _canonical_query(query, signed.presigned),
        "".join(f"{name}:{_trimmed(headers.get(name, []))}\n" for name in signed.signed_headers),
        ";".join(signed.signed_headers),
        _payload_hash(signed, headers, body),
    ))
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, signed.timestamp, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()))
    key = _signing_key(secret, signed.date, signed.region, signed.service)
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signed.signature)


@functools.lru_cache(maxsize=256)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The day's signing key (four HMACs): the same for every call of one key on one day."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _payload_hash(signed: Signed, headers: dict[str, list[str]], body: bytes) -> str:
    declared = headers.get("x-amz-content-sha256")
    if declared:
        return declared[-1]
    if signed.presigned and signed.service == "s3":
        return "UNSIGNED-PAYLOAD"  # botocore's S3SigV4QueryAuth
    return hashlib.sha256(body).hexdigest()


def _canonical_query(query: str, presigned: bool) -> str:
    pairs = [pair.partition("=")[::2] for pair in query.split("&") if pair]
    if presigned:
        pairs = [(k, v) for k, v in pairs if k != "X-Amz-Signature"]
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _trimmed(values: Iterable[str]) -> str:
    return ",".join(" ".join(value.split()) for value in values)


def _normalized(path: str) -> str:
    """RFC 3986 dot-segment removal, as botocore.utils.remove_dot_segments does it."""
    if not path:
        return "/"
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if output:
                output.pop()
        elif segment and segment != ".":
            output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last
