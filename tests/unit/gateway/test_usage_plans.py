"""Usage plans: what serverless.yml's usagePlan becomes (config/api_keys.py) and how the gateway
meters each key (gateway/usage.py): AWS's token bucket and quota periods."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.api_keys import ApiKeyConfig, UsagePlanConfig
from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig
from emulator.gateway.errors import Reply
from emulator.gateway.usage import UsageMeter, period_start

HEAD = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  apiGateway:\n"


def load(tmp_path: Path, api_gateway: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(api_gateway), "    ")
                    + "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    return load_service(path, env={})


def test_one_plan_holds_every_key(tmp_path: Path) -> None:
    service = load(tmp_path, """\
        apiKeys: [a, {name: b, value: bbbbbbbbbbbbbbbbbbbbbbbb}]
        usagePlan:
          quota: {limit: 5000, offset: 2, period: MONTH}
          throttle: {burstLimit: 200, rateLimit: 100}
        """)
    assert service.usage_plans == (UsagePlanConfig("default", 100, 200, 5000, "MONTH", 2),)
    assert [k.usage_plan for k in service.api_keys] == ["default", "default"]
    assert service.unsupported == ()  # enforced, no longer named as not emulated


def test_named_plans_hold_the_keys_grouped_under_their_names(tmp_path: Path) -> None:
    service = load(tmp_path, """\
        apiKeys:
          - free: [freeKey]
          - paid: [paidKey]
        usagePlan:
          - free: {throttle: {rateLimit: 1, burstLimit: 2}}
          - paid: {quota: {limit: 10, period: DAY}}
        """)
    assert {k.name: k.usage_plan for k in service.api_keys} == {"freeKey": "free",
                                                                  "paidKey": "paid"}
    assert service.usage_plan("free") == UsagePlanConfig("free", 1, 2)


@pytest.mark.parametrize(("api_gateway", "message"), [
    ("apiKeys:\n  - gold: [k]\nusagePlan:\n  - free: {}\n",
     r'apiKeys\[0\]\.gold: API key "gold" has no usage plan defined'),
    ("usagePlan: {throttle: {rateLimit: -1}}\n", r"rateLimit: must be a whole number"),
    ("usagePlan: {quota: {limit: 5, period: YEAR}}\n", r"period: must be DAY, WEEK or MONTH"),
])
def test_a_plan_the_deploy_would_refuse_is_a_config_error(tmp_path: Path, api_gateway: str,
                                                          message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, api_gateway)


class Clock:
    def __init__(self) -> None:
        self.t = 1_000.0

    def __call__(self) -> float:
        return self.t


KEY = ApiKeyConfig("k", "v" * 20, usage_plan="p")


def test_the_token_bucket_admits_a_burst_then_the_rate() -> None:
    clock = Clock()
    meter = UsageMeter(monotonic=clock, wall=clock)
    plan = UsagePlanConfig("p", rate=10, burst=5)
    assert [meter.admit(KEY, plan) for _ in range(6)] == [None] * 5 + [Reply.THROTTLED]
    clock.t += 0.1  # one token back
    assert meter.admit(KEY, plan) is None
    assert meter.admit(KEY, plan) is Reply.THROTTLED
    other = ApiKeyConfig("other", "w" * 20, usage_plan="p")
    assert meter.admit(other, plan) is None  # each key has its own bucket


def test_throttling_over_30_seconds_matches_the_token_bucket() -> None:
    # rate 10, burst 5, a client asking 100 times a second for 30 s: AWS's bucket admits
    # the burst plus rate x time = 5 + 10 x 30 = 305 requests.
    clock = Clock()
    meter = UsageMeter(monotonic=clock, wall=clock)
    plan = UsagePlanConfig("p", rate=10, burst=5)
    admitted = 0
    for _ in range(3000):
        admitted += meter.admit(KEY, plan) is None
        clock.t += 0.01
    assert admitted in (304, 305, 306)


def test_a_quota_counts_per_period_with_the_offset_in_the_first_only() -> None:
    clock = Clock()
    clock.t = 86_400 * 10 + 60  # a minute past midnight, UTC
    meter = UsageMeter(monotonic=clock, wall=clock)
    plan = UsagePlanConfig("p", quota_limit=3, quota_period="DAY", quota_offset=1)
    assert [meter.admit(KEY, plan) for _ in range(3)] == [None, None, Reply.QUOTA_EXCEEDED]
    clock.t += 86_400  # the next day: the whole limit
    assert [meter.admit(KEY, plan) for _ in range(4)] == [None] * 3 + [Reply.QUOTA_EXCEEDED]


@pytest.mark.parametrize(("period", "now", "start"), [
    ("DAY", 1_765_000_000.0, 1_764_979_200.0),  # 2025-12-06 05:46 UTC -> that midnight
    ("WEEK", 1_765_000_000.0, 1_764_547_200.0),  # -> Monday 2025-12-01
    ("MONTH", 1_765_000_000.0, 1_764_547_200.0),  # -> 2025-12-01
])
def test_quota_periods_start_at_utc_midnight_monday_and_the_first(period: str, now: float,
                                                                   start: float) -> None:
    assert period_start(period, now) == start
