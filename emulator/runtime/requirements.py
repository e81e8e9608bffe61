"""Which packages a function's deployment package holds, found where the plugins look for them.

serverless-python-requirements (lib/pip.js, poetry.js, pipenv.js): in the function's folder (the
service's, or its `module:` when packaging individually) a Poetry `pyproject.toml` (build-system
requires poetry) when usePoetry, else a `Pipfile` beside serverless.yml when usePipenv, else the
`fileName` (requirements.txt); comments and `noDeploy` names are dropped, `-e` flags stripped.
serverless-wsgi adds werkzeug and installs the app folder's requirements.txt itself unless
serverless-python-requirements is listed. With neither plugin nothing is installed: the package
holds the project's files only, as on AWS.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import locale
import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.config.packaging import WSGI_HANDLERS, Packaging
from emulator.config.service import FunctionConfig, ServiceConfig

WSGI_REQUIREMENTS = ("werkzeug>2",)  # serverless-wsgi's own requirements.txt
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_FILE_OPTIONS = ("-r", "-c", "--requirement", "--constraint")
# pip reads a requirements file by its byte-order mark, else as UTF-8, else in the locale's
# encoding (pip/_internal/utils/encoding.py auto_decode): files saved as UTF-16 by Windows
# editors exist in public projects, and pip installs them.
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF16_BE, "utf-16"),
         (codecs.BOM_UTF16_LE, "utf-16"))


class RequirementsFileError(ValueError):
    """A requirements file pip could not read either; the message names the file."""


@dataclass(frozen=True, slots=True)
class Requirements:
    lines: tuple[str, ...] = ()  # what uv installs: specifiers and -r/-c/--index options
    sources: tuple[Path, ...] = ()  # the files read
    digest: str = ""  # every input that decides the result (the venv's hash covers it)
    unused: Path | None = None  # a requirements file that no plugin installs on deploy


def normalize(name: str) -> str:
    """PEP 503 name normalization: `Flask_Cors` -> `flask-cors`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(lines: tuple[str, ...]) -> set[str]:
    """The normalized project names the requirement lines install."""
    return {normalize(m.group(1)) for line in lines
            if not line.startswith("-") and (m := _NAME.match(line))}


def function_requirements(service: ServiceConfig, function: FunctionConfig) -> Requirements:
    """Return what the plugins would install into this function's package."""
    packaging = service.packaging
    folder = service.root / packaging.module(function.name)
    found = Requirements()
    if packaging.has_requirements(function.name):
        found = plugin_requirements(service.root, folder, packaging)
    elif not packaging.requirements.enabled and (folder / "requirements.txt").is_file():
        found = Requirements(unused=folder / "requirements.txt")
    if function.handler in WSGI_HANDLERS and packaging.wsgi is not None:
        found = _merge(found, _wsgi_requirements(service.root, packaging, found.lines))
    twins = _twin_requirements(packaging, function.name, found.lines)
    return _merge(found, twins) if twins.lines else found


def _twin_requirements(packaging: Packaging, function: str,
                       project: tuple[str, ...]) -> Requirements:
    """The PyPI twins of the public layers the function attaches (/var/task wins: a package
    the project names itself is not installed again)."""
    named = requirement_names(project)
    lines = tuple(line for layer in packaging.layer_twins.get(function, ())
                  for line in layer.requirements if not requirement_names((line,)) & named)
    return Requirements(lines, (), _digest(lines, ()))


