"""Sessions that CI and people run. `nox` alone runs the default set (what CI runs)."""

from __future__ import annotations

import os
import shutil

import nox

nox.options.default_venv_backend = "uv|virtualenv"  # uv installs in ~1 s where present
nox.options.sessions = ["lint", "typecheck", "tests", "contracts", "installed", "docs"]
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"
CONTRACTS_SEED = "20261127"  # CI runs the contract suite reproducibly
SOURCES = ("api", "emulator", "contracts", "tests", "bench", "tools", "noxfile.py")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff: lint and import order."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", *SOURCES)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the tooling and the handlers."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """pytest: handlers on moto, the emulator's units, and the real emulator process."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def contracts(session: nox.Session) -> None:
    """The API contract against the emulator (started and stopped by the harness), fixed seed;
    every declared response but 5xx must be reached."""
    session.install("-e", ".")
    session.run("python", "-m", "contracts", "--seed", CONTRACTS_SEED, "--min-coverage", "100",
                *session.posargs)


@nox.session(python=PYTHON)
def installed(session: nox.Session) -> None:
    """The wheel, installed alone into a fresh virtualenv outside the checkout, run from a copy
    of the service in a temporary folder: serve, invoke, contracts, both console scripts."""
    session.install("uv")
    session.run("python", "tools/installed_check.py", *session.posargs)


@nox.session(python=PYTHON)
def selftest_seeds(session: nox.Session) -> None:
    """The contract harness's correct fixtures (pagination styles, two-user notes) with seeds 2
    to 5 as well: zero false alarms, tested five ways (minutes; not in CI's run, which runs
    seed 1 and every broken variant)."""
    session.install("-e", ".[dev]")
    session.run("pytest", "-m", "slow", "tests/contracts/test_contracts_selftest.py",
                *session.posargs)


@nox.session(python=PYTHON)
def contracts_live(session: nox.Session) -> None:
    """The API contract against a deployed stage: nox -s contracts_live -- --base-url URL."""
    if not any(a.startswith(("--base-url", "--stack")) for a in session.posargs):
        session.error("name the stage: -- --base-url https://<api>.execute-api.<region>"
                      ".amazonaws.com/<stage>  (or --stack review-api-<stage> --region <r>)")
    session.install("-e", ".")
    session.run("python", "-m", "contracts", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs.yml, docs/) in strict mode: a broken link or anchor, or
    any other warning, fails it. The site is written to site/ (git-ignored)."""
    session.install("mkdocs-material>=9.5,<10")
    session.run("mkdocs", "build", "--strict", *session.posargs,
                env={"NO_MKDOCS_2_WARNING": "1"})  # Material's end-of-life notice


@nox.session(python=PYTHON)
def readme_setup(session: nox.Session) -> None:
    """The README's two set-up commands on a Python that refuses pip install (PEP 668), in a
    copy of this checkout (minutes: pip downloads the dependencies; not in CI's run)."""
    session.install("-e", ".[dev]")
    session.run("pytest", "-m", "slow", "tests/integration/test_readme_setup.py",
                *session.posargs)


def _install_wrk(session: nox.Session) -> None:
    """wrk (Debian's package) is the load generator: bench falls back to Python threads without
    it, bench_peer needs it."""
    if not shutil.which("wrk") and shutil.which("apt-get") and os.geteuid() == 0:
        session.run("apt-get", "install", "-y", "-q", "wrk", external=True, success_codes=[0, 100])


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Latency/throughput through the emulator next to the moto floor (not in CI's run)."""
    session.install("-e", ".")
    _install_wrk(session)
    session.run("python", "bench/bench.py", *session.posargs)
    session.run("python", "bench/bench_http_api.py")  # HTTP API vs REST, boto3 invoke


@nox.session(python=PYTHON)
def bench_peer(session: nox.Session) -> None:
    """The emulator next to serverless-offline 13, A B A B (npm; minutes; not in CI's run)."""
    session.install("-e", ".")
    _install_wrk(session)
    session.run("python", "bench/peer.py", *session.posargs)


@nox.session(python=PYTHON)
def realworld(session: nox.Session) -> None:
    """The emulator on the real-world corpus (tests/realworld/): per project the routes declared,
    served and answered by the handler, and start errors. `nox -s realworld -- --peer` adds
    serverless-offline 13 and `serverless print` side by side (npm; ~15 min; not in CI's run,
    which runs a six-project slice as tests/realworld/test_corpus_subset.py)."""
    session.install("-e", ".")
    session.run("python", "tools/realworld.py", *session.posargs)


@nox.session(python=PYTHON)
def package(session: nox.Session) -> None:
    """Pre-deploy check (needs Node.js 18+ and npm; not in CI's run): serverless package
    offline, cfn-lint on the template, the zip's contents, the committed fixture.
    `nox -s package -- --update-fixture` regenerates tests/fixtures/packaged/."""
    session.install("-e", ".")
    session.run("python", "tools/package_check.py", *session.posargs)


@nox.session(python=PYTHON)
def browser(session: nox.Session) -> None:
    """The web page (web/) in headless Chromium against the emulator (tests/browser; needs a
    Chromium: Debian's `chromium` package, or $CHROMIUM_PATH; docs/web.md)."""
    session.install("-e", ".[dev,browser]")
    session.run("pytest", "tests/browser", "-p", "no:cacheprovider", *session.posargs,
                env={"BROWSER_TESTS": "required"})
