"""The local AWS endpoint: moto's server app in a process of its own, on loopback only.

Run by the emulator as ``python -m emulator.moto_process --host 127.0.0.1``. It binds a free
port, prints ``PORT <n>`` on stdout once it listens, and exits when its parent dies (EOF on
stdin), so it never outlives the emulator, even when the emulator is killed with SIGKILL.
A process of its own, not a thread of the gateway: sharing the gateway's process costs about a
third of the throughput to the GIL (measured, see FACTS.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import threading

from emulator.watchdog import exit_when_parent_dies


def main(argv: list[str] | None = None) -> None:
    """Serve moto on the given loopback host and a free port until the parent goes away."""
    parser = argparse.ArgumentParser(prog="python -m emulator.moto_process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    exit_when_parent_dies()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per AWS call

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=True)
    port = server.server_address[1]
    os.environ["MOTO_PORT"] = str(port)  # moto builds some resource URLs from it
    print(f"PORT {port}", flush=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    thread.join()


if __name__ == "__main__":
    main()
