"""Pagination styles read from a spec, and the walk of each against a small in-process API."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from contracts import listing, model
from contracts.client import ApiClient

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages" / "openapi.yaml"
ITEMS = [{"id": f"i{n:02d}"} for n in range(12)]


def spec(params: list[dict[str, Any]], reply: dict[str, Any] | None = None,
         headers: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    schema = reply or {"type": "array", "items": {"type": "object"}}
    ok: dict[str, Any] = {"description": "ok", "content": {"application/json": {"schema": schema}}}
    if headers:
        ok["headers"] = headers
    get = {"parameters": [{"in": "query", **p} for p in params], "responses": {"200": ok}, **extra}
    return {"paths": {"/things": {"get": get, "post": {"responses": {"201": {"description": "x"}}}},
                      "/things/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def integer(name: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "schema": {"type": "integer", **schema}}


def style_of(raw: dict[str, Any]) -> Any:
    (things,) = model.build(raw).collections
    return things.pagination


def test_each_listing_of_the_pages_fixture_has_its_style() -> None:
    lines = listing.listings(model.load(PAGES).collections)
    assert lines == [
        "GET /cursored: following after with limit",
        "GET /numbered: page=1.. with pageSize",
        "GET /offsets: from=0.. with max",
        "GET /linked: following Link rel=next with per_page",
    ]


@pytest.mark.parametrize(
    ("params", "style", "first"),
    [
        ([integer("page", minimum=0), integer("size")], "page", 0),
        ([integer("page", minimum=1), integer("per_page")], "page", 1),
        ([integer("page", default=0)], "page", 0),
        ([integer("offset"), integer("limit")], "offset", 0),
        ([], "none", 0),
    ],
)
def test_the_style_is_derived_from_parameter_names(
    params: list[dict[str, Any]], style: str, first: int
) -> None:
    found = style_of(spec(params))
    assert (found.style, found.first) == (style, first)


def test_a_listing_the_harness_cannot_walk_is_named_not_walked() -> None:
    unclear = style_of(spec([integer("page"), integer("pageSize")]))
    assert unclear.style == "unknown" and "starts at 0 or 1" in unclear.why
    bounded = style_of(spec([integer("limit")]))
    assert bounded.style == "unknown" and "no parameter asks for the next" in bounded.why
    cursor = style_of(spec([{"name": "nextToken", "schema": {"type": "string"}}]))
    assert cursor.style == "unknown"
    (things,) = model.build(spec([integer("page")])).collections
    assert listing.listings((things,)) == [
        f"GET /things: not walked ({things.pagination.why})"]


def test_a_cursor_is_found_by_its_reply_property_and_a_total_by_its_name() -> None:
    reply = {"type": "object", "properties": {
        "items": {"type": "array"}, "meta": {"type": "object", "properties": {
            "totalCount": {"type": "integer"}, "nextCursor": {"type": "string"}}}}}
    found = style_of(spec([{"name": "cursor", "schema": {"type": "string"}}], reply))
    assert (found.style, found.param, found.next_pointer, found.total_pointer) == (
        "cursor", "cursor", "/meta/nextCursor", "/meta/totalCount")


def test_a_link_header_wins_over_page_parameters() -> None:
    found = style_of(spec([integer("page")], headers={"Link": {"schema": {"type": "string"}}}))
    assert found.style == "link"


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"style": "pages"}, "x-contracts-pagination.style: expected one of"),
        ({"style": "page", "pgae": "p"}, "x-contracts-pagination.pgae: unknown key"),
        ({"style": "offset", "offset": "skip"}, "offset: 'skip' is not a query parameter"),
        ({"style": "page", "first": 2}, "first: expected 0 or 1"),
        ({"style": "cursor", "cursor": "c"}, "next: style cursor needs"),
        ({"style": "page", "total": "total"}, "total: expected a JSON pointer"),
        ({"style": "page", "past-end": 200}, "past-end: expected empty or a 4xx"),
        ("page", "expected an object"),
    ],
)
def test_an_unusable_extension_is_a_spec_error_naming_its_place(
    declared: Any, message: str
) -> None:
    raw = spec([integer("page"), {"name": "c", "schema": {"type": "string"}}],
               **{"x-contracts-pagination": declared})
    with pytest.raises(model.SpecError, match=r"paths\./things\.get\.x-contracts-pagination") as e:
        model.build(raw)
    assert message in str(e.value)


class _Things(BaseHTTPRequestHandler):
    """12 items; ?page (0-based), ?offset or Link headers, pages of ?n (default 5)."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        size = int(query.get("n", 5))
        start = int(query.get("offset", 0)) + int(query.get("page", 0)) * size
        page = ITEMS[start:start + size]
        headers = {}
        if start + size < len(ITEMS):
            target = f"/things?page={start // size + 1}&n={size}"
            if query.get("elsewhere"):
                target = "http://example.invalid" + target
            headers["Link"] = f'<{target}>; rel="next", <{self.path}>; rel="self"'
        body = json.dumps({"items": page, "total": len(ITEMS)}).encode()
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Things)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


REPLY = {"type": "object", "properties": {"items": {"type": "array"}, "total": {"type": "integer"}}}
LINK = {"Link": {"schema": {"type": "string"}}}


@pytest.mark.parametrize(
    "raw",
    [
        spec([integer("page", minimum=0), integer("n")], REPLY,
             **{"x-contracts-pagination": {"style": "page", "size": "n", "first": 0}}),
        spec([integer("offset"), integer("n")], REPLY,
             **{"x-contracts-pagination": {"style": "offset", "size": "n"}}),
        spec([integer("n")], REPLY, LINK,
             **{"x-contracts-pagination": {"style": "link", "size": "n"}}),
    ],
    ids=["page", "offset", "link"],
)
def test_each_style_walks_every_item_once(server: str, raw: dict[str, Any]) -> None:
    (things,) = model.build(raw).collections
    client = ApiClient(server)
    pages = list(client.walk(things, 5, 50))
    client.close()
    listed = [i["id"] for p in pages if not p.past_end for i in p.items]
    assert listed == [i["id"] for i in ITEMS]
    assert {p.total for p in pages if not p.past_end} == {12}
    past = [p for p in pages if p.past_end]
    if things.pagination.style == "link":
        assert past == []  # a Link walk ends where the API stops naming a next page
    else:
        assert len(past) == 1 and past[0].status == 200 and past[0].items == []


def test_a_link_to_another_host_is_not_followed(server: str) -> None:
    raw = spec([integer("n"), {"name": "elsewhere", "schema": {"type": "string"}}], REPLY, LINK)
    (things,) = model.build(raw).collections
    client = ApiClient(server)
    client.session.params = {"elsewhere": "1"}  # type: ignore[assignment]
    pages = list(client.walk(things, 5, 50))
    client.close()
    assert len(pages) == 1 and pages[0].next_url == "http://example.invalid/things?page=1&n=5"
