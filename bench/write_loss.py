"""How many acknowledged writes survive `kill -9` of the emulator.

Starts `python -m emulator` on review-api with a fresh state folder, creates reviews from a few
client threads for a while (every 201 is an acknowledged write), kills the emulator with
SIGKILL mid-write, starts it again on the same state and counts the acknowledged reviews that
came back. Prints one line per round; asserts nothing.

    python bench/write_loss.py [--rounds 3] [--seconds 3] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
READY = re.compile(r"^Ready: (\S+)")


def start(state: Path) -> tuple[subprocess.Popen[str], str]:
    """Start the emulator on review-api with `state`; return it and its base URL once moto
    has restored that state (its `State:` line)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--no-reload", "--state-dir", str(state)],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout is not None
    base, restored = "", False
    for line in proc.stdout:  # both lines, in either order (user pools are made before Ready)
        if match := READY.match(line):
            base = match.group(1)
        restored = restored or line.startswith("State:")
        if base and restored:
            break
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # drain
    return proc, base


def sign_in(state: Path) -> str:
    """An ID token of a user of the running emulator's user pool (POST needs one)."""
    return subprocess.run(
        [sys.executable, "-m", "emulator", "token", "--state-dir", str(state), "--user", "w"],
        cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def request(base: str, method: str, path: str, body: dict[str, str] | None = None,
            token: str = "") -> tuple[int, bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        conn.request(method, url.path + path, body=json.dumps(body) if body else None,
                     headers={"Authorization": token} if token else {})
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def write_until(base: str, token: str, stop: threading.Event, acknowledged: list[str]
                ) -> None:
    while not stop.is_set():
        try:
            status, body = request(base, "POST", "/reviews", {"review": "kept?"}, token)
        except OSError:
            return  # the emulator is gone
        if status == 201:
            acknowledged.append(json.loads(body)["id"])


def stored_ids(base: str) -> set[str]:
    found: set[str] = set()
    query = "?limit=100"
    while True:
        status, body = request(base, "GET", f"/reviews{query}")
        assert status == 200, body
        page = json.loads(body)
        found |= {item["id"] for item in page["items"]}
        if not page["nextToken"]:
            return found
        query = f"?limit=100&nextToken={urllib.parse.quote(page['nextToken'])}"


def one_round(seconds: float, clients: int) -> tuple[int, int]:
    """Return (acknowledged, lost) for one kill -9."""
    with tempfile.TemporaryDirectory() as folder:
        proc, base = start(Path(folder))
        token = sign_in(Path(folder))
        warm = [threading.Thread(target=request,
                                 args=(base, "POST", "/reviews", {"review": "w"}, token))
                for _ in range(clients)]  # environments warm: the writes, not cold starts
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        acknowledged: list[str] = []
        stop = threading.Event()
        threads = [threading.Thread(target=write_until, args=(base, token, stop, acknowledged))
                   for _ in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(seconds)  # the load's duration is what is measured, not a readiness wait
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        for thread in threads:
            thread.join()
        again, base = start(Path(folder))
        try:
            lost = len(set(acknowledged) - stored_ids(base))
        finally:
            again.send_signal(signal.SIGINT)
            again.wait()
        return len(acknowledged), lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    for n in range(1, args.rounds + 1):
        acknowledged, lost = one_round(args.seconds, args.clients)
        print(f"round {n}: {acknowledged} acknowledged writes, {lost} lost after kill -9",
              flush=True)


if __name__ == "__main__":
    main()
