"""`python -m contracts`: the API contract, checked against the emulator or a deployed stage.

    python -m contracts                  # starts python -m emulator, runs, stops it
    python -m contracts --base-url https://<api>.execute-api.<region>.amazonaws.com/<stage>
    python -m contracts --stack review-api-dev --region us-east-2
    python -m contracts --project tests/contracts/fixtures/tasks   # another project's API
    python -m contracts diff OLD.yaml NEW.yaml                      # breaking changes
    python -m contracts parity --local URL --live URL               # the emulator vs a stage

Exit status: 0 when every check passed, 1 when any failed (or drift, coverage below
--min-coverage, resources left after cleanup), 2 for a usage or target error (or a run that
could not test anything), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import shlex
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import requests

from contracts import (
    auth,
    cleanup,
    coverage,
    drift,
    identities,
    listing,
    report,
    runner,
    settings,
    stack,
    target,
)
from contracts.plan import Plan, UsageError, plan
from contracts.state import RunState

__all__ = ["Plan", "UsageError", "build_parser", "main", "plan"]

DEFAULT_MAX_EXAMPLES = 50


def build_parser() -> argparse.ArgumentParser:
    """Describe every flag; --help shows them."""
    p = argparse.ArgumentParser(
        prog="python -m contracts",
        description="Check that an API serves its OpenAPI contract: property-based and "
        "stateful tests (schemathesis) plus semantic checks derived from the spec. Without "
        "--base-url or --stack, starts the local emulator on a free port and stops it after. "
        "Subcommands: `diff OLD NEW` (breaking changes between two specs), `parity --local "
        "URL --live URL` (the same requests to two targets, compared).",
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
    p.add_argument("--coverage-json", type=Path, metavar="PATH",
                   help="write the coverage of declared responses as JSON")
    p.add_argument("--min-coverage", type=_percent, metavar="PCT",
                   help="fail the run below this coverage of declared responses (0-100)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print schemathesis's own report as the run goes")
    p.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the project: its contracts.toml or pyproject.toml [tool.contracts] "
        "(default: the current directory)",
    )
    p.add_argument("--spec", type=Path, help="the contract (default: the project's spec)")
    p.add_argument(
        "--baseline",
        metavar="GIT-REF",
        help="also list the spec's breaking changes since this revision (they fail the run), "
        "and test the current implementation against the spec as it was then",
    )
    p.add_argument(
        "--config",
        type=Path,
        help="serverless.yml: the emulator's service and the drift check's routes "
        "(default: the project's)",
    )
    p.add_argument(
        "--emulator-args",
        action="append",
        default=[],
        metavar="'ARGS'",
        help="options for the emulator this run starts, as one quoted string split like a "
        "shell's (repeatable), e.g. --emulator-args '--python /usr/bin/python3.12 --stage qa'",
    )
    return p


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} must be a percentage from 0 to 100")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


@contextlib.contextmanager
def base_url(args: argparse.Namespace) -> Iterator[str]:
    """Yield the target's base URL; an emulator started here is stopped on the way out."""
    with target_of(args) as (url, _emulator):
        yield url


@contextlib.contextmanager
def target_of(args: argparse.Namespace) -> Iterator[tuple[str, target.Emulator | None]]:
    """Yield the base URL, and the emulator when one was started here (stopped on the way
    out)."""
    extra = [word for text in args.emulator_args for word in shlex.split(text)]
    if extra and (args.base_url is not None or args.stack is not None):
        raise UsageError("--emulator-args: no emulator is started with --base-url or --stack")
    if args.base_url is not None:
        yield args.base_url.rstrip("/"), None
    elif args.stack is not None:
        try:
            yield stack.service_endpoint(args.stack, args.region), None
        except stack.StackError as exc:
            raise UsageError(str(exc)) from exc
    else:
        with target.Emulator(args.config, extra_args=extra) as emulator:
            yield emulator.base_url, emulator


def with_console(result: runner.RunResult, emulator: target.Emulator | None) -> None:
    """Give each failing 5xx reply the emulator's console lines about it."""
    if emulator is None:
        return
    result.findings = [
        dataclasses.replace(f, console=emulator.console.about(*f.reply))
        if f.reply is not None and f.reply[2] >= 500 else f
        for f in result.findings
    ]


def check_drift(args: argparse.Namespace) -> drift.Drift | None:
    """Compare serverless.yml's routes with the spec's operations (None: no serverless.yml)."""
    if not args.config.is_file():
        return None
    return drift.compare(args.config, args.spec)


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
        "change and delete resources there"
        if stage is not None
        else f"cannot tell the stage of {url} (a custom domain?): pass --stage NAME, "
        "--read-only, or --allow-writes"
    )


