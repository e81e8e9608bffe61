"""custom.pythonRequirements, custom.wsgi, function modules and local layers (config/packaging)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.config.packaging import PythonRequirements, Wsgi, layer_logical_id
from emulator.config.service import ServiceConfig


def load(tmp_path: Path, text: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_service(path, env={})


HEAD = """\
service: svc
provider:
  name: aws
  runtime: python3.12
"""


def test_without_the_plugins_nothing_is_packaged_but_the_code(tmp_path: Path) -> None:
    config = load(tmp_path, HEAD + "functions:\n  f:\n    handler: h.f\n")
    assert config.packaging.requirements == PythonRequirements(enabled=False)
    assert config.packaging.wsgi is None
    assert config.packaging.module("f") == "."


def test_python_requirements_settings_and_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, HEAD + """\
plugins: [serverless-python-requirements]
package: {individually: true}
custom:
  pythonRequirements: {fileName: reqs/prod.txt, usePoetry: false, noDeploy: [boto3, pytest]}
functions:
  f: {handler: h.f, module: svc_f}
  g: {handler: h.g}
""")
    assert config.packaging.requirements == PythonRequirements(
        enabled=True, file_name="reqs/prod.txt", use_pipenv=True, use_poetry=False,
        no_deploy=("boto3", "pytest"), individually=True)
    assert (config.packaging.module("f"), config.packaging.module("g")) == ("svc_f", ".")
    assert "plugins[0] (serverless-python-requirements)" not in config.unsupported


def test_a_module_matters_only_when_packaging_individually(tmp_path: Path) -> None:
    config = load(tmp_path, HEAD + "functions:\n  f: {handler: h.f, module: sub}\n")
    assert config.packaging.module("f") == "."


@pytest.mark.parametrize(("plugins", "wsgi", "expected"), [
    ("[serverless-wsgi]", "{app: api.app}", Wsgi("api.app", (), True)),
    ("[serverless-wsgi, serverless-python-requirements]", "{app: src/api.app}",
     Wsgi("src/api.app", (), False)),
    ("[serverless-wsgi]", "{app: a.app, packRequirements: false, textMimeTypes: [x/y]}",
     Wsgi("a.app", ("x/y",), False)),
    ("[]", "{app: api.app}", None),  # the plugin is not listed: nothing bundles the handler
])
def test_wsgi_settings(tmp_path: Path, plugins: str, wsgi: str, expected: Wsgi | None) -> None:
    config = load(tmp_path, HEAD + f"plugins: {plugins}\ncustom:\n  wsgi: {wsgi}\n"
                  "functions:\n  api: {handler: wsgi_handler.handler}\n")
    assert config.packaging.wsgi == expected


def test_a_wsgi_app_that_is_not_module_dot_name_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"custom\.wsgi\.app: must name the WSGI app"):
        load(tmp_path, HEAD + "plugins: [serverless-wsgi]\ncustom:\n  wsgi: {app: app}\n"
             "functions:\n  api: {handler: wsgi_handler.handler}\n")


@pytest.mark.parametrize(("name", "logical_id"), [
    ("common", "CommonLambdaLayer"),
    ("my-deps", "MyDashdepsLambdaLayer"),
    ("py_libs", "PyUnderscorelibsLambdaLayer"),
])
def test_layer_logical_ids_follow_the_framework(name: str, logical_id: str) -> None:
    assert layer_logical_id(name) == logical_id


def test_local_layers_attach_by_ref_and_provider_layers_are_the_default(tmp_path: Path) -> None:
    (tmp_path / "layers" / "a").mkdir(parents=True)
    (tmp_path / "layers" / "b").mkdir(parents=True)
    config = load(tmp_path, HEAD + """\
  layers:
    - !Ref ALambdaLayer
layers:
  a: {path: layers/a}
  b: {path: layers/b}
functions:
  f: {handler: h.f}
  g:
    handler: h.g
    layers: [{Ref: BLambdaLayer}, {Ref: ALambdaLayer}, "arn:aws:lambda:us-east-1:1:layer:x:1"]
""")
    a, b = (tmp_path / "layers" / "a").resolve(), (tmp_path / "layers" / "b").resolve()
    assert config.packaging.layers == {"f": (a,), "g": (b, a)}
    assert config.unsupported == (
        "functions.g.layers[2] (arn:aws:lambda:us-east-1:1:layer:x:1: not a local layer of "
        "this service; add what it carries to your requirements, or serve it with --layer "
        "ARN=PATH)",)


def test_a_layer_path_that_is_not_a_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"layers\.a\.path: no folder .*nowhere"):
        load(tmp_path, HEAD + "layers:\n  a: {path: nowhere}\nfunctions:\n  f: {handler: h.f}\n")
