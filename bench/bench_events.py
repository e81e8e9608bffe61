"""Event sources: stream record / S3 put -> handler start, and the idle CPU of the runners.

Starts the real emulator on the streams fixture, writes N items straight to its DynamoDB (the
endpoint its banner names) with the write time in each, and reads the audit handler's printed
start time: latency = handler start - write. The floor, measured in the same run, is one
PutItem round trip. Then starts a service with five sources (two streams, two schedules, one
sqs queue) and samples the CPU time of the emulator and its moto process over an idle period.
Prints numbers; asserts nothing.

    python bench/bench_events.py [--writes 1000] [--idle-seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[1]
STREAMS = REPO / "tests" / "fixtures" / "services" / "streams" / "serverless.yml"
UPLOADS = REPO / "tests" / "fixtures" / "services" / "uploads" / "serverless.yml"
FIVE = """\
service: five
provider: {name: aws, runtime: python3.12, stage: dev, region: us-east-1}
functions:
  a: {handler: handlers.audit, events: [{stream: !GetAtt One.StreamArn}]}
  b: {handler: handlers.audit, events: [{stream: !GetAtt Two.StreamArn}]}
  c: {handler: handlers.audit, events: [{schedule: rate(1 day)}]}
  d: {handler: handlers.audit, events: [{schedule: 'cron(0 3 * * ? *)'}]}
  e: {handler: handlers.audit, events: [{sqs: {arn: !GetAtt Jobs.Arn}}]}
resources:
  Resources:
    Jobs: {Type: AWS::SQS::Queue}
"""
TABLE = """\
    {name}:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
        KeySchema: [{{AttributeName: id, KeyType: HASH}}]
        StreamSpecification: {{StreamViewType: NEW_IMAGE}}
"""


class Emulator:
    def __init__(self, config: Path, state: Path) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "emulator", "--config", str(config), "--port", "0",
             "--no-reload", "--state-dir", str(state)],
            cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "ITEMS_TABLE": "x", "POISON_TABLE": "y"})
        threading.Thread(target=self._pump, daemon=True).start()
        if not self.wait(r"^Ready: ", 180):
            self.proc.kill()
            raise SystemExit("the emulator did not start:\n" + "\n".join(self.lines[-20:]))

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait(self, pattern: str, timeout: float, count: int = 1) -> list[str]:
        regex = re.compile(pattern)
        with self.changed:
            self.changed.wait_for(lambda: sum(bool(regex.search(x)) for x in self.lines)
                                  >= count, timeout)
            return [x for x in self.lines if regex.search(x)]

    def endpoint(self) -> str:
        return next(x.split()[1] for x in self.lines if x.startswith("DynamoDB: "))

    def stop(self) -> None:
        self.proc.send_signal(2)
        self.proc.wait(30)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def stream_latency(writes: int, state: Path) -> None:
    emulator = Emulator(STREAMS, state)
    try:
        client = boto3.client("dynamodb", endpoint_url=emulator.endpoint(),
                              region_name="us-east-1", aws_access_key_id="bench",
                              aws_secret_access_key="x")
        client.put_item(TableName="streams-items", Item={"id": {"S": "warm"},
                                                          "value": {"N": str(time.time())}})
        emulator.wait(r"AUDIT ", 60)  # the audit function is warm now
        floor = []
        for i in range(writes):
            began = time.time()
            client.put_item(TableName="streams-items", Item={
                "id": {"S": f"k{i}"}, "value": {"N": repr(began)}})
            floor.append((time.time() - began) * 1000)
        lines = emulator.wait(r"AUDIT ", 120, count=writes + 1)
    finally:
        emulator.stop()
    latencies = []
    for line in lines:
        record = json.loads(line.split("AUDIT ", 1)[1])
        if record["keys"]["id"]["S"] != "warm":
            latencies.append((record["started"] - float(record["new"]["value"]["N"])) * 1000)
    print(f"stream record -> handler start, {len(latencies)} of {writes} writes: "
          f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms "
          f"(floor: PutItem p50 {percentile(floor, 50):.1f} ms)")


def s3_latency(puts: int, state: Path) -> None:
    """S3 put (straight to the local endpoint) -> the onUpload handler's start."""
    emulator = Emulator(UPLOADS, state)
    try:
        client = boto3.client("s3", endpoint_url=emulator.endpoint(), region_name="us-east-1",
                              aws_access_key_id="bench", aws_secret_access_key="x")
        client.put_object(Bucket="uploads-dev-incoming", Key="incoming/warm.txt", Body=b"x")
        emulator.wait(r"S3EVENT ", 60)
        floor = []
        for n in range(puts):  # one at a time: the latency of a put, not of a backlog
            began = time.time()
            client.put_object(Bucket="uploads-dev-incoming", Key=f"incoming/{began!r}.txt",
                              Body=b"x")
            floor.append((time.time() - began) * 1000)
            lines = emulator.wait(r"S3EVENT ", 30, count=n + 2)
    finally:
        emulator.stop()
    latencies = []
    for line in lines:
        shown = json.loads(line.split("S3EVENT ", 1)[1])
        key = shown["event"]["Records"][0]["s3"]["object"]["key"]
        if "warm" not in key:
            written = float(key.split("/", 1)[1].rsplit(".", 1)[0])
            latencies.append((shown["started"] - written) * 1000)
    print(f"S3 put -> handler start, {len(latencies)} of {puts} puts: "
          f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms "
          f"(floor: PutObject p50 {percentile(floor, 50):.1f} ms)")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children that are alive."""
    total = 0.0
    for task in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in path.read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def idle_cpu(seconds: float, state: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="five-"))
    (folder / "serverless.yml").write_text(
        FIVE + TABLE.format(name="One") + TABLE.format(name="Two"), encoding="utf-8")
    (folder / "handlers.py").write_text("def audit(event, context):\n    return None\n",
                                        encoding="utf-8")
    emulator = Emulator(folder / "serverless.yml", state)
    try:
        time.sleep(5)  # start-up work settles
        before = cpu_seconds(emulator.proc.pid)
        time.sleep(seconds)
        used = cpu_seconds(emulator.proc.pid) - before
    finally:
        emulator.stop()
    sources = [x for x in emulator.lines if x.startswith(("stream ", "schedule ", "sqs "))]
    print(f"idle CPU with {len(sources)} sources (emulator + moto): "
          f"{used / seconds * 100:.2f} % of a core over {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--puts", type=int, default=100)
    parser.add_argument("--idle-seconds", type=float, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        stream_latency(args.writes, Path(state) / "a")
        s3_latency(args.puts, Path(state) / "c")
        idle_cpu(args.idle_seconds, Path(state) / "b")


if __name__ == "__main__":
    main()
