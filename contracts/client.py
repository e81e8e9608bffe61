"""The harness's own requests to the API (read-backs, list walks, cleanup), with the run's auth.

Everything generated goes through schemathesis; this client only sends the few requests the
checks and the cleanup need, authenticated exactly like the generated ones. Paths come from the
spec (contracts.model.Collection), so nothing here knows one API.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from contracts.model import Collection, pointer_get

TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    items: list[Any]
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

    def item_url(self, collection: Collection, resource_id: str) -> str:
        path = collection.item_path.replace(
            "{" + collection.id_param + "}", quote(resource_id, safe="")
        )
        return self.base_url + path

    def get_item(self, collection: Collection, resource_id: str) -> tuple[int, Any]:
        """GET the item path; return the status and the JSON body (None if not JSON)."""
        reply = self.session.get(self.item_url(collection, resource_id), timeout=TIMEOUT_S)
        try:
            return reply.status_code, reply.json()
        except ValueError:
            return reply.status_code, None

    def delete_item(self, collection: Collection, resource_id: str) -> int:
        """DELETE the item path; return the status."""
        url = self.item_url(collection, resource_id)
        return self.session.delete(url, timeout=TIMEOUT_S).status_code

    def list_page(self, collection: Collection, bound: int | None, token: str | None) -> Page:
        """GET the collection with a page bound and an optional page token."""
        params: dict[str, Any] = {}
        if bound is not None and collection.bound_param:
            params[collection.bound_param] = bound
        if token is not None and collection.token_param:
            params[collection.token_param] = token
        reply = self.session.get(
            self.base_url + collection.path, params=params, timeout=TIMEOUT_S
        )
        if reply.status_code != 200:
            return Page(reply.status_code, [], None)
        body = reply.json()
        items = pointer_get(body, collection.items_pointer or "")
        pointer = collection.token_pointer
        next_token = pointer_get(body, pointer) if pointer is not None else None
        return Page(
            200,
            items if isinstance(items, list) else [],
            next_token if isinstance(next_token, str) else None,
        )

    def walk(self, collection: Collection, bound: int | None, max_pages: int) -> Iterator[Page]:
        """Yield list pages from the first, following the page token, at most max_pages."""
        token: str | None = None
        for _ in range(max_pages):
            page = self.list_page(collection, bound, token)
            yield page
            if page.status != 200 or page.next_token is None:
                return
            token = page.next_token