def credentials(the_plan: Plan) -> identities.Credentials | None:
    """The identities' tokens, when the spec protects operations with a token scheme."""
    args, access = the_plan.args, the_plan.model.access
    reads = ("GET", "HEAD", "OPTIONS")
    if getattr(args, "read_only", False) and not any(
            op.partition(" ")[0] in reads for op in access.protected):
        return None  # a read-only run sends none of the protected operations (all writes)
    emulated = args.base_url is None and args.stack is None
    client_id = None
    try:
        if args.stack is not None and access.token_scheme() and the_plan.project.identities:
            client_id = stack.stack_outputs(args.stack, args.region).get("UserPoolClientId")
        return identities.obtain(
            the_plan.project.identities, access.token_scheme(),
            config=args.config.resolve() if emulated else None, environ=os.environ,
            client_id=client_id, region=args.region,
        )
    except (identities.IdentityError, stack.StackError) as exc:
        raise UsageError(str(exc)) from exc


def execute(the_plan: Plan, url: str) -> tuple[runner.RunResult, RunState, cleanup.CleanupReport]:
    """Run against `url`, then delete what the run created, whatever happened meanwhile."""
    args = the_plan.args
    guard_writes(args, url)
    creds = credentials(the_plan)
    access = the_plan.model.access
    options = runner.RunOptions(
        base_url=url,
        spec=args.spec,
        seed=the_plan.seed,
        max_examples=args.max_examples,
        headers=the_plan.headers,
        auth=request_auth(args, url),
        read_only=args.read_only,
        verbose=args.verbose,
        credentials=creds,
        unauthenticated=tuple(op for op in access.protected if access.needs(op, "unsupported")
                              and not access.needs(op, "token")),
    )
    state = RunState(model=the_plan.model, cors_origin=the_plan.project.cors_origin)
    state.credentials = creds
    result = runner.RunResult()
    try:
        result = runner.run(options, the_plan.project, state)
    finally:
        client = state.client
        cleaned = cleanup.delete_all(client, list(state.created)) if client else None
        if client:
            client.close()
    return result, state, cleaned or cleanup.CleanupReport()


def outcome(
    the_plan: Plan, url: str, found: tuple[runner.RunResult, RunState, cleanup.CleanupReport],
    drifted: drift.Drift | None,
) -> report.Outcome:
    """Put a finished run's parts together for the reports."""
    args = the_plan.args
    result, state, cleaned = found
    declared = the_plan.model.declared
    if args.read_only:
        declared = {op: codes for op, codes in declared.items() if op.startswith("GET ")}
    return report.Outcome(
        result=result,
        cleanup=cleaned,
        drift=drifted,
        coverage=coverage.measure(declared, state.statuses),
        checks=tuple(settings.enabled_checks(the_plan.project)),
        url=url,
        seed=the_plan.seed,
        argv=the_plan.argv,
        min_coverage=args.min_coverage,
        files=(args.config.name, args.spec.name),
        baseline=(args.baseline, the_plan.breaking) if args.baseline else None,
        listings=tuple(listing.listings(the_plan.model.collections)),
        identities=tuple(state.credentials.summary() if state.credentials else ()),
        auth_notes=tuple(auth_notes(the_plan)),
    )


def auth_notes(the_plan: Plan) -> list[str]:
    """What the run could not do about the spec's security, one line each."""
    access = the_plan.model.access
    notes = access.unsupported()
    if access.token_scheme() and not the_plan.project.identities:
        notes.append("the spec protects operations with a token but the project declares no "
                     "identities: they ran without credentials")
    return notes


def main(argv: Sequence[str] | None = None) -> int:
    """Run the contract (or a subcommand); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["diff"]:
        from contracts import diff

        return diff.main(argv[1:])
    if argv[:1] == ["parity"]:
        from contracts import parity

        return parity.main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        the_plan = plan(args, argv)
        drifted = check_drift(args)
        with target_of(args) as (url, emulator):
            print(f"contracts: testing {url} (seed {the_plan.seed}) ...", flush=True)
            found = execute(the_plan, url)
            with_console(found[0], emulator)
    except (UsageError, target.TargetError) as exc:
        print(f"contracts: {exc}", file=sys.stderr)
        return report.EXIT_USAGE
    except KeyboardInterrupt:  # outside schemathesis's run; cleanup and the emulator's stop ran
        print("contracts: interrupted", file=sys.stderr)
        return report.EXIT_INTERRUPTED
    done = outcome(the_plan, url, found, drifted)
    if found[0].operations == 0 and not args.verbose:
        print(found[0].output[-3000:])  # why nothing was tested: schemathesis said
    print("\n".join(report.summary(done)))
    if args.junit_xml is not None:
        report.write_junit(done, args.junit_xml)
    if args.coverage_json is not None and done.coverage is not None:
        done.coverage.write(args.coverage_json)
    return done.verdict()
