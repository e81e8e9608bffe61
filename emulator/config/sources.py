"""The variable sources of Serverless Framework v3, one small function each, in one table.

Each follows its file in v3's `lib/configuration/variables/sources/` (opt, env, self, file,
strToBool; instance-dependent/ sls, aws, cf, s3, ssm) and the dashboard plugin's `param`
(`params:` per stage, then `default`, with `--param` first). A source returns the value, or
None when it has none (the next fallback applies); it raises SourceError for a misuse. The
remote ones (ssm, cf, s3) read emulator/config/remote.py's values file instead of AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from emulator.config import lift_constructs as lift
from emulator.config.remote import Lookup
from emulator.config.yamlfile import CfnLoader, KeyPath, describe_yaml_error

ACCOUNT_ID = "123456789012"  # moto's default account; what ${aws:accountId} resolves to
DEFAULT_STAGE = "dev"  # ${sls:stage} without --stage or provider.stage (get-sls.js)
DEFAULT_REGION = "us-east-1"  # ${aws:region} without --region or provider.region (get-aws.js)
_NODE_FILES = (".js", ".cjs", ".mjs", ".ts")


class SourceError(ValueError):
    """A source used the wrong way (missing or unsupported address, bad input)."""


class Context(Protocol):
    """What sources read; implemented by the resolver."""

    service_dir: Path
    values_file: Path
    instance_id: str

    def option(self, name: str | None) -> Any: ...
    def env(self, name: str) -> str | None: ...
    def config(self, keys: KeyPath) -> Any: ...
    def stage(self) -> str: ...
    def param(self, name: str) -> Any: ...
    def remote(self, lookup: Lookup) -> Any: ...
    def resolve_text(self, text: str) -> Any: ...


Resolve = Callable[[Context, list[Any], "str | None"], Any]
Hint = Callable[[Context, list[Any], "str | None"], str]


@dataclass(frozen=True, slots=True)
class Spec:
    resolve: Resolve
    hint: Hint  # what to do when it has no value
    remote: bool = False  # would call AWS: answered from the values file


def _address(name: str, address: str | None) -> str:
    if not address:
        raise SourceError(f'missing address argument in variable "{name}" source')
    return address


def _opt(ctx: Context, _params: list[Any], address: str | None) -> Any:
    return ctx.option(address)


def _opt_hint(_ctx: Context, _params: list[Any], address: str | None) -> str:
    if address in ("stage", "region"):
        return f"pass --{address}, or add a default: ${{opt:{address}, 'value'}}"
    return (f"the emulator takes only --stage, --region and --param; add a default: "
            f"${{opt:{address}, 'value'}}")


def _env(ctx: Context, _params: list[Any], address: str | None) -> Any:
    return ctx.env(_address("env", address))


def _env_hint(_ctx: Context, _params: list[Any], address: str | None) -> str:
    return f"set {address} in the shell that starts the emulator, or add a default"


def _self(ctx: Context, _params: list[Any], address: str | None) -> Any:
    return ctx.config(tuple(address.split(".")) if address else ())


def _self_hint(_ctx: Context, _params: list[Any], address: str | None) -> str:
    return f"set {address} in serverless.yml, or add a default"


def _file(ctx: Context, params: list[Any], address: str | None) -> Any:
    target = _file_path(ctx, params)
    content = _file_content(ctx, target)
    if not address or content is None:
        return content
    for key in address.split("."):
        if isinstance(content, str):
            content = ctx.resolve_text(content)
        content = _child(content, key)
        if content is None:
            return None
    return content


def _file_path(ctx: Context, params: list[Any]) -> Path:
    if not params or not params[0]:
        raise SourceError('missing path argument in variable "file" source')
    if not isinstance(params[0], str):
        raise SourceError(f'non-string path argument in variable "file" source: {params[0]!r}')
    target = (ctx.service_dir / params[0]).resolve()
    if target.suffix in _NODE_FILES:
        raise SourceError(f"{params[0]} is JavaScript/TypeScript, which needs Node to "
                          "evaluate: put its values in a .yml or .json file and point "
                          "${file(...)} at that")
    return target


def _file_content(ctx: Context, target: Path) -> Any:
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {_shown(ctx, target)}: {exc}") from None
    try:
        if target.suffix in (".yml", ".yaml"):
            return yaml.load(text, Loader=CfnLoader)
        if target.suffix in (".json", ".tfstate"):
            return json.loads(text)
    except yaml.YAMLError as exc:  # one line with the line number (the alias bound too)
        raise SourceError(f"cannot parse {_shown(ctx, target)}: {describe_yaml_error(exc)}"
                          ) from None
    except ValueError as exc:
        problem = " ".join(str(exc).split())
        raise SourceError(f"cannot parse {_shown(ctx, target)}: {problem}") from None
    return text  # any other file is plain text, as in v3


def _file_hint(ctx: Context, params: list[Any], address: str | None) -> str:
    target = (ctx.service_dir / str(params[0])).resolve() if params else ctx.service_dir
    if not target.is_file():
        return (f"create {_shown(ctx, target)} (paths are relative to the service folder), "
                "or add a default")
    return f"add {address} to {_shown(ctx, target)}, or add a default"


def _shown(ctx: Context, target: Path) -> str:
    try:
        return str(target.relative_to(ctx.service_dir.resolve()))
    except ValueError:
        return str(target)


def _param(ctx: Context, _params: list[Any], address: str | None) -> Any:
    return ctx.param(_address("param", address))


def _param_hint(ctx: Context, _params: list[Any], address: str | None) -> str:
    return (f"add it under params.{ctx.stage()}.{address} or params.default.{address} in "
            f"serverless.yml, or pass --param '{address}=value'")


def _sls(ctx: Context, _params: list[Any], address: str | None) -> Any:
    if _address("sls", address) == "instanceId":
        return ctx.instance_id
    if address == "stage":
        return ctx.stage()
    raise SourceError(f'unsupported "{address}" address in variable "sls" source '
                      "(v3 knows stage and instanceId)")


def _aws(ctx: Context, _params: list[Any], address: str | None) -> Any:
    if _address("aws", address) == "accountId":
        return ACCOUNT_ID  # v3 asks STS; the emulator's account is moto's
    if address == "region":
        return ctx.option("region") or ctx.config(("provider", "region")) or DEFAULT_REGION
    raise SourceError(f'unsupported "{address}" address in variable "aws" source '
                      "(v3 knows accountId and region)")


def _str_to_bool(_ctx: Context, params: list[Any], _address_: str | None) -> Any:
    if not params or params[0] is None:
        raise SourceError('missing "strToBool" input')
    text = params[0]
    if isinstance(text, bool):
        text = "true" if text else "false"
    if not isinstance(text, str | int | float):
        raise SourceError(f'non-string "strToBool" input: {text!r}')
    word = str(text).strip().lower()
    if word in ("true", "1", "false", "0"):
        return word in ("true", "1")
    raise SourceError(f'invalid "strToBool" input: expected "true", "false", "0" or "1", '
                      f"got {text!r}")


def _ssm(ctx: Context, params: list[Any], address: str | None) -> Any:
    value = ctx.remote(_lookup("ssm", params, address))
    raw = "raw" in params
    if raw and isinstance(value, list):
        return ",".join(str(v) for v in value)  # a StringList as SSM stores it
    if raw and isinstance(value, dict):
        return json.dumps(value)  # a JSON SecureString, unparsed
    return value


def _remote(kind: str) -> Resolve:
    def resolve(ctx: Context, params: list[Any], address: str | None) -> Any:
        return ctx.remote(_lookup(kind, params, address))
    return resolve


def _lookup(kind: str, _params: list[Any], address: str | None) -> Lookup:
    address = _address(kind, address)
    if kind == "ssm":
        return Lookup("ssm", (address,))
    separator = "." if kind == "cf" else "/"
    if separator not in address:
        shape = "<stack-name>.<output-id>" if kind == "cf" else "<bucket-name>/<key>"
        raise SourceError(f'unsupported "{address}" address in variable "{kind}" source: '
                          f'expected "{shape}"')
    if kind == "cf":
        return Lookup("cf", tuple(address.split(".", 1)))
    return Lookup("s3", (address,))


def _remote_hint(kind: str) -> Hint:
    def hint(ctx: Context, params: list[Any], address: str | None) -> str:
        where = _lookup(kind, params, address).example()
        return (f"the emulator never calls AWS: put the value in "
                f"{_shown(ctx, ctx.values_file)} as `{where}` (or start with "
                "--placeholder-remote)")
    return hint


def _construct(ctx: Context, _params: list[Any], address: str | None) -> Any:
    try:  # serverless-lift's source: the intrinsic of a construct's resource
        return lift.variable(_address("construct", address), ctx.config)
    except lift.LiftVariableError as exc:
        raise SourceError(str(exc)) from None


def _construct_hint(ctx: Context, _params: list[Any], address: str | None) -> str:
    return lift.variable_hint(str(address), ctx.config)


def _never(_ctx: Context, _params: list[Any], _address_: str | None) -> str:
    return "add a default"


SOURCES: Mapping[str, Spec] = {
    "opt": Spec(_opt, _opt_hint),
    "env": Spec(_env, _env_hint),
    "self": Spec(_self, _self_hint),
    "file": Spec(_file, _file_hint),
    "param": Spec(_param, _param_hint),
    "sls": Spec(_sls, _never),
    "aws": Spec(_aws, _never),
    "strToBool": Spec(_str_to_bool, _never),
    "ssm": Spec(_ssm, _remote_hint("ssm"), remote=True),
    "cf": Spec(_remote("cf"), _remote_hint("cf"), remote=True),
    "s3": Spec(_remote("s3"), _remote_hint("s3"), remote=True),
    # a construct lift deploys but the emulator does not has no value: placeholder-able
    "construct": Spec(_construct, _construct_hint, remote=True),
}


def _child(node: Any, key: str) -> Any:
    """node[key] as JavaScript indexes it: a mapping by key, a list by a numeric key."""
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    return None
