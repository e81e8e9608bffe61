"""The gateway's cost of request validation on the reviews POST: the validator's check of a
typical body against the review model (draft 4), next to the same request unvalidated, in one
run. Prints p50/p95 in microseconds; no threshold is asserted (speed is measured, not tested).

    python bench/bench_validation.py
"""

from __future__ import annotations

import json
import statistics
import time

from emulator.config.request_validation import RequestValidation
from emulator.gateway.http import HttpRequest
from emulator.gateway.validation import check

# The reviews API's input model (openapi.yaml ReviewInput, references inlined, as a
# request.schemas model would hold it).
REVIEW_INPUT = {
    "type": "object", "additionalProperties": False, "required": ["review"],
    "properties": {
        "review": {"type": "string", "minLength": 1, "maxLength": 5000,
                   "pattern": "[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
                              "\u205f\u3000\ufeff]"},
    },
}
ROUNDS = 20_000


def _timings(validation: RequestValidation | None, request: HttpRequest) -> list[float]:
    out = []
    for _ in range(ROUNDS):
        started = time.perf_counter_ns()
        if validation is not None:
            check(request, {}, validation)
        out.append((time.perf_counter_ns() - started) / 1000)
    return out


def main() -> None:
    body = json.dumps({"review": "Great food, friendly staff. " * 8}).encode()
    request = HttpRequest("POST", "/dev/reviews", (), (("Content-Type", "application/json"),),
                          body)
    validation = RequestValidation((), (("application/json", json.dumps(REVIEW_INPUT)),))
    check(request, {}, validation)  # compile once, as the first request does
    off, on = _timings(None, request), _timings(validation, request)
    for label, values in (("validation off", off), ("validation on", on)):
        q = statistics.quantiles(values, n=100)
        print(f"{label:15} p50 {q[49]:7.1f} µs  p95 {q[94]:7.1f} µs  ({ROUNDS} requests)")
    print(f"cost of validation, p50: {statistics.median(on) - statistics.median(off):.1f} µs "
          "(target: under 200 µs)")


if __name__ == "__main__":
    main()
