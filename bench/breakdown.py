"""Where cdk-wsgi's per-request time goes: each stage of its handler, timed alone.

Diagnostic only (it reaches into the adapter's internal modules, which may change):
    PYTHONPATH=lib-python/src bench/.venv/bin/python bench/breakdown.py
Prints median µs per stage and scenario. Each stage is timed on its own, so the stages
add up to somewhat less than the whole handler (allocation and cache effects).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

from cdk_wsgi_adapter import make_handler
from cdk_wsgi_adapter.body import encode_response_body
from cdk_wsgi_adapter.config import Options
from cdk_wsgi_adapter.runner import run_app
from cdk_wsgi_adapter.size import oversize
from cdk_wsgi_adapter.sources import detect
from workload import SCENARIOS, LambdaContext, Scenario, app

ROUNDS, CALLS = 15, 2000


def median_us(call: Callable[[], object]) -> float:
    """Median over ROUNDS runs of the mean µs per call, collector off."""
    for _ in range(200):
        call()
    runs = []
    for _ in range(ROUNDS):
        gc.collect()
        gc.disable()
        start = time.perf_counter_ns()
        for _ in range(CALLS):
            call()
        runs.append((time.perf_counter_ns() - start) / CALLS / 1000)
        gc.enable()
    return statistics.median(runs)


STAGES = (
    "detect",
    "to_environ",
    "run_app",
    "to_response",
    "(of which encode_body)",
    "size guard",
    "whole handler",
)


def stage_timings(scenario: Scenario) -> list[float]:
    """Median µs of each stage of one request of `scenario`, then the whole handler."""
    options = Options()
    context = LambdaContext()
    event = scenario.make_event()
    source = detect(event)
    assert source is not None, scenario.title
    environ = source.to_environ(event, context, options)
    response = run_app(app, environ)
    result = source.to_response(event, response, options)
    handler = make_handler(app)

    def app_again() -> object:
        environ["wsgi.input"].seek(0)  # the POST body must be readable again
        return run_app(app, environ)

    return [
        median_us(lambda: detect(event)),
        median_us(lambda: source.to_environ(event, context, options)),
        median_us(app_again),
        median_us(lambda: source.to_response(event, response, options)),
        median_us(lambda: encode_response_body(response, options)),
        median_us(lambda: oversize(response, result, source.RESPONSE_LIMIT)),
        median_us(lambda: handler(event, context)),
    ]


def main() -> None:
    print("| scenario (µs) | " + " | ".join(STAGES) + " |")
    print("|---|" + "---:|" * len(STAGES))
    for scenario in SCENARIOS:
        cells = " | ".join(f"{t:.1f}" for t in stage_timings(scenario))
        print(f"| {scenario.title} | {cells} |")


if __name__ == "__main__":
    main()
