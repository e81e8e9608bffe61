"""Auth-aware checks, derived from the spec's `security` and two or more identities.

Generated requests carry the first identity's token (A). Each check sends its own few requests
once per operation or collection (contracts.identities for the tokens, contracts.security for
what is protected); every token is replaced by its label before anything is reported.

- auth_required: every protected operation refuses no token, a malformed one, a tampered one,
  an expired one and one of another pool with a 401/403 it declares (either, if it declares
  neither), and a refused write changes nothing (A reads the resource back unchanged);
- object_level_authorization: on a resource A created, B's update and delete are refused as
  declared (403/404), A reads it back unchanged, and B's read is allowed or refused as declared;
- owner_is_caller: a reply property marked `x-contracts-owner` holds the caller's claim, also
  when the request body names another owner;
- listing_filter: a listing parameter marked `x-contracts-filter`, given A's value, lists A's
  resource and nothing of B's.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import schemathesis
from schemathesis.checks import CHECKS as CHECK_REGISTRY
from schemathesis.checks import load_all_checks

from contracts.identities import Credentials, Identity
from contracts.model import Collection
from contracts.security import dotted
from contracts.state import RunState
from contracts.wire import Case, body_of, current_state, operation_of, sent_body, succeeded

REFUSED = frozenset({401, 403})
NOT_YOURS = frozenset({403, 404})


def _setting(case: Case) -> tuple[RunState, Credentials] | None:
    state = current_state()
    if state is None or state.client is None or state.credentials is None:
        return None
    return state, state.credentials


def _expected(state: RunState, operation: str, allowed: frozenset[int]) -> frozenset[int]:
    """Of `allowed`, what the operation declares; all of them when it declares none."""
    declared = {int(c) for c in state.model.declared.get(operation, ()) if c.isdigit()}
    return frozenset(declared & allowed) or allowed


def _url(state: RunState, case: Case, collection: Collection | None, rid: str | None) -> str:
    assert state.client is not None
    if collection is not None and rid is not None and case.operation.path == collection.item_path:
        return state.client.item_url(collection, rid)
    return state.client.base_url + case.formatted_path


def _read(state: RunState, collection: Collection, rid: str, who: Identity | None) -> Any:
    assert state.client is not None and state.credentials is not None
    headers = state.credentials.header(who.token) if who else {}
    return state.client.send("GET", state.client.item_url(collection, rid), headers=headers)


@schemathesis.check
def auth_required(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Each protected operation refuses every bad token (and none) and changes nothing."""
    state = current_state()
    if state is not None and state.client is not None and state.first_time("unsatisfiable"):
        _refuses_the_anonymous(state)
    found = _setting(case)
    operation = operation_of(case)
    if found is None or not succeeded(case, response):
        return None
    state, creds = found
    if operation not in state.model.access.protected or not state.first_time(f"auth {operation}"):
        return None
    assert state.client is not None
    collection = state.model.collection_of(case.operation.path)
    on_item = collection is not None and case.operation.path == collection.item_path
    rid = _live_id(state, collection) if on_item and case.operation.method.upper() != "GET" \
        else None
    before = _read(state, collection, rid, creds.identities[0]) if collection and rid else None
    expected = _expected(state, operation, REFUSED)
    url = _url(state, case, collection, rid)
    attempts = {"no": None, **creds.bad}
    for kind, token in attempts.items():
        headers = creds.header(token) if token is not None else {}
        status, reply = state.client.send(case.operation.method.upper(), url, headers=headers,
                                          body=sent_body(case), params=case.query or None)
        state.count(operation, status)
        if collection is not None and 200 <= status < 300:
            _absorb(state, collection, rid, case.operation.method.upper(), reply)
        if status not in expected:
            raise AssertionError(f"{operation} with {kind} token answered {status}; expected "
                                 f"{' or '.join(map(str, sorted(expected)))}")
    if collection is not None and rid is not None and before is not None:
        after = _read(state, collection, rid, creds.identities[0])
        if after != before:
            raise AssertionError(f"{operation} refused a request without a valid token but "
                                 f"{collection.path}/{rid} changed: {before!r:.80} -> "
                                 f"{after!r:.80}")
    return None


