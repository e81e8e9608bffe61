"""What the handlers' virtualenv does differently for runtimes older than the tools it uses.

- uv compiles bytecode with a script that reads `py_compile.PycInvalidationMode` (PEP 552,
  Python 3.7+): on python3.6 `uv pip install --compile-bytecode` fails ("Failed to
  bytecode-compile installed packages"). There, the interpreter's own `compileall` compiles the
  virtualenv instead (as pip does after an install), so cold starts are the same.
- bootstrap.py and sdk_endpoints.py use `from __future__ import annotations` (3.7+). Before
  3.7 they run through bootstrap_py36.py, which drops the annotations before compiling them;
  on 3.7+ bootstrap.py runs as it is.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

UV_COMPILES_FROM = (3, 7)  # py_compile.PycInvalidationMode: "New in version 3.7"
ANNOTATIONS_FROM = (3, 7)  # `from __future__ import annotations` (PEP 563)
PY36_LAUNCHER = Path(__file__).resolve().with_name("bootstrap_py36.py")


def version_tuple(version: str) -> tuple[int, int]:
    """"3.6.15" -> (3, 6)."""
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def uv_install_args(python: Path, listing: Path, version: str, *more: str) -> tuple[str, ...]:
    """`uv pip install -r listing` into the virtualenv of `python` (Python `version`), with
    uv's bytecode compilation where its compile script runs."""
    compiles = version_tuple(version) >= UV_COMPILES_FROM
    return ("pip", "install", "--quiet", *(("--compile-bytecode",) if compiles else ()),
            "--python", str(python), "-r", str(listing), *more)


def compile_command(python: Path, folder: Path, version: str) -> list[str] | None:
    """The interpreter's own `compileall` over the virtualenv's lib folder, where uv did not
    compile (None where it did)."""
    if version_tuple(version) >= UV_COMPILES_FROM:
        return None
    return [str(python), "-m", "compileall", "-q", "-j", "0", str(folder / "lib")]


def compile_bytecode(python: Path, folder: Path, version: str) -> None:
    """Run compile_command; like pip, a file that does not compile (vendored Python 2 code) is
    left to compile at import, so the exit status is not an error."""
    command = compile_command(python, folder, version)
    if command is not None:
        subprocess.run(command, capture_output=True, timeout=900, check=False)


def launcher(version: str | None) -> tuple[str, ...]:
    """What runs before bootstrap.py's path on the command line: bootstrap_py36.py on an
    interpreter without PEP 563, nothing otherwise (or when the version is not known)."""
    if version is None or version_tuple(version) >= ANNOTATIONS_FROM:
        return ()
    return (str(PY36_LAUNCHER),)
