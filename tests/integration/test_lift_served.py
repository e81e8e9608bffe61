"""serverless-lift constructs served by the real emulator process.

The fixture's role has no statement of its own: the handler reaches its single table (found
through ${construct:db.tableName}) only because the permissions lift adds are added.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from emulator.config.lift_constructs import logical_id
from tests.integration.emulator_harness import REPO, EmulatorProcess

LIFT = REPO / "tests" / "fixtures" / "services" / "lift"
SQS_WORKER = REPO / "tests" / "realworld" / "aws-python-sqs-worker"


def test_a_single_table_construct_is_written_and_read_through_its_variables() -> None:
    emu = EmulatorProcess(LIFT / "serverless.yml", "--in-memory", "--no-reload").start()
    try:
        assert emu.request("PUT", "/items/7", body="hello").status == 204
        reply = emu.request("GET", "/items/7")
        assert reply.status == 200, emu.log
        table = f"lift-db-dev-{logical_id('db', 'Table')}"
        assert reply.json() == {
            "body": "hello", "listed": ["7"], "table": table,  # the GSI query: index/* too
            "arn": f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}"}
        assert "not emulated" not in emu.log
    finally:
        emu.stop()


def test_without_lifts_permissions_the_same_write_is_denied(tmp_path: Path) -> None:
    project = tmp_path / "lift"
    shutil.copytree(LIFT, project, ignore=shutil.ignore_patterns(".emulator"))
    config = project / "serverless.yml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\nlift:\n  automaticPermissions: false\n", encoding="utf-8")
    emu = EmulatorProcess(config, "--in-memory", "--no-reload").start()
    try:
        assert emu.request("PUT", "/items/7", body="hello").status == 502
        emu.wait_for(r"AccessDeniedException")
    finally:
        emu.stop()


def test_the_sqs_worker_project_produces_and_its_worker_consumes(tmp_path: Path) -> None:
    project = tmp_path / "aws-python-sqs-worker"
    shutil.copytree(SQS_WORKER, project, ignore=shutil.ignore_patterns(".emulator"))
    emu = EmulatorProcess(project / "serverless.yml", "--in-memory", "--no-reload").start()
    try:
        reply = emu.request("POST", "/produce", body='{"message": "hi"}')
        assert reply.status == 200, emu.log
        emu.wait_for(r'Message body: \{"message": "hi"\}', timeout=30)  # the worker's log
    finally:
        emu.stop()