def _refuses_the_anonymous(state: RunState) -> None:
    """Operations only a scheme the harness cannot satisfy protects (OAuth flows, mutual TLS):
    left out of the generated tests, each is sent one request without credentials."""
    assert state.client is not None
    access = state.model.access
    for operation in sorted(access.protected):
        if not access.needs(operation, "unsupported") or access.needs(operation, "token"):
            continue
        method, _, path = operation.partition(" ")
        url = state.client.base_url + re.sub(r"\{[^}]+\}", "contracts-probe", path)
        status, _ = state.client.send(method, url)
        state.count(operation, status)
        expected = _expected(state, operation, REFUSED)
        if status not in expected:
            raise AssertionError(f"{operation} without credentials answered {status}; "
                                 f"expected {' or '.join(map(str, sorted(expected)))}")


def _absorb(state: RunState, collection: Collection, rid: str | None, method: str,
            reply: Any) -> None:
    """A write that should have been refused went through: the run's knowledge follows it, so
    that only this check reports it (not the listing's, as a resource gone missing), and what
    it created is cleaned up."""
    created = reply.get(collection.id_property) if isinstance(reply, dict) else None
    if rid is None:
        if method == "POST" and created is not None:
            with state.lock:
                state.created.append((collection, str(created)))
        return
    key = (collection.path, rid)
    with state.lock:
        if method == "DELETE":
            state.deleted.add(key)
        elif isinstance(reply, dict):
            state.latest[key] = reply


def _live_id(state: RunState, collection: Collection | None) -> str | None:
    ids = sorted(state.live_ids(collection)) if collection is not None else []
    return ids[-1] if ids else None


def _created(case: Case, response: schemathesis.Response) -> tuple[RunState, Credentials,
                                                                   Collection, str] | None:
    """A's successful create: the state, the identities, the collection and the new id."""
    found = _setting(case)
    if found is None or not succeeded(case, response) or case.operation.method.upper() != "POST":
        return None
    state, creds = found
    collection = state.model.collection_of(case.operation.path)
    body = body_of(response)
    if (collection is None or case.operation.path != collection.path or len(creds.identities) < 2
            or not isinstance(body, dict) or collection.id_property not in body):
        return None
    return state, creds, collection, str(body[collection.id_property])


# Schemathesis ships a check of this name (reads replayed across identities of its own
# configuration, which this harness does not use): ours takes the name over, after the stock
# checks are registered (importing their module registers them, once).
load_all_checks()
if "object_level_authorization" in CHECK_REGISTRY.get_all_names():
    CHECK_REGISTRY.unregister("object_level_authorization")


