"""Live runs are safe: protected stages refuse writes, and what a run created is deleted."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import pytest
from contracts_fake_stage import FakeStage

from contracts import cleanup, cli, model, project, report, runner, target
from contracts.model import Collection
from contracts.state import RunState

REPO = Path(__file__).resolve().parents[2]
REVIEWS = model.load(REPO / "openapi.yaml")


class RecordingClient:
    """Stands in for ApiClient: answers DELETE from a table of statuses."""

    def __init__(self, statuses: dict[str, int]) -> None:
        self.statuses = statuses
        self.deleted: list[str] = []
        self.closed = False

    def delete_item(self, collection: Collection, review_id: str) -> int:
        self.deleted.append(review_id)
        return self.statuses.get(review_id, 204)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("url", "stage", "refused"),
    [
        ("https://a.execute-api.us-east-2.amazonaws.com/prod", "prod", True),
        ("https://a.execute-api.us-east-2.amazonaws.com/Production/", "Production", True),
        ("https://a.execute-api.us-east-2.amazonaws.com/dev", "dev", False),
        ("https://a.execute-api.us-east-2.amazonaws.com/prod-copy", "prod-copy", False),
        ("http://127.0.0.1:3000/dev", "dev", False),
        # what the server reaches, not what the text says (issue 16: these ran writes on prod)
        ("https://a.execute-api.us-east-2.amazonaws.com/prod/.", "prod", True),
        ("https://a.execute-api.us-east-2.amazonaws.com/%70rod", "prod", True),
        ("https://a.execute-api.us-east-2.amazonaws.com/%2570rod", "prod", True),
        ("https://a.execute-api.us-east-2.amazonaws.com/dev/../prod", "prod", True),
        ("https://a.execute-api.us-east-2.amazonaws.com//PROD//", "PROD", True),
        ("https://a.execute-api.us-east-2.amazonaws.com/prod/reviews", "prod", True),
        ("https://a-vpce-1.execute-api.us-east-2.vpce.amazonaws.com/prod", "prod", True),
        ("http://localhost:3000/production", "production", True),
        # a custom domain maps its paths to any stage: the URL cannot say
        ("https://api.example.com/prod-copy", None, True),
        ("https://api.example.com/dev", None, True),
        ("https://api.example.com", None, True),
        ("https://a.execute-api.us-east-2.amazonaws.com", None, True),
    ],
)
def test_stage_is_read_from_the_normalised_url(url: str, stage: str | None, refused: bool) -> None:
    assert target.stage_of(url) == stage
    assert target.refuses_writes(url) is refused


@pytest.mark.parametrize(("stage", "refused"), [("dev", False), ("prod", True), ("Prod", True)])
def test_stage_option_names_the_stage_of_a_custom_domain(stage: str, refused: bool) -> None:
    assert target.refuses_writes("https://api.example.com/v1", stage) is refused


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        ([], True),
        (["--stage", "prod"], True),
        (["--stage", "dev"], False),
        (["--allow-writes"], False),
        (["--read-only"], False),
    ],
)
def test_a_base_url_without_a_readable_stage_needs_stage_or_allow_writes(
    args: list[str], refused: bool
) -> None:
    url = "https://api.example.com/v1"
    parsed = cli.build_parser().parse_args(["--base-url", url, *args])
    if refused:
        with pytest.raises(cli.UsageError, match="--allow-writes"):
            cli.guard_writes(parsed, url)
    else:
        cli.guard_writes(parsed, url)


@pytest.mark.parametrize("suffix", ["/prod/.", "/%70rod"])
def test_a_disguised_prod_stage_refuses_a_writing_run_before_any_request(
    suffix: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeStage("prod") as stage:
        base = stage.base_url.rstrip("/").removesuffix("/prod")
        status = cli.main(["--base-url", base + suffix])
        sent = stage.requests

    assert status == report.EXIT_USAGE
    assert sent == []
    assert "'prod' is protected" in capsys.readouterr().err


def test_a_prod_stage_refuses_a_writing_run_before_any_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeStage("prod") as stage:
        status = cli.main(["--base-url", stage.base_url])
        sent = stage.requests

    assert status == report.EXIT_USAGE
    assert sent == []
    assert "--allow-writes" in capsys.readouterr().err


def test_read_only_and_allow_writes_together_are_a_usage_error() -> None:
    assert cli.main(["--base-url", "http://127.0.0.1:1/dev", "--read-only", "--allow-writes"]) == 2


def test_cleanup_deletes_every_id_and_names_what_it_could_not() -> None:
    client = RecordingClient({"b": 404, "c": 500})
    (reviews,) = REVIEWS.collections
    undeletable = Collection(path="/notes", item_path="/notes/{n}", id_param="n")
    created = [(reviews, "a"), (reviews, "b"), (reviews, "c"), (undeletable, "d")]
    cleaned = cleanup.delete_all(client, created)
    assert client.deleted == ["a", "b", "c"]
    assert (cleaned.deleted, cleaned.gone) == (1, 1)
    assert cleaned.left == ["c", "/notes/d (no DELETE declared)"]


def test_an_interrupted_run_still_deletes_what_it_created(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = RecordingClient({})

    def interrupted_run(
        options: runner.RunOptions, settings: project.Project, state: RunState
    ) -> runner.RunResult:
        state.client = client  # type: ignore[assignment]
        state.observe("case-1", "POST /reviews", "POST", None, status=201, body={"id": "r1"})
        state.observe("case-2", "POST /reviews", "POST", None, status=201, body={"id": "r2"})
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run", interrupted_run)
    args = cli.build_parser().parse_args(["--base-url", "http://127.0.0.1:1/dev"])
    settings = dataclasses.replace(project.load(REPO), identities=())  # no tokens to obtain
    the_plan = cli.Plan(args, seed=1, headers=(), project=settings, model=REVIEWS)

    with pytest.raises(KeyboardInterrupt):
        cli.execute(the_plan, "http://127.0.0.1:1/dev")

    assert client.deleted == ["r1", "r2"]
    assert client.closed


def test_without_base_url_the_emulator_needs_a_serverless_yml(tmp_path: Path) -> None:
    args = argparse.Namespace(
        header=[], read_only=False, allow_writes=False, base_url=None, stack=None,
        config=tmp_path / "serverless.yml", seed=None, spec=REPO / "openapi.yaml",
        project=tmp_path,
    )  # fmt: skip
    with pytest.raises(cli.UsageError, match="no such file"):
        cli.plan(args)


def test_configured_headers_come_before_the_command_line_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "contracts.toml").write_text(
        f'spec = "{REPO / "openapi.yaml"}"\nheaders = ["x-api-key: ${{API_KEY}}"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("API_KEY", "from-env")
    args = cli.build_parser().parse_args([
        "--base-url", "http://127.0.0.1:1/dev", "--project", str(tmp_path),
        "--header", "x-trace: 1",
    ])  # fmt: skip
    assert cli.plan(args).headers == (("x-api-key", "from-env"), ("x-trace", "1"))
    monkeypatch.delenv("API_KEY")
    with pytest.raises(cli.UsageError, match=r"contracts.toml: headers: \$\{API_KEY\}"):
        cli.plan(cli.build_parser().parse_args(["--project", str(tmp_path)]))
