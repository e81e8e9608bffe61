"""Where a function's packages come from, as serverless-python-requirements and serverless-wsgi
take them (runtime/requirements.py)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.runtime.requirements import (
    WSGI_REQUIREMENTS,
    function_requirements,
    poetry_constraint,
    read_requirements_file,
)

PLUGIN = "plugins: [serverless-python-requirements]\n"


def requirements_of(tmp_path: Path, extra: str = PLUGIN, function: str = "f",
                    functions: str = "  f: {handler: h.f}\n") -> tuple[str, ...]:
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + extra
                    + "functions:\n" + functions, encoding="utf-8")
    service = load_service(path, env={})
    return function_requirements(service, service.functions[function]).lines


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_requirements_txt_beside_serverless_yml(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", """\
        # comment
        requests==2.32.3  # pinned

        -e ./vendored
        pydantic>=2
        """)
    (tmp_path / "vendored").mkdir()
    assert requirements_of(tmp_path) == (
        "requests==2.32.3", str((tmp_path / "vendored").resolve()), "pydantic>=2")


def test_without_the_plugin_requirements_txt_is_not_installed_but_named(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "requests\n")
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n"
                    "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    service = load_service(path, env={})
    found = function_requirements(service, service.functions["f"])
    assert found.lines == ()
    assert found.unused == tmp_path / "requirements.txt"


def test_no_deploy_and_file_name_are_honoured(tmp_path: Path) -> None:
    write(tmp_path / "deps" / "prod.txt", "Boto3==1.0\nflask\n-r base.txt\n")
    write(tmp_path / "deps" / "base.txt", "six\n")
    lines = requirements_of(tmp_path, PLUGIN + "custom:\n  pythonRequirements:\n"
                            "    fileName: deps/prod.txt\n    noDeploy: [boto3]\n")
    assert lines == ("flask", f"-r {(tmp_path / 'deps' / 'base.txt').resolve()}")


def test_each_module_has_its_own_requirements_when_individually(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "root-only\n")
    write(tmp_path / "fn_a" / "requirements.txt", "a-only\n")
    extra = PLUGIN + "package: {individually: true}\n"
    functions = "  a: {handler: h.f, module: fn_a}\n  b: {handler: h.f}\n"
    assert requirements_of(tmp_path, extra, "a", functions) == ("a-only",)
    assert requirements_of(tmp_path, extra, "b", functions) == ("root-only",)


def test_a_poetry_project_wins_over_requirements_txt(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "ignored\n")
    write(tmp_path / "pyproject.toml", """\
        [build-system]
        requires = ["poetry-core"]
        [tool.poetry.dependencies]
        python = "^3.12"
        requests = "^2.31"
        rich = {version = "~13.7.1", extras = ["jupyter"]}
        dev-only = {version = "*", optional = true}
        """)
    assert requirements_of(tmp_path) == ("requests>=2.31,<3", "rich[jupyter]>=13.7.1,<13.8")


def test_use_poetry_false_reads_requirements_txt(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "used\n")
    write(tmp_path / "pyproject.toml", "[build-system]\nrequires = ['poetry-core']\n")
    extra = PLUGIN + "custom:\n  pythonRequirements: {usePoetry: false}\n"
    assert requirements_of(tmp_path, extra) == ("used",)


def test_pipfile_lock_then_pipfile(tmp_path: Path) -> None:
    write(tmp_path / "Pipfile", '[packages]\nrequests = "*"\nflask = "==3.0.0"\n')
    assert requirements_of(tmp_path) == ("requests", "flask==3.0.0")
    lock = {"default": {"requests": {"version": "==2.32.3"},
                        "colorama": {"version": "==0.4.6", "markers": "os_name == 'nt'"}}}
    (tmp_path / "Pipfile.lock").write_text(json.dumps(lock), encoding="utf-8")
    assert requirements_of(tmp_path) == ("requests==2.32.3",
                                         "colorama==0.4.6; os_name == 'nt'")


def test_wsgi_functions_get_werkzeug_and_the_app_folders_requirements(tmp_path: Path) -> None:
    write(tmp_path / "src" / "requirements.txt", "flask\n")
    extra = "plugins: [serverless-wsgi]\ncustom:\n  wsgi: {app: src/api.app}\n"
    functions = "  api: {handler: wsgi_handler.handler}\n  other: {handler: h.f}\n"
    assert requirements_of(tmp_path, extra, "api", functions) == (*WSGI_REQUIREMENTS, "flask")
    assert requirements_of(tmp_path, extra, "other", functions) == ()


def test_an_app_folders_werkzeug_pin_wins_over_the_plugins_as_on_deploy(tmp_path: Path) -> None:
    # serverless-wsgi installs its own requirements.txt first, then the app's: the later wins.
    write(tmp_path / "requirements.txt", "Flask==1.1.4\nWerkzeug==1.0.1\n")
    extra = "plugins: [serverless-wsgi]\ncustom:\n  wsgi: {app: app.app}\n"
    functions = "  api: {handler: wsgi_handler.handler}\n"
    assert requirements_of(tmp_path, extra, "api", functions) == ("Flask==1.1.4",
                                                                  "Werkzeug==1.0.1")


@pytest.mark.parametrize(("poetry", "pep440"), [
    ("^1.2.3", ">=1.2.3,<2"),
    ("^0.2.3", ">=0.2.3,<0.3"),
    ("^0.0.3", ">=0.0.3,<0.0.4"),
    ("~1.2.3", ">=1.2.3,<1.3"),
    ("~1", ">=1,<2"),
    ("1.4", "==1.4"),
    (">=1,<3", ">=1,<3"),
    ("*", ""),
])
def test_poetry_constraints_become_pep_440(poetry: str, pep440: str) -> None:
    assert poetry_constraint(poetry) == pep440


def test_an_edit_to_an_included_file_changes_the_digest(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "-r base.txt\n")
    write(tmp_path / "base.txt", "six\n")
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + PLUGIN
                    + "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    service = load_service(path, env={})
    before = function_requirements(service, service.functions["f"]).digest
    write(tmp_path / "base.txt", "six==1.16.0\n")
    assert function_requirements(service, service.functions["f"]).digest != before
    assert read_requirements_file(tmp_path / "requirements.txt") == (
        f"-r {(tmp_path / 'base.txt').resolve()}",)


def test_a_requirements_layer_reaches_only_the_functions_that_attach_it(tmp_path: Path) -> None:
    # custom.pythonRequirements.layer: the plugin puts the requirements in its own layer
    # (PythonRequirementsLambdaLayer) instead of each package (its lib/layer.js, lib/inject.js).
    write(tmp_path / "requirements.txt", "requests\n")
    extra = PLUGIN + "custom:\n  pythonRequirements:\n    layer: true\n"
    functions = ("  f: {handler: h.f, layers: [{Ref: PythonRequirementsLambdaLayer}]}\n"
                 "  g: {handler: h.g}\n")
    assert requirements_of(tmp_path, extra, "f", functions) == ("requests",)
    assert requirements_of(tmp_path, extra, "g", functions) == ()


def test_the_requirements_layer_is_known_only_when_the_plugin_builds_it(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "requests\n")
    path = tmp_path / "serverless.yml"
    functions = "functions:\n  f: {handler: h.f, layers: [{Ref: PythonRequirementsLambdaLayer}]}\n"
    for extra, unsupported in ((PLUGIN + "custom: {pythonRequirements: {layer: {name: x}}}\n", 0),
                               (PLUGIN, 1)):
        path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + extra
                        + functions, encoding="utf-8")
        service = load_service(path, env={})
        assert len(service.unsupported) == unsupported, service.unsupported
        assert service.packaging.requirements_layer == (
            frozenset({"f"}) if not unsupported else frozenset())


def test_a_requirements_layer_setting_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + PLUGIN
                    + "custom: {pythonRequirements: {layer: yes please}}\n"
                    + "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"custom\.pythonRequirements\.layer: must be true"):
        load_service(path, env={})


POWERTOOLS_V3 = ("arn:aws:lambda:eu-west-1:017000801446:layer:"
                 "AWSLambdaPowertoolsPythonV3-python312-x86_64:7")


@pytest.mark.parametrize(("arn", "lines"), [
    (POWERTOOLS_V3, ("aws-lambda-powertools[all]>=3,<4",)),
    ("arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2-Arm64:79",
     ("aws-lambda-powertools[all]>=2,<3",)),
    ("arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPython:40",
     ("aws-lambda-powertools<2",)),
    ("arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Python39:80", ("datadog-lambda",)),
    ("arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Extension:50", ()),
])
def test_public_layers_with_a_pypi_twin_install_it(tmp_path: Path, arn: str,
                                                   lines: tuple[str, ...]) -> None:
    functions = f"  f: {{handler: h.f, layers: ['{arn}']}}\n"
    assert requirements_of(tmp_path, "", "f", functions) == lines


def test_a_twin_the_project_requires_itself_is_not_installed_twice(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "aws-lambda-powertools==3.1.0\n")
    functions = f"  f: {{handler: h.f, layers: ['{POWERTOOLS_V3}']}}\n"
    assert requirements_of(tmp_path, PLUGIN, "f", functions) == ("aws-lambda-powertools==3.1.0",)


def test_a_twin_layer_written_with_fn_sub_is_recognised(tmp_path: Path) -> None:
    sub = ("{'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:017000801446:layer:"
           "AWSLambdaPowertoolsPythonV2:79'}")
    functions = f"  f: {{handler: h.f, layers: [{sub}]}}\n"
    assert requirements_of(tmp_path, "", "f", functions) == ("aws-lambda-powertools[all]>=2,<3",)


def test_an_unknown_public_layer_is_named_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n"
                    "  f: {handler: h.f, layers: ['arn:aws:lambda:us-east-1:123456789012:layer:"
                    "mine:3']}\n", encoding="utf-8")
    service = load_service(path, env={})
    assert function_requirements(service, service.functions["f"]).lines == ()
    assert "add what it carries to your requirements" in service.unsupported[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_requirements_file_with_a_byte_order_mark_is_read_as_pip_reads_it(
        tmp_path: Path, encoding: str) -> None:
    text = "# saved by a Windows editor\r\nrequests==2.32.3\r\nboto3\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":  # the codec writes no mark of its own
        data = b"\xfe\xff" + data
    (tmp_path / "requirements.txt").write_bytes(data)
    assert requirements_of(tmp_path) == ("requests==2.32.3", "boto3")


def test_an_unreadable_requirements_file_stops_only_its_functions(tmp_path: Path) -> None:
    from emulator.runtime.dependencies import BuildError, Dependencies

    (tmp_path / "requirements.txt").write_bytes(b"\xfe\xffre\x00")  # a UTF-16 mark, odd bytes
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + PLUGIN
                    + "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    service = load_service(path, env={})
    with pytest.raises(BuildError, match=r"requirements\.txt: not utf-16 text after its "
                                         r"byte-order mark"):
        Dependencies(tmp_path / "venvs").spec(service, service.functions["f"])


V4 = 'frameworkVersion: "4"\n'


@pytest.mark.parametrize(("extra", "installed"), [
    (V4 + "custom: {pythonRequirements: {}}\n", True),  # v4: the block alone switches it on
    (V4 + "custom: {pythonRequirements: true}\n", True),
    (V4, False),  # v4 without the block: its docs say the block must stay, even as {}
    (V4 + "custom: {pythonRequirements: {enabled: false}}\n", False),
    (V4 + "custom: {pythonRequirements: false}\n", False),
    (V4 + PLUGIN, True),  # the community plugin still acts when listed
    ('frameworkVersion: "3"\ncustom: {pythonRequirements: {}}\n', False),  # v3: the plugin acts
    ('frameworkVersion: ">=3 <5"\ncustom: {pythonRequirements: {}}\n', False),  # 3 would do
])
def test_v4_builds_python_requirements_itself_when_its_block_is_present(
        tmp_path: Path, extra: str, installed: bool) -> None:
    write(tmp_path / "requirements.txt", "mangum\n")
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + extra
                    + "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    service = load_service(path, env={})
    found = function_requirements(service, service.functions["f"])
    assert found.lines == (("mangum",) if installed else ())
    assert service.packaging.requirements.rules == ("v4" if "4\"" in extra else "v3")


def test_v4_installs_a_uv_project_from_its_lock_without_dev_dependencies(tmp_path: Path) -> None:
    import subprocess

    from emulator.runtime.dependencies import find_uv

    write(tmp_path / "pyproject.toml", """\
        [project]
        name = "svc"
        version = "0.1.0"
        requires-python = ">=3.9"
        dependencies = ["iniconfig==2.0.0"]

        [dependency-groups]
        dev = ["pytest"]
        """)
    write(tmp_path / "requirements.txt", "not-this-one\n")  # uv.lock comes first
    locked = subprocess.run([find_uv(), "lock", "--quiet"], cwd=tmp_path, check=False,
                            capture_output=True, text=True)
    if locked.returncode != 0:
        pytest.skip(f"uv lock needs the package index: {locked.stderr.strip()[:200]}")
    lines = requirements_of(tmp_path, V4 + "custom: {pythonRequirements: {}}\n")
    assert lines == ("iniconfig==2.0.0",)
    no_uv = requirements_of(tmp_path, V4 + "custom: {pythonRequirements: {useUv: false}}\n")
    assert no_uv == ("not-this-one",)
    v3 = requirements_of(tmp_path, PLUGIN)  # the community plugin knows no uv.lock
    assert v3 == ("not-this-one",)


def test_plugin_settings_without_local_meaning_are_named_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n" + V4
                    + "custom:\n  pythonRequirements:\n    dockerizePip: non-linux\n"
                    + "    uvWithGroups: [lambda]\n    slim: false\n"
                    + "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    service = load_service(path, env={})
    named = [u for u in service.unsupported if u.startswith("custom.pythonRequirements")]
    assert named == [
        "custom.pythonRequirements.dockerizePip (builds on your machine's Python instead; no "
        "local effect)",
        "custom.pythonRequirements.uvWithGroups (dependency groups are not exported locally: "
        "the base dependencies only)"]


def test_a_layer_by_arn_is_served_from_the_folder_given_with_layer(tmp_path: Path) -> None:
    from emulator.config.flags import parse_layers

    arn = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3"
    (tmp_path / "deps" / "python").mkdir(parents=True)
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n"
                    f"  f: {{handler: h.f, layers: ['{arn}', '{POWERTOOLS_V3}']}}\n",
                    encoding="utf-8")
    layers = parse_layers([f"{arn}={tmp_path / 'deps'}", f"{POWERTOOLS_V3}={tmp_path / 'deps'}"])
    service = load_service(path, env={}, layer_paths=layers)
    assert service.packaging.layers["f"] == ((tmp_path / "deps").resolve(),) * 2
    assert service.packaging.layer_twins["f"] == ()  # the folder wins over the PyPI twin
    assert service.unsupported == ()
    for bad in ("deps=./x", f"{arn}", f"{arn}={tmp_path / 'nowhere'}"):
        with pytest.raises(ConfigError, match="--layer"):
            parse_layers([bad])
