"""`python -m contracts`: the API contract, checked against the emulator or a deployed stage.

    python -m contracts                  # starts python -m emulator, runs, stops it
    python -m contracts --base-url https://<api>.execute-api.<region>.amazonaws.com/<stage>
    python -m contracts --stack review-api-dev --region us-east-2

Exit status: 0 when every check passed, 1 when any failed (or reviews could not be cleaned up),
2 for a usage or target error (or a run that could not test anything), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from contracts import auth, cleanup, drift, report, runner, stack, target
from contracts.state import RunState

DEFAULT_MAX_EXAMPLES = 50


class UsageError(Exception):
    """Bad options or an unusable target: one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """Describe every flag; --help shows them."""
    p = argparse.ArgumentParser(
        prog="python -m contracts",
        description="Check that an API serves openapi.yaml's contract: property-based and "
        "stateful tests (schemathesis) plus checks of our own. Without --base-url "
        "or --stack, starts the local emulator on a free port and stops it after.",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--base-url",
        metavar="URL",
        help="a deployed stage, e.g. https://<api>.execute-api.<region>.amazonaws.com/<stage>",
    )
    where.add_argument(
        "--stack",
        metavar="NAME",
        help="read the base URL from this CloudFormation stack's "
        "ServiceEndpoint output (e.g. review-api-dev)",
    )
    p.add_argument(
        "--region", help="region of --stack, and of --sigv4 when the URL's host does not say it"
    )
    p.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="send this header with every request (repeatable), e.g. 'x-api-key: ...'",
    )
    p.add_argument(
        "--sigv4",
        action="store_true",
        help="sign every request with your AWS credentials (SigV4, execute-api), "
        "for IAM-authorized stages",
    )
    p.add_argument(
        "--seed",
        type=int,
        help="seed of the generated data (default: random, "
        "printed so a failing run can be repeated)",
    )
    p.add_argument(
        "--max-examples",
        type=_positive,
        default=DEFAULT_MAX_EXAMPLES,
        metavar="N",
        help=f"generated cases per operation and phase (default {DEFAULT_MAX_EXAMPLES})",
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        help="run only GET operations: nothing is created, changed or deleted",
    )
    p.add_argument(
        "--allow-writes",
        action="store_true",
        help="allow writes on a stage named prod or production, or one the base URL does "
        "not name (a custom domain): refused otherwise",
    )
    p.add_argument(
        "--stage",
        metavar="NAME",
        help="the stage a --base-url on a custom domain reaches (its URL cannot say); "
        "prod and production still need --allow-writes",
    )
    p.add_argument("--junit-xml", type=Path, metavar="PATH", help="also write a JUnit XML report")
    p.add_argument(
        "--spec",
        type=Path,
        default=Path("openapi.yaml"),
        help="the contract (default: ./openapi.yaml)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=Path("serverless.yml"),
        help="serverless.yml: the emulator's service and the drift check's routes "
        "(default: ./serverless.yml)",
    )
    return p


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run will do, decided before any request is sent."""

    args: argparse.Namespace
    seed: int
    headers: tuple[tuple[str, str], ...]
    argv: tuple[str, ...] = ()  # as given, to print the command that repeats the run


def plan(args: argparse.Namespace, argv: Sequence[str] = ()) -> Plan:
    """Validate the options that need no network."""
    try:
        headers = tuple(auth.parse_header(h) for h in args.header)
    except auth.AuthError as exc:
        raise UsageError(str(exc)) from exc
    if args.read_only and args.allow_writes:
        raise UsageError("--read-only and --allow-writes contradict each other")
    if not args.spec.is_file():
        raise UsageError(f"--spec {args.spec}: no such file")
    emulated = args.base_url is None and args.stack is None
    if emulated and not args.config.is_file():
        raise UsageError(f"--config {args.config}: no such file (the emulator needs it)")
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    return Plan(args, seed, headers, tuple(argv))


@contextlib.contextmanager
def base_url(args: argparse.Namespace) -> Iterator[str]:
    """Yield the target's base URL; an emulator started here is stopped on the way out."""
    if args.base_url is not None:
        yield args.base_url.rstrip("/")
    elif args.stack is not None:
        try:
            yield stack.service_endpoint(args.stack, args.region)
        except stack.StackError as exc:
            raise UsageError(str(exc)) from exc
    else:
        with target.Emulator(args.config) as emulator:
            yield emulator.base_url


def check_drift(args: argparse.Namespace) -> bool:
    """Compare serverless.yml's routes with openapi.yaml's operations; print any mismatch."""
    if not args.config.is_file():
        print(f"drift: skipped ({args.config} not found)")
        return True
    result = drift.compare(args.config, args.spec)
    print(
        "drift: serverless.yml and openapi.yaml declare the same routes"
        if result.ok
        else "drift: FAILED\n" + result.describe(args.config, args.spec)
    )
    return result.ok


def request_auth(args: argparse.Namespace, url: str) -> requests.auth.AuthBase | None:
    if not args.sigv4:
        return None
    try:
        return auth.sigv4_from_environment(url, args.region)
    except auth.AuthError as exc:
        raise UsageError(str(exc)) from exc


def guard_writes(args: argparse.Namespace, url: str) -> None:
    """Refuse a writing run on a production stage, or on one the URL cannot name."""
    if not target.refuses_writes(url, args.stage) or args.read_only or args.allow_writes:
        return
    stage = args.stage or target.stage_of(url)
    raise UsageError(
        f"stage {stage!r} is protected: pass --read-only, or --allow-writes to create, "
        "change and delete reviews there"
        if stage is not None
        else f"cannot tell the stage of {url} (a custom domain?): pass --stage NAME, "
        "--read-only, or --allow-writes"
    )


def execute(the_plan: Plan, url: str) -> tuple[runner.RunResult, cleanup.CleanupReport]:
    """Run against `url`, then delete what the run created, whatever happened meanwhile."""
    args = the_plan.args
    guard_writes(args, url)
    options = runner.RunOptions(
        base_url=url,
        spec=args.spec,
        seed=the_plan.seed,
        max_examples=args.max_examples,
        headers=the_plan.headers,
        auth=request_auth(args, url),
        read_only=args.read_only,
        junit_xml=args.junit_xml,
    )
    state = RunState()
    result = runner.RunResult()
    try:
        result = runner.run(options, state)
    finally:
        client = state.client
        cleaned = cleanup.delete_all(client, list(state.created)) if client else None
        if client:
            client.close()
    return result, cleaned or cleanup.CleanupReport()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the contract; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        the_plan = plan(args, argv)
        drift_ok = check_drift(args)
        with base_url(args) as url:
            result, cleaned = execute(the_plan, url)
    except (UsageError, target.TargetError) as exc:
        print(f"contracts: {exc}", file=sys.stderr)
        return report.EXIT_USAGE
    except KeyboardInterrupt:  # outside schemathesis's run; cleanup and the emulator's stop ran
        print("contracts: interrupted", file=sys.stderr)
        return report.EXIT_INTERRUPTED
    report.summarize(result, cleaned, drift_ok, url=url, seed=the_plan.seed, argv=the_plan.argv)
    return report.verdict(result, cleaned, drift_ok)