def plugin_requirements(root: Path, folder: Path, packaging: Packaging) -> Requirements:
    """serverless-python-requirements' choice of source, in its order."""
    options = packaging.requirements
    pyproject = folder / "pyproject.toml"
    if options.use_poetry and _is_poetry(pyproject):
        return _filtered(_poetry(pyproject), (pyproject,), options.no_deploy)
    if options.use_pipenv and (root / "Pipfile").is_file():
        lock = root / "Pipfile.lock"
        source = lock if lock.is_file() else root / "Pipfile"
        return _filtered(_pipenv(source), (source,), options.no_deploy)
    lock = root / "uv.lock"
    if options.use_uv and lock.is_file():  # v4 only (config/packaging.py)
        sources = (lock, root / "pyproject.toml")
        return _filtered(uv_export(root, _files_digest(sources)), sources, options.no_deploy)
    path = folder / options.file_name
    if path.is_file():
        return _filtered(read_requirements_file(path), (path,), options.no_deploy)
    return Requirements()


def _wsgi_requirements(root: Path, packaging: Packaging,
                       project: tuple[str, ...]) -> Requirements:
    """serverless-wsgi's own requirements (werkzeug) and the app folder's requirements.txt.

    The plugin runs one `pip install -r` per file, its own first (its requirements.py), so a
    package the project names again ends up at the project's version: `Werkzeug==1.0.1` wins
    over the plugin's `werkzeug>2`."""
    assert packaging.wsgi is not None
    own: tuple[str, ...] = ()
    sources: tuple[Path, ...] = ()
    app_folder = (root / packaging.wsgi.app).parent
    if packaging.wsgi.pack_requirements and (app_folder / "requirements.txt").is_file():
        sources = (app_folder / "requirements.txt",)
        own = read_requirements_file(sources[0])
    named = requirement_names(project + own)
    lines = (*(line for line in WSGI_REQUIREMENTS if not requirement_names((line,)) & named),
             *own)
    return Requirements(lines, sources, _digest(lines, sources))


def _merge(a: Requirements, b: Requirements) -> Requirements:
    lines = tuple(dict.fromkeys(a.lines + b.lines))
    sources = tuple(dict.fromkeys(a.sources + b.sources))
    return Requirements(lines, sources, _digest(lines, sources), a.unused)


def _filtered(lines: tuple[str, ...], sources: tuple[Path, ...],
              no_deploy: tuple[str, ...]) -> Requirements:
    dropped = {normalize(n) for n in no_deploy}
    kept = tuple(line for line in lines if line.startswith("-")
                 or not (m := _NAME.match(line)) or normalize(m.group(1)) not in dropped)
    return Requirements(kept, sources, _digest(kept, sources))


def _digest(lines: tuple[str, ...], sources: tuple[Path, ...]) -> str:
    """The lines plus the text of every file they include (-r/-c), so an edit there counts."""
    included = [line.split(None, 1)[1] for line in lines
                if line.split(None, 1)[0] in _FILE_OPTIONS and " " in line]
    texts = [Path(p).read_text(encoding="utf-8", errors="replace") if Path(p).is_file() else ""
             for p in included]
    return json.dumps([list(lines), [str(s) for s in sources], texts])


