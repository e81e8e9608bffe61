"""What a person does on the page, as Playwright steps; and the API called directly, for set-up."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

PASSWORD = "Review-Passw0rd!"
TOKEN_KEY = "review-api.idToken"  # web/auth.js keeps the ID token there


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str

    @classmethod
    def new(cls, name: str) -> Person:
        return cls(name, f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com")


def open_page(browser: Any, url: str, **context: Any) -> Any:
    """A fresh context (its own sessionStorage) at phone size, the page loaded."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, **context)
    page = ctx.new_page()
    page.console_lines = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console_lines.append(m.text))
    page.goto(url)
    page.locator("body[data-ready=true]").wait_for(state="attached")  # first page loaded
    return page


def sign_up(page: Any, person: Person) -> None:
    """Create the account through the page's form (signed in afterwards)."""
    page.get_by_text("New here? Create an account").click()
    page.get_by_label("Your name").fill(person.name)
    page.locator("#sign-up-email").fill(person.email)
    page.locator("#sign-up-password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_text(f"Signed in as {person.name}").wait_for()


def sign_in(page: Any, person: Person) -> None:
    page.locator("#sign-in-email").fill(person.email)
    page.locator("#sign-in-password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {person.name}").wait_for()


def id_token(page: Any) -> str:
    return str(page.evaluate(f"sessionStorage.getItem('{TOKEN_KEY}')"))


def set_token(page: Any, token: str) -> None:
    page.evaluate("([k, t]) => sessionStorage.setItem(k, t)", [TOKEN_KEY, token])


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def with_claims(token: str, **changes: Any) -> str:
    """The token with its payload changed (its signature no longer matches)."""
    head, _, sig = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps({**claims(token), **changes}).encode())
    return f"{head}.{payload.decode().rstrip('=')}.{sig}"


def expired(token: str) -> str:
    return with_claims(token, exp=int(time.time()) - 60)


def api(base: str, method: str, path: str, token: str | None = None,
        body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """Call the API as a script would (set-up and checks, not what is under test)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def page_config(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("fetch('config.json').then(r => r.json())"))
