"""What a function's deployment package holds besides its code, read from serverless.yml.

Three things decide it on AWS, and the emulator reads the same settings:
- serverless-python-requirements (`custom.pythonRequirements`: fileName, usePipenv, usePoetry,
  noDeploy; with `package.individually`, each function's `module:` folder has its own
  requirements and becomes the package root);
- serverless-wsgi (`custom.wsgi.app`, textMimeTypes, packRequirements): functions with handler
  `wsgi_handler.handler` run the WSGI app through the `serverless_wsgi` module it bundles;
- layers with a local `path:` (top-level `layers:`), attached to a function by
  `{Ref: <Name>LambdaLayer}` in its `layers:` (or `provider.layers`), unpacked under /opt;
  with `custom.pythonRequirements.layer`, the plugin's own layer `PythonRequirementsLambdaLayer`
  holds the requirements instead of each package (its lib/layer.js and lib/inject.js), so only
  the functions that attach it have them.
Only plugins listed under `plugins:` act, as on deploy. Serverless Framework v4 (a
`frameworkVersion` that 4.x satisfies and 3.x does not) builds Python requirements itself: its
built-in copy of the plugin acts when a `custom.pythonRequirements` block is present (even `{}`)
and not disabled (`false`, `enabled: false`), listed plugin or not, and also reads `uv.lock`
(`useUv`, after Poetry and Pipfile, before requirements.txt) — v4's docs, "Python Support"
(serverless/serverless docs/sf/providers/aws/guide/python.md) and lib/plugins/python/index.js.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulator.config.document import Document
from emulator.config.layer_twins import LayerTwin, twin
from emulator.config.project import satisfies
from emulator.config.yamlfile import KeyPath

REQUIREMENTS_PLUGIN = "serverless-python-requirements"
WSGI_PLUGIN = "serverless-wsgi"
HANDLED_PLUGINS = frozenset({REQUIREMENTS_PLUGIN, WSGI_PLUGIN})
WSGI_HANDLERS = frozenset({"wsgi_handler.handler", "wsgi.handler"})  # the second: deprecated
# The plugin adds layers.pythonRequirements; the framework's logical id for that name:
REQUIREMENTS_LAYER = "PythonRequirementsLambdaLayer"


@dataclass(frozen=True, slots=True)
class PythonRequirements:
    """custom.pythonRequirements with the plugin's defaults (index.js `get options()`)."""

    enabled: bool = False  # the plugin is listed under plugins:
    file_name: str = "requirements.txt"
    use_pipenv: bool = True
    use_poetry: bool = True
    no_deploy: tuple[str, ...] = ()
    individually: bool = False  # package.individually: per-module requirements
    layer: bool = False  # `layer: true` (or its settings): one layer, not in the packages
    use_uv: bool = False  # v4 only: a uv.lock is exported (`uv export --no-dev --frozen`)
    rules: str = "v3"  # whose rules decided `enabled`: "v3" (the plugin) or "v4" (built in)


@dataclass(frozen=True, slots=True)
class Wsgi:
    """custom.wsgi of serverless-wsgi (only when the plugin is listed and `app` is set)."""

    app: str  # "api.app" or "src/api.app": module path, then the WSGI callable
    text_mime_types: tuple[str, ...] = ()
    pack_requirements: bool = True  # the plugin installs the app folder's requirements.txt


@dataclass(frozen=True, slots=True)
class Packaging:
    requirements: PythonRequirements = field(default_factory=PythonRequirements)
    wsgi: Wsgi | None = None
    modules: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    layers: Mapping[str, tuple[Path, ...]] = field(default_factory=lambda: MappingProxyType({}))
    requirements_layer: frozenset[str] = frozenset()  # functions that attach the plugin's layer
    # public layers by ARN that have a PyPI twin (config/layer_twins.py), per function
    layer_twins: Mapping[str, tuple[LayerTwin, ...]] = field(
        default_factory=lambda: MappingProxyType({}))

    def has_requirements(self, function: str) -> bool:
        """Whether the plugin's requirements reach this function (its package, or its layer)."""
        return self.requirements.enabled and (not self.requirements.layer
                                              or function in self.requirements_layer)

    def module(self, function: str) -> str:
        """The function's package root relative to the service ("." unless individually)."""
        return self.modules.get(function, ".") if self.requirements.individually else "."


