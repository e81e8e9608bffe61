"""A v1/v2-style project starts as it is: variables, fragments, values file, offline settings."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.integration.emulator_harness import REPO, EmulatorProcess

LEGACY = REPO / "tests" / "fixtures" / "services" / "legacy"


def copy_legacy(tmp_path: Path, values: str | None) -> Path:
    project = tmp_path / "legacy"
    shutil.copytree(LEGACY, project)
    if values is not None:
        (project / ".emulator").mkdir()
        (project / ".emulator" / "values.yml").write_text(values, encoding="utf-8")
    return project / "serverless.yml"


def test_a_legacy_project_serves_with_its_variables_resolved(tmp_path: Path) -> None:
    config = copy_legacy(tmp_path, "ssm:\n  /legacy/dev/secret: from-values-file\n")
    emu = EmulatorProcess(config, "--in-memory", "--no-reload", "--param", "table=cli-table",
                          env={"LEGACY_DEBUG": "1"}).start()
    try:
        assert emu.base_url.endswith("/api")  # prefix, and noPrependStageInUrl
        reply = emu.request("GET", "/hello")
        assert reply.status == 200
        assert reply.json() == {"STAGE": "dev", "REGION": "us-east-1", "TABLE": "cli-table",
                                "SECRET": "from-values-file", "DEBUG": "true"}
        assert emu.request("GET", "/other/7").status == 200
        assert emu.request("GET", "/dev/hello").status == 403
        emu.wait_for(r"no route for GET /api/dev/hello: did you mean GET /api/hello")
        log = emu.log
        assert "frameworkVersion '>=1.0.0 <3.0.0' is not 3" in log
        assert "provider.region is not set: 'us-east-1'" in log
        assert "is v1/v2 syntax" in log
        assert "custom.serverless-offline honoured: noPrependStageInUrl, prefix=api" in log
    finally:
        emu.stop()


def test_a_missing_remote_value_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = copy_legacy(tmp_path, None)
    done = subprocess.run([sys.executable, "-m", "emulator", "--config", str(config)],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {config}:14: provider.environment.SECRET: cannot "
                               "resolve ${ssm:/legacy/${sls:stage}/secret}")
    assert "put the value in .emulator/values.yml as `ssm: {'/legacy/dev/secret': <value>}`" \
        in lines[0]
