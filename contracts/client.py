"""The harness's own requests to the API (list walks, cleanup), with the run's headers and auth.

Everything generated goes through schemathesis; this client only sends the few requests the
checks and the cleanup need, authenticated exactly like the generated ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    ids: list[str]
    next_token: str | None


class ApiClient:
    """A keep-alive session bound to one base URL (with the stage, e.g. .../dev)."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth: requests.auth.AuthBase | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.session.auth = auth

    def close(self) -> None:
        self.session.close()

    def delete_review(self, review_id: str) -> int:
        """DELETE /reviews/{id}; return the status."""
        url = f"{self.base_url}/reviews/{quote(review_id, safe='')}"
        return self.session.delete(url, timeout=TIMEOUT_S).status_code

    def list_page(self, limit: int, token: str | None) -> Page:
        """GET /reviews with a page size and an optional nextToken."""
        params: dict[str, Any] = {"limit": limit}
        if token is not None:
            params["nextToken"] = token
        reply = self.session.get(f"{self.base_url}/reviews", params=params, timeout=TIMEOUT_S)
        if reply.status_code != 200:
            return Page(reply.status_code, [], None)
        body = reply.json()
        items = body.get("items") if isinstance(body, dict) else None
        ids = [i["id"] for i in items or [] if isinstance(i, dict) and isinstance(i.get("id"), str)]
        token = body.get("nextToken") if isinstance(body, dict) else None
        return Page(200, ids, token if isinstance(token, str) else None)

    def walk(self, limit: int, max_pages: int) -> Iterator[Page]:
        """Yield list pages from the first, following nextToken, at most max_pages of them."""
        token: str | None = None
        for _ in range(max_pages):
            page = self.list_page(limit, token)
            yield page
            if page.status != 200 or page.next_token is None:
                return
            token = page.next_token