@schemathesis.check
def object_level_authorization(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """B cannot update or delete A's resource (refused as declared; A reads it unchanged); B's
    read is allowed or refused as declared."""
    found = _created(case, response)
    if found is None:
        return None
    state, creds, collection, rid = found
    writes = [m for m in ("PUT", "PATCH", "DELETE")
              if state.model.access.protected.get(f"{m} {collection.item_path}")]
    if not writes or not state.first_time(f"ola {collection.path}"):
        return None
    assert state.client is not None
    owner, other = creds.identities[0], creds.identities[1]
    before = _read(state, collection, rid, owner)
    url = state.client.item_url(collection, rid)
    for method in writes:
        operation = f"{method} {collection.item_path}"
        expected = _expected(state, operation, NOT_YOURS)
        status, reply = state.client.send(method, url, headers=creds.header(other.token),
                                          body=sent_body(case) if method != "DELETE" else None)
        state.count(operation, status)
        if 200 <= status < 300:
            _absorb(state, collection, rid, method, reply)
        # Any 4xx the operation declares is a refusal (an API may validate the body first).
        declared = {int(c) for c in state.model.declared.get(operation, ()) if c.isdigit()}
        if status not in expected and not (400 <= status < 500 and status in declared):
            raise AssertionError(f"{other.label}'s {method} of {owner.label}'s {collection.path}"
                                 f"/{rid} answered {status}; expected "
                                 f"{' or '.join(map(str, sorted(expected)))}")
        after = _read(state, collection, rid, owner)
        if after != before:
            raise AssertionError(f"{other.label}'s refused {method} changed {owner.label}'s "
                                 f"{collection.path}/{rid}: {before!r:.80} -> {after!r:.80}")
    status, _ = _read(state, collection, rid, other)
    state.count(f"GET {collection.item_path}", status)
    allowed = {200} | set(_expected(state, f"GET {collection.item_path}", NOT_YOURS | REFUSED))
    if status not in allowed:
        raise AssertionError(f"{other.label}'s GET of {owner.label}'s {collection.path}/{rid} "
                             f"answered {status}; expected 200 or a declared refusal")
    return None


@schemathesis.check
def owner_is_caller(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """A property marked x-contracts-owner holds the caller's claim, never the body's."""
    found = _setting(case)
    if found is None or not succeeded(case, response):
        return None
    state, creds = found
    owners = state.model.access.owners.get(operation_of(case), ())
    sent = response.request.headers.get(creds.scheme.header)
    caller = creds.of(sent.decode() if isinstance(sent, bytes) else sent)
    if not owners or caller is None or case.operation.method.upper() == "GET":
        return None
    _owned_by(body_of(response), owners, caller, operation_of(case))
    created = _created(case, response)
    if created is not None and state.first_time(f"owner {created[2].path}"):
        _forged_owner(state, creds, case, owners)
    return None


def _owned_by(body: Any, owners: tuple[tuple[str, str], ...], caller: Identity,
              operation: str) -> None:
    for path, claim in owners:
        value, wanted = dotted(body, path), caller.claim(claim)
        if value != wanted:
            raise AssertionError(f"{operation} answered {path} = {value!r:.60}; the caller "
                                 f"{caller.label}'s {claim} is {wanted!r:.60}")


def _forged_owner(state: RunState, creds: Credentials, case: Case,
                  owners: tuple[tuple[str, str], ...]) -> None:
    """A creates with a body that names B as the owner: refused, or A is the owner."""
    assert state.client is not None
    owner, other = creds.identities[0], creds.identities[1]
    body = copy.deepcopy(sent_body(case) or {})
    for path, claim in owners:
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
        node[last] = other.claim(claim)
    status, reply = state.client.send("POST", state.client.base_url + case.operation.path,
                                      headers=creds.header(owner.token), body=body)
    state.count(operation_of(case), status)
    if not 200 <= status < 300:
        return  # refused: the body cannot name an owner
    collection = state.model.collection_of(case.operation.path)
    if collection is not None and isinstance(reply, dict) and collection.id_property in reply:
        rid = str(reply[collection.id_property])
        gone, _ = state.client.send("DELETE", state.client.item_url(collection, rid),
                                    headers=creds.header(other.token))  # if it is B's now
        if not 200 <= gone < 300:
            with state.lock:
                state.created.append((collection, rid))  # A's: the cleanup deletes it
    _owned_by(reply, owners, owner, f"{operation_of(case)} naming {other.label} as the owner")


@schemathesis.check
def listing_filter(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Given A's value, a filtered listing lists A's new resource and none of B's."""
    found = _created(case, response)
    if found is None:
        return None
    state, creds, collection, rid = found
    filters = state.model.access.filters.get(f"GET {collection.path}", ())
    if not filters or not state.first_time(f"filter {collection.path}"):
        return None
    assert state.client is not None
    other = creds.identities[1]
    url = state.client.base_url + collection.path
    status, theirs = state.client.send("POST", url, headers=creds.header(other.token),
                                       body=sent_body(case))
    their_id = str(theirs.get(collection.id_property)) if isinstance(theirs, dict) else None
    try:
        for param, path in filters:
            _filtered(state, collection, (param, path), body_of(response), (rid, their_id))
    finally:
        if their_id is not None and 200 <= status < 300:
            state.client.send("DELETE", state.client.item_url(collection, their_id),
                              headers=creds.header(other.token))
    return None


def _filtered(state: RunState, collection: Collection, declared: tuple[str, str], mine: Any,
              ids: tuple[str, str | None]) -> None:
    assert state.client is not None
    (param, path), (rid, their_id) = declared, ids
    value = dotted(mine, path)
    if value is None:
        return
    listed: list[Any] = []
    for page in state.client.walk(collection, None, 100, {param: str(value)}):
        if page.status != 200:
            raise AssertionError(f"GET {collection.path}?{param}=... answered {page.status}")
        listed += [] if page.past_end else page.items
    others = [i for i in listed if dotted(i, path) != value]
    key = collection.id_property
    if others:
        raise AssertionError(f"GET {collection.path} filtered by {param} lists {len(others)} "
                             f"item(s) whose {path} differs, e.g. {dotted(others[0], path)!r:.60}")
    if not any(isinstance(i, dict) and str(i.get(key)) == rid for i in listed):
        raise AssertionError(f"GET {collection.path} filtered by {param} does not list the "
                             f"resource just created ({rid})")
    if their_id is not None and any(str(i.get(key)) == their_id for i in listed):
        raise AssertionError(f"GET {collection.path} filtered by {param} lists another "
                             "identity's resource")


CHECKS: dict[str, str | None] = {
    "auth_required": None,
    "object_level_authorization": None,
    "owner_is_caller": None,
    "listing_filter": None,
}
