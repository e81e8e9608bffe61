"""The harness's own requests to the API (read-backs, list walks, cleanup), with the run's auth.

Everything generated goes through schemathesis; this client only sends the few requests the
checks and the cleanup need, authenticated exactly like the generated ones. Paths come from the
spec (contracts.model.Collection), so nothing here knows one API.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import requests

from contracts.model import Collection, pointer_get

TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    items: list[Any]
    next_token: str | None
    total: int | None = None  # the declared total, if the reply carries one
    next_url: str | None = None  # the `Link: <...>; rel="next"` target, absolute
    url: str = ""
    past_end: bool = False  # asked for the page after the last one


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

    def send(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
        body: Any = None, params: Mapping[str, Any] | None = None, as_run: bool = False,
    ) -> tuple[int, Any]:
        """One request with exactly these credentials (`headers`), not the run's (unless
        `as_run`); return the status and the JSON body (None if not JSON)."""
        reply = self.session.request(
            method, url, headers=dict(headers or {}), json=body, params=params,
            auth=None if as_run else _AsIs(), timeout=TIMEOUT_S,
        )
        try:
            return reply.status_code, reply.json()
        except ValueError:
            return reply.status_code, None

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

    def list_page(
        self, collection: Collection, bound: int | None, token: str | None = None,
        *, position: int | None = None, url: str | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> Page:
        """GET one page of the collection: the first, or the one a cursor, a page number or an
        offset (`position`) or a `Link` URL (`url`, already holding its query) names."""
        paging = collection.pagination
        params: dict[str, Any] = dict(filters or {}) if url is None else {}
        if url is None and bound is not None and collection.bound_param:
            params[collection.bound_param] = bound
        if token is not None and collection.token_param:
            params[collection.token_param] = token
        if position is not None and paging.param:
            params[paging.param] = position
        reply = self.session.get(url or self.base_url + collection.path, params=params,
                                 timeout=TIMEOUT_S)
        if reply.status_code != 200:
            return Page(reply.status_code, [], None, url=reply.url)
        try:
            body = reply.json()
        except ValueError:
            body = None
        items = pointer_get(body, collection.items_pointer or "")
        pointer = collection.token_pointer
        next_token = pointer_get(body, pointer) if pointer is not None else None
        total = pointer_get(body, paging.total_pointer) if paging.total_pointer else None
        return Page(
            200,
            items if isinstance(items, list) else [],
            next_token if isinstance(next_token, str) else None,
            total=total if isinstance(total, int) and not isinstance(total, bool) else None,
            next_url=_next_link(reply),
            url=reply.url,
        )

    def walk(
        self, collection: Collection, bound: int | None, max_pages: int,
        filters: Mapping[str, str] | None = None,
    ) -> Iterator[Page]:
        """Yield list pages from the first to the last in the collection's style, at most
        max_pages; for page numbers and offsets, the (empty) page past the end too."""
        style = collection.pagination.style
        if style in ("page", "offset"):
            yield from self._walk_numbered(collection, bound, max_pages, filters)
            return
        token: str | None = None
        url: str | None = None
        for _ in range(max_pages):
            page = self.list_page(collection, bound, token, url=url, filters=filters)
            yield page
            if page.status != 200 or style == "none":
                return
            if style == "link":
                url = page.next_url
                if url is None or not self._same_origin(url):
                    return
            elif page.next_token is None:
                return
            token = page.next_token

    def _walk_numbered(
        self, collection: Collection, bound: int | None, max_pages: int,
        filters: Mapping[str, str] | None,
    ) -> Iterator[Page]:
        paging = collection.pagination
        step = 1 if paging.style == "page" else 0  # offsets move by the items read
        position = paging.first if paging.style == "page" else 0
        seen: set[str] = set()
        for number in range(max_pages):
            page = self.list_page(collection, bound, position=position, filters=filters)
            ids = {str(i.get(collection.id_property)) for i in page.items if isinstance(i, dict)}
            # After a full page: an empty one, or one of nothing new (the API wrapped around or
            # repeats its last page), is past the end.
            if number > 0 and (not page.items or (ids and ids <= seen)):
                yield replace(page, past_end=True)
                return
            seen |= ids
            yield page
            if page.status != 200 or not page.items:
                return
            position += step or len(page.items)
            if bound is not None and len(page.items) < bound:  # the last page
                yield replace(self.list_page(collection, bound, position=position,
                                             filters=filters), past_end=True)
                return

    def _same_origin(self, url: str) -> bool:
        """A `Link` to another host (or scheme, or port) is not followed with our headers."""
        return urlsplit(url)[:2] == urlsplit(self.base_url)[:2]


class _AsIs(requests.auth.AuthBase):
    """Overrides the session's auth for one request: the headers given are all it sends."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


class TokenAuth(requests.auth.AuthBase):
    """Adds one header (an identity's token) to every request, then any other auth's."""

    def __init__(self, name: str, value: str, then: requests.auth.AuthBase | None) -> None:
        self.name, self.value, self.then = name, value, then

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[self.name] = self.value
        return self.then(request) if self.then is not None else request

    def __repr__(self) -> str:
        return f"TokenAuth({self.name})"  # never the token


def _next_link(reply: requests.Response) -> str | None:
    """The absolute URL of the reply's `Link: <...>; rel="next"` (RFC 8288), if any."""
    target = (reply.links.get("next") or {}).get("url")
    return urljoin(reply.url, target) if target else None