def _files_digest(paths: tuple[Path, ...]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def uv_export(root: Path, digest: str) -> tuple[str, ...]:
    """What v4 installs from a uv project: `uv export --no-dev --frozen --no-hashes` in the
    service folder, `-e` flags stripped (v4's lib/uv.js); cached while the files' `digest`
    holds."""
    from emulator.runtime.dependencies import DependencyError, find_uv  # a function, no cycle

    try:
        done = subprocess.run([find_uv(), "export", "--no-dev", "--frozen", "--no-hashes"],
                              cwd=root, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired, DependencyError) as exc:
        raise RequirementsFileError(f"{root / 'uv.lock'}: uv export failed: {exc}") from None
    if done.returncode != 0:
        why = " ".join(done.stderr.split())[:300]
        raise RequirementsFileError(f"{root / 'uv.lock'}: uv export failed: {why}")
    return _requirement_lines(done.stdout, root)


def read_requirements_file(path: Path) -> tuple[str, ...]:
    """A requirements.txt's lines as pip reads them: no comments or blanks, paths absolute."""
    return _requirement_lines(read_text_as_pip(path), path.parent)


def _requirement_lines(text: str, base: Path) -> tuple[str, ...]:
    out = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        if line.startswith("-e"):
            line = line[2:].strip()  # the plugin strips -e: packages are installed, not linked
        head, _, rest = line.partition(" ")
        if head in _FILE_OPTIONS and rest:
            line = f"{head} {(base / rest.strip()).resolve()}"
        elif line.startswith((".", "/")) or (base / line).is_dir():
            line = str((base / line).resolve())  # a local project folder
        out.append(line)
    return tuple(out)


def read_text_as_pip(path: Path) -> str:
    """The file's text decoded as pip decodes a requirements file (BOM, UTF-8, locale)."""
    data = path.read_bytes()
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)  # each of these codecs drops its mark
            except UnicodeDecodeError as exc:
                raise RequirementsFileError(f"{path}: not {encoding} text after its byte-order "
                                            f"mark ({exc.reason} at byte {exc.start})") from None
    for encoding in ("utf-8", locale.getpreferredencoding(False) or "utf-8"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RequirementsFileError(f"{path}: pip cannot read it either (neither UTF-8 nor "
                                f"{locale.getpreferredencoding(False)}, and no byte-order mark)")


def _is_poetry(pyproject: Path) -> bool:
    """poetry.js isPoetryProject: build-system.requires names poetry."""
    if not pyproject.is_file():
        return False
    requires = _toml(pyproject).get("build-system", {}).get("requires", [])
    return any(str(r).startswith("poetry") for r in requires)


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _poetry(pyproject: Path) -> tuple[str, ...]:
    """What `poetry export` lists: [project].dependencies, else [tool.poetry.dependencies]."""
    data = _toml(pyproject)
    project = data.get("project", {}).get("dependencies")
    if isinstance(project, list):
        return tuple(str(d) for d in project)
    deps = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    out = []
    for name, spec in deps.items():
        if name.lower() == "python" or (isinstance(spec, dict) and spec.get("optional")):
            continue
        version = spec.get("version", "*") if isinstance(spec, dict) else spec
        extras = spec.get("extras") if isinstance(spec, dict) else None
        label = f"{name}[{','.join(extras)}]" if extras else name
        out.append(label + poetry_constraint(str(version)))
    return tuple(out)


def poetry_constraint(spec: str) -> str:
    """Poetry's version syntax as PEP 440: `^1.2` -> `>=1.2,<2.0`, `~1.2.3` -> `>=1.2.3,<1.3`."""
    spec = spec.strip()
    if spec in ("", "*"):
        return ""
    if spec[0] in "^~" and re.fullmatch(r"\d+(\.\d+)*", spec[1:]):
        parts = [int(p) for p in spec[1:].split(".")]
        if spec[0] == "^":
            i = next((k for k, p in enumerate(parts) if p), len(parts) - 1)
        else:
            i = 1 if len(parts) > 1 else 0
        upper = [*parts[:i], parts[i] + 1]
        return f">={spec[1:]},<{'.'.join(map(str, upper))}"
    if re.fullmatch(r"\d+(\.\d+)*", spec):
        return f"=={spec}"
    return spec


def _pipenv(source: Path) -> tuple[str, ...]:
    """`pipenv requirements`: Pipfile.lock's default section, else the Pipfile's [packages]."""
    if source.name == "Pipfile.lock":
        default = json.loads(source.read_text(encoding="utf-8")).get("default", {})
        return tuple(name + str(spec.get("version", "")) +
                     (f"; {spec['markers']}" if spec.get("markers") else "")
                     for name, spec in default.items() if isinstance(spec, dict))
    out = []
    for name, spec in _toml(source).get("packages", {}).items():
        version = spec.get("version", "*") if isinstance(spec, dict) else spec
        if isinstance(version, str):
            version = "" if version == "*" else version
            out.append(name + (f"=={version}" if version[:1].isdigit() else version))
    return tuple(out)
