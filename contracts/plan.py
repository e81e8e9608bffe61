"""What a run will do, decided before any request is sent: options, project, spec, seed."""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from contracts import auth, model, project


class UsageError(Exception):
    """Bad options or an unusable target: one line, exit status 2."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a run will do, decided before any request is sent."""

    args: argparse.Namespace
    seed: int
    headers: tuple[tuple[str, str], ...]
    project: project.Project
    model: model.Model
    argv: tuple[str, ...] = ()  # as given, to print the command that repeats the run
    breaking: tuple[str, ...] = ()  # --baseline: breaking changes since that revision


def plan(args: argparse.Namespace, argv: Sequence[str] = ()) -> Plan:
    """Validate the options that need no network."""
    if args.read_only and args.allow_writes:
        raise UsageError("--read-only and --allow-writes contradict each other")
    try:
        settings_ = project.load(args.project)
        configured = [project.expand(h, os.environ, settings_.source) for h in settings_.headers]
        headers = tuple(auth.parse_header(h) for h in [*configured, *args.header])
    except (project.ProjectError, auth.AuthError) as exc:
        raise UsageError(str(exc)) from exc
    args.spec = args.spec or settings_.spec
    args.config = args.config or settings_.serverless
    if not args.spec.is_file():
        raise UsageError(f"--spec {args.spec}: no such file")
    emulated = args.base_url is None and args.stack is None
    if emulated and not args.config.is_file():
        raise UsageError(f"--config {args.config}: no such file (the emulator needs it)")
    breaking: tuple[str, ...] = ()
    if getattr(args, "baseline", None):
        args.spec, breaking = baseline(args.baseline, args.spec)
    try:
        api = model.load(args.spec)
    except (model.SpecError, OSError, ValueError) as exc:
        raise UsageError(f"--spec {args.spec}: {exc}") from exc
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(32)
    return Plan(args, seed, headers, settings_, api, tuple(argv), breaking)


def baseline(ref: str, spec: Path) -> tuple[Path, tuple[str, ...]]:
    """The spec as it was at `ref` (written to a temporary file) and what breaks since."""
    from contracts import diff

    try:
        text = diff.read_at(ref, spec)
        folder = tempfile.mkdtemp(prefix="contracts-baseline-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        old = Path(folder) / spec.name
        old.write_text(text, encoding="utf-8")
        changes = diff.compare(diff.read(str(old)), diff.read(str(spec)))
    except diff.DiffError as exc:
        raise UsageError(str(exc)) from exc
    return old, tuple(c.line() for c in changes if c.breaking)


