"""Following a service folder for changes, cheaply: watchfiles' Rust watcher, code folders only.

Folders that never hold the service's code (node_modules, hidden folders such as .git, .venv,
.emulator, virtualenvs of any name) are not watched at all; a batch of changes ends after
STEP_MS without another event, or after DEBOUNCE_MS in all (an editor's save burst is one).
"""

from __future__ import annotations

import logging
import os
import platform
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from watchfiles._rust_notify import RustNotify  # documented as watchfiles' "Rust backend"

log = logging.getLogger("emulator.reload")

STEP_MS = 50  # a batch ends after this long without another event (an editor's save burst)
DEBOUNCE_MS = 500  # ... or after this long in all, however busy the folder is
# Never code of the service: dependency trees, caches, virtualenvs, the emulator's state.
IGNORED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


def ignored_dir(root: Path, parts: Sequence[str]) -> bool:
    """Tell whether the folder root/parts... (or one above it) is never the service's code."""
    for depth, part in enumerate(parts, 1):
        if part.startswith(".") or part in IGNORED_DIRS:  # .git .nox .venv .emulator ...
            return True
        if root.joinpath(*parts[:depth], "pyvenv.cfg").is_file():  # a virtualenv, any name
            return True
    return False


def watched_dirs(root: Path, ignore: Collection[Path] = ()) -> list[Path]:
    """Return the top-level folders of `root` to watch recursively."""
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and p not in ignore and not ignored_dir(root, (p.name,)))


def _force_polling() -> bool:
    """Poll where notifications do not work: as watchfiles decides (its env var, WSL)."""
    value = os.environ.get("WATCHFILES_FORCE_POLLING", "")
    if value:
        return value.lower() not in ("false", "disable", "disabled")
    return "microsoft-standard" in platform.uname().release.lower()


class _Watch:
    """One Rust watcher and the thread that waits on it."""

    def __init__(self, paths: Sequence[Path], recursive: bool,
                 on_change: Callable[[list[str]], None]) -> None:
        # Watches are in place when the constructor returns: no save after it is missed.
        self._notify = RustNotify([str(p) for p in paths], False, _force_polling(), 300,
                                  recursive, True)
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reload-watch", daemon=True)

    def start(self) -> _Watch:
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            raw = self._notify.watch(DEBOUNCE_MS, STEP_MS, 0, self._stop)
            if raw == "stop":
                return
            if isinstance(raw, set):
                try:
                    self._on_change([path for _, path in raw])
                except Exception:
                    log.exception("hot reload failed; the emulator goes on with what it had")

    def stop(self, wait: bool = True) -> None:
        """Stop watching; `wait=False` only asks (the thread ends within STEP_MS)."""
        self._stop.set()
        if wait:
            if self._thread.is_alive():
                self._thread.join()
            self._notify.close()


class Watcher:
    """Follows a service folder: its top level, and each folder in it that may hold code.

    Folders never holding code (node_modules, .nox, virtualenvs, the state folder) are not
    watched at all, so starting is quick and their churn costs nothing; a top-level folder
    created (or replaced, as some tools do) later is picked up.
    """

    def __init__(self, root: Path, on_change: Callable[[list[str]], None],
                 ignore: Collection[Path] = ()) -> None:
        self._root, self._on_change, self._ignore = root, on_change, tuple(ignore)
        self._dirs = watched_dirs(root, self._ignore)
        self._top = _Watch([root], False, self._on_top)
        self._tree = _Watch(self._dirs, True, on_change) if self._dirs else None

    def start(self) -> Watcher:
        self._top.start()
        if self._tree is not None:
            self._tree.start()
        return self

    def _on_top(self, paths: list[str]) -> None:
        """A change at the top level; runs in the top watch's thread, the only one to swap."""
        dirs = watched_dirs(self._root, self._ignore)
        # New, gone or replaced (deleted and created again: its old watch is dead) folders.
        fresh = [d for d in dirs if d not in self._dirs or str(d) in paths]
        if fresh or dirs != self._dirs:
            old = self._tree
            self._tree = _Watch(dirs, True, self._on_change).start() if dirs else None
            if old is not None:  # stopped after its successor watches: no gap
                old.stop()
            self._dirs = dirs
            # What a fresh folder got before its watch was in place counts as changed too.
            paths = paths + [str(f) for d in fresh for f in d.rglob("*.py")]
        self._on_change(paths)

    def stop(self) -> None:
        tree = self._tree
        if tree is not None:
            tree.stop(wait=False)  # both end within the same step
        self._top.stop()  # joins its thread: no folder swap can happen after this
        for last in (tree, self._tree):  # the same one, unless a folder swap happened meanwhile
            if last is not None:
                last.stop()
