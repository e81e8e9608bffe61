"""Who is at the other end of a Runtime API connection (Linux), so that only the environment's
own runtime is served.

Lambda's Runtime API is reachable only inside the sandbox; AWS's runtime interface emulator
listens on 127.0.0.1:9001 inside a container, where the container is the fence. Here every
environment's Runtime API is a loopback port of the developer's machine, reachable by any
local process, which could take events (with their Authorization headers) and answer them. A
runtime client builds the API's paths itself and needs `host:port`, so neither a secret in the
path nor a Unix socket can fence it; the connection's owner can be checked instead: the
kernel's table of TCP sockets (/proc/net/tcp) names the socket at the peer's address, and the
runtime's file descriptors (/proc/<pid>/fd) show whether that socket is its own. Where /proc
cannot say (macOS, Windows, a restricted /proc), connections are served as before.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path


def owned_by(conn: socket.socket, pid: int) -> bool | None:
    """Whether the peer socket of a loopback `conn` is held by process `pid` (None: unknown)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        peer_ip, peer_port = conn.getpeername()[:2]
        local_ip, local_port = conn.getsockname()[:2]
        inode = _socket_inode(_address(peer_ip, peer_port), _address(local_ip, local_port))
        if inode is None:
            return None
        wanted = f"socket:[{inode}]"
        fds = Path(f"/proc/{pid}/fd")
        return any(_readlink(fds / fd) == wanted for fd in os.listdir(fds))
    except (OSError, ValueError):
        return None


def _address(ip: str, port: int) -> str:
    """127.0.0.1:9001 as /proc/net/tcp prints it (the address in host byte order, in hex)."""
    return f"{int.from_bytes(socket.inet_aton(ip), sys.byteorder):08X}:{port:04X}"


def _socket_inode(local: str, remote: str) -> str | None:
    """The inode of the TCP socket bound to `local` and connected to `remote`."""
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)  # the header
        for line in table:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return fields[9]
    return None


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:  # closed meanwhile
        return ""
