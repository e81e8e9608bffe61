"""The API contract suite: openapi.yaml checked against the emulator or a deployed stage.

`python -m contracts --help`; see contracts.cli. Built on schemathesis 4 (contracts.runner)
with checks of our own (contracts.checks), a drift check between serverless.yml and
openapi.yaml (contracts.drift), and cleanup of every review a run creates.
"""