def plugin_names(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The names under `plugins:` (list form, or the `modules:` of the mapping form)."""
    plugins = doc.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = plugins.get("modules") or []
    return tuple(str(p) for p in plugins) if isinstance(plugins, list) else ()


def layer_logical_id(name: str) -> str:
    """Return the framework's logical id of a layer: `my-deps` -> `MyDashdepsLambdaLayer`."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaLayer"


def read_packaging(document: Document) -> Packaging:
    """Read the packaging plugins' settings, the function modules and the attached layers."""
    plugins = plugin_names(document.doc)
    custom = document.mapping(document.doc.get("custom"), ("custom",))
    package = document.mapping(document.doc.get("package"), ("package",))
    requirements = _requirements(document, custom, plugins, bool(package.get("individually")),
                                 v4=is_v4(document.doc))
    functions = document.mapping(document.doc.get("functions"), ("functions",))
    modules = {str(name): str(spec["module"]) for name, spec in functions.items()
               if isinstance(spec, dict) and isinstance(spec.get("module"), str)}
    plugin_layer = requirements.enabled and requirements.layer
    attached = _layers(document, functions, plugin_layer)
    return Packaging(requirements=requirements, wsgi=_wsgi(document, custom, plugins),
                     modules=MappingProxyType(modules), layers=MappingProxyType(attached.local),
                     requirements_layer=frozenset(attached.with_requirements),
                     layer_twins=MappingProxyType(attached.twins))


# Settings of the plugin (and of v4's built-in copy) that change nothing a handler can observe
# here, or that the emulator does not apply: named once at start, never silently dropped.
_BUILD_ONLY = "builds on your machine's Python instead; no local effect"
_NO_LOCAL_MEANING = {
    "dockerizePip": _BUILD_ONLY, "dockerImage": _BUILD_ONLY, "dockerFile": _BUILD_ONLY,
    "dockerSsh": _BUILD_ONLY,
    "slim": "packages are not slimmed locally", "zip": "packages are not zipped locally "
    "(a handler's `import unzip_requirements` finds nothing, as its try/except expects)",
    "pipCmdExtraArgs": "uv installs the handlers' requirements; pip's arguments are not passed",
    "poetryWithGroups": "Poetry groups are not exported locally: the main dependencies only",
    "poetryOnlyGroups": "Poetry groups are not exported locally: the main dependencies only",
    "uvOptionalDependencies": "extras are not exported locally: the base dependencies only",
    "uvWithGroups": "dependency groups are not exported locally: the base dependencies only",
    "uvOnlyGroups": "dependency groups are not exported locally: the base dependencies only",
}


def is_v4(doc: Mapping[str, Any]) -> bool:
    """Whether the file asks for Serverless Framework v4 (and v3 would not do)."""
    version = doc.get("frameworkVersion")
    return version is not None and satisfies(str(version), (4, 0, 0)) and not satisfies(
        str(version), (3, 40, 0))


def _requirements(document: Document, custom: dict[Any, Any], plugins: tuple[str, ...],
                  individually: bool, *, v4: bool) -> PythonRequirements:
    key: KeyPath = ("custom", "pythonRequirements")
    block = custom.get("pythonRequirements")
    raw = document.mapping(block if not isinstance(block, bool) else None, key)
    enabled = REQUIREMENTS_PLUGIN in plugins
    if v4:  # the built-in integration: the block switches it on (v4's index.js shouldLoad)
        enabled = enabled or (block is not None and block is not False
                              and raw.get("enabled", True) is not False)
    no_deploy = raw.get("noDeploy") or []
    if not isinstance(no_deploy, list):
        raise document.error((*key, "noDeploy"), "must be a list of package names")
    file_name = raw.get("fileName", "requirements.txt")
    if not isinstance(file_name, str) or not file_name:
        raise document.error((*key, "fileName"), "must be a file name (e.g. requirements.txt)")
    layer = raw.get("layer", False)
    if not isinstance(layer, bool | dict):
        raise document.error((*key, "layer"), "must be true, false or the layer's settings "
                                              "(a mapping)")
    if enabled:
        for name, why in _NO_LOCAL_MEANING.items():
            if raw.get(name) not in (None, False, [], ""):
                document.note((*key, name), why)
    return PythonRequirements(
        enabled=enabled, file_name=file_name,
        use_pipenv=raw.get("usePipenv", True) is not False,
        use_poetry=raw.get("usePoetry", True) is not False,
        no_deploy=tuple(str(n) for n in no_deploy), individually=individually,
        layer=layer is not False, use_uv=v4 and raw.get("useUv", True) is not False,
        rules="v4" if v4 else "v3")


def _wsgi(document: Document, custom: dict[Any, Any], plugins: tuple[str, ...]) -> Wsgi | None:
    key: KeyPath = ("custom", "wsgi")
    raw = document.mapping(custom.get("wsgi"), key)
    app = raw.get("app")
    if WSGI_PLUGIN not in plugins or app is None:
        return None
    if not isinstance(app, str) or not re.fullmatch(r"[\w./-]+\.\w+", app):
        raise document.error((*key, "app"), "must name the WSGI app as module.attribute "
                                            "(e.g. app.app or src/api.app)")
    mime_types = raw.get("textMimeTypes") or []
    pack = raw.get("packRequirements")
    return Wsgi(app=app, text_mime_types=tuple(str(t) for t in mime_types),
                pack_requirements=(REQUIREMENTS_PLUGIN not in plugins) if pack is None
                else pack is not False)


@dataclass(slots=True)
class _Attached:
    """The layers of each function, by kind."""

    local: dict[str, tuple[Path, ...]] = field(default_factory=dict)  # folders, in order
    with_requirements: set[str] = field(default_factory=set)  # attach the plugin's layer
    twins: dict[str, tuple[LayerTwin, ...]] = field(default_factory=dict)  # public, on PyPI


def _layers(document: Document, functions: dict[Any, Any], plugin_layer: bool) -> _Attached:
    """Map each function to the local folders of the layers attached to it, in order; name the
    functions that attach serverless-python-requirements' layer (`plugin_layer`) and the public
    layers that have a PyPI twin."""
    local = _local_layers(document)
    found = _Attached()
    remote: dict[tuple[KeyPath, str], None] = {}  # named once, also when provider's
    default = document.provider.get("layers")
    for name, spec in functions.items():
        own = spec.get("layers") if isinstance(spec, dict) else None
        refs, key = ((own, ("functions", str(name), "layers")) if own is not None
                     else (default, ("provider", "layers")))
        folders, twins = [], []
        for i, ref in enumerate(refs if isinstance(refs, list) else []):
            logical = ref.get("Ref") if isinstance(ref, dict) else None
            public = twin(_arn_text(ref))
            if isinstance(logical, str) and logical in local:
                folders.append(local[logical])
            elif isinstance(ref, str) and ref.strip() in document.layer_paths:
                folders.append(document.layer_paths[ref.strip()])  # --layer ARN=PATH
            elif plugin_layer and logical == REQUIREMENTS_LAYER:
                found.with_requirements.add(str(name))  # built from the requirements
            elif public is not None:
                twins.append(public)
            else:
                remote[((*key, i), str(ref))] = None
        found.local[str(name)] = tuple(folders)
        found.twins[str(name)] = tuple(twins)
    for where, ref in remote:
        document.note(where, f"{ref}: not a local layer of this service; add what it carries "
                             "to your requirements, or serve it with --layer ARN=PATH")
    return found


def _arn_text(ref: Any) -> str:
    """A layer ARN as written, also inside `Fn::Sub` (its region does not matter here)."""
    text = ref.get("Fn::Sub") if isinstance(ref, dict) else ref
    if not isinstance(text, str):
        return ""
    return text.replace("${AWS::Region}", "us-east-1").replace("${AWS::Partition}", "aws")


def _local_layers(document: Document) -> dict[str, Path]:
    """Logical id -> folder of each top-level layer with a local `path:`."""
    root = document.path.resolve().parent
    found: dict[str, Path] = {}
    layers = document.mapping(document.doc.get("layers"), ("layers",))
    for name, spec in layers.items():
        path = spec.get("path") if isinstance(spec, dict) else None
        if not isinstance(path, str):
            document.note(("layers", str(name)), "no local path:")
            continue
        folder = (root / path).resolve()
        if not folder.is_dir():
            raise document.error(("layers", str(name), "path"), f"no folder {folder}")
        found[layer_logical_id(str(name))] = folder
    return found
