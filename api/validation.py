"""Request validation mirroring openapi.yaml: review bodies, list query parameters, ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from api import http, store

REVIEW_MAX = 5000
LIMIT_MIN = 1
LIMIT_MAX = 100
LIMIT_DEFAULT = 25
ALLOWED_KEYS = ("review",)
# Keys a client may think it can send; each refusal says why.
FROM_TOKEN = {
    "author": "'author' cannot be set: a review's author is the signed-in user (from the token)",
    "name": "'name' is no longer accepted: a review's author is the signed-in user (from the "
            "token), shown as 'author'",
}

# Plain ASCII decimal digits only: no sign, no spaces, no exponent, no other scripts' digits.
_DIGITS = re.compile(r"[0-9]+")
# openapi.yaml's ReviewText pattern: a character outside ECMA-262's whitespace. Not `\S`: JSON
# Schema patterns are ECMA-262 regexes, whose \s differs from Python's (U+001C..U+001F and U+0085
# are whitespace only to Python, U+FEFF only to ECMA-262); the contract suite found the gap.
_NOT_ONLY_WHITESPACE = re.compile(
    r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]")
# The canonical 8-4-4-4-12 form str(uuid.uuid4()) produces (either case).
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """A validated create or update body."""

    review: str


def _text(body: dict[str, object], key: str, maximum: int) -> str:
    value = body[key]
    if not isinstance(value, str):
        raise http.bad_request(f"'{key}' must be a string")
    if not 1 <= len(value) <= maximum:
        raise http.bad_request(f"'{key}' must be 1 to {maximum} characters long")
    return value


def review_input(body: object) -> ReviewInput:
    """Validate a create or update body: `review` required, nothing else."""
    if not isinstance(body, dict):
        raise http.bad_request("The request body must be a JSON object")
    for key, why in FROM_TOKEN.items():
        if key in body:
            raise http.bad_request(why)
    unknown = sorted(str(key) for key in body if key not in ALLOWED_KEYS)
    if unknown:
        raise http.bad_request(
            f"Unknown field(s): {', '.join(unknown)}; allowed: {', '.join(ALLOWED_KEYS)}"
        )
    if "review" not in body:
        raise http.bad_request("'review' is required")
    review = _text(body, "review", REVIEW_MAX)
    if _NOT_ONLY_WHITESPACE.search(review) is None:
        raise http.bad_request("'review' must not be only whitespace")
    return ReviewInput(review=review)


def _plain_int(raw: str) -> int | None:
    """Parse plain ASCII decimal digits; anything else ("+5", "1.5", " 5", "1e1") is None."""
    if _DIGITS.fullmatch(raw) is None:
        return None
    significant = raw.lstrip("0") or "0"
    # int() refuses very long digit strings; nothing that long is in range anyway.
    return int(significant) if len(significant) <= 9 else None


def limit(raw: str | None) -> int:
    """Validate the `limit` query parameter (absent means the default)."""
    if raw is None:
        return LIMIT_DEFAULT
    value = _plain_int(raw)
    if value is None or not LIMIT_MIN <= value <= LIMIT_MAX:
        raise http.bad_request(f"'limit' must be an integer from {LIMIT_MIN} to {LIMIT_MAX}")
    return value


def review_id(raw: str | None) -> str:
    """Return the id path parameter; anything that is not a UUID names no review (404)."""
    if raw is None or _UUID.fullmatch(raw) is None:
        raise http.not_found()
    return raw


def author_filter(raw: str | None) -> str | None:
    """The `author` query parameter: a user id (a user pool's `sub` is a UUID), or absent."""
    if raw is None:
        return None
    if _UUID.fullmatch(raw) is None:
        raise http.bad_request("'author' must be a user id: the UUID of a review's author.id")
    return raw


def start_key(raw: str | None, author: str | None = None) -> store.Key | None:
    """Decode the `nextToken` query parameter; a token this API did not issue, or one of
    another listing (all reviews, another author), is a 400."""
    if raw is None:
        return None
    try:
        key = store.decode_token(raw)
    except store.InvalidToken as exc:
        raise http.bad_request(_BAD_TOKEN) from exc
    if key.get("authorId") != author:
        raise http.bad_request(_BAD_TOKEN + " of this listing (same 'author')")
    return key


_BAD_TOKEN = "'nextToken' is invalid: pass one from a previous page"
