"""The emulator keeps none of the shell's AWS credentials in its own environment."""

from __future__ import annotations

from emulator.aws.shell import credential_names


def test_credentials_and_what_leads_to_them_are_named() -> None:
    env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_SESSION_TOKEN": "c",
           "AWS_PROFILE": "work", "AWS_SHARED_CREDENTIALS_FILE": "/x",
           "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://x", "AWS_MY_API_KEY": "d",
           "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-central-1", "PATH": "/bin",
           "aws_secret_access_key": "e"}
    assert credential_names(env) == sorted([
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_MY_API_KEY",
        "aws_secret_access_key"])
