"""Child processes never outlive the emulator (Lambda environments die with their sandbox).

The parent keeps the write end of the child's stdin open; the child exits on EOF, which the
kernel delivers whenever the parent dies, SIGKILL included. On Linux the parent-death signal is
set as well.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1


def exit_when_parent_dies() -> None:
    """Exit this process at once when stdin (a pipe from the parent) reaches EOF."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            pass
    threading.Thread(target=_watch_stdin, name="parent-watchdog", daemon=True).start()


def _watch_stdin() -> None:
    try:
        while os.read(sys.stdin.fileno(), 1024):
            pass
    except OSError:
        pass
    os._exit(0)
