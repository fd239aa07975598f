"""cdk-wsgi against serverless-wsgi and apig-wsgi: per-request overhead and cold import.

Run through `bash bench/run` (it builds the pinned venv and sets PYTHONPATH). Prints a
Markdown table and writes it to bench/results.md. Always exits 0 unless the harness
itself breaks: wall-clock figures are informational; the performance contract is checked
in instructions, by `bench/instructions --check`.
"""

from __future__ import annotations

import argparse
import base64
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from bare import make_bare_handler
from workload import (
    PNG,
    SCENARIOS,
    Handler,
    LambdaContext,
    Scenario,
    WSGIApp,
    app,
    check,
)

HERE = Path(__file__).resolve().parent
OURS, SLS, APIG = "cdk-wsgi", "serverless-wsgi", "apig-wsgi"
PEERS = (SLS, APIG)
FLOOR = "floor"
B64 = "base64"
#: bench/bare.py, timed beside the contestants where it applies (payload 2.0): not an
#: adapter, the least one must do, so it shows how much of a request any adapter spends.
BARE = "bare minimum"
BARE_SCENARIOS = ("b", "c")


def _cdk_wsgi(wsgi_app: WSGIApp) -> Handler:
    import cdk_wsgi_adapter

    return cdk_wsgi_adapter.make_handler(wsgi_app)


def _serverless_wsgi(wsgi_app: WSGIApp) -> Handler:
    import serverless_wsgi

    return lambda event, context: serverless_wsgi.handle_request(
        wsgi_app, event, context
    )


def _apig_wsgi(wsgi_app: WSGIApp) -> Handler:
    import apig_wsgi

    return apig_wsgi.make_lambda_handler(wsgi_app, binary_support=True)


# Each adapter configured for binary responses: ours and serverless-wsgi decide per
# media type out of the box; apig-wsgi needs binary_support for payload 1.0 and ALB.
# Imported when used, so that bench/instructions starts only the contestant it counts.
ADAPTERS: dict[str, Callable[[WSGIApp], Handler]] = {
    OURS: _cdk_wsgi,
    SLS: _serverless_wsgi,
    APIG: _apig_wsgi,
}

# Fresh-process import statements; the floor imports nothing.
IMPORTS = {
    FLOOR: "",
    OURS: "import cdk_wsgi_adapter",
    SLS: "import serverless_wsgi",
    APIG: "import apig_wsgi",
}


def base64_text() -> str:
    """What every adapter must make of the PNG: b64encode gives bytes, and the str the
    JSON response needs costs another pass over 136 KiB (~8 % of the encoding)."""
    return base64.b64encode(PNG).decode("ascii")


def run_mean_ns(call: Callable[[], object], n: int) -> float:
    """Mean ns per call over n calls, with the collector off so that a collection
    triggered by one contestant's garbage is not billed to the next one."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        for _ in range(n):
            call()
        return (time.perf_counter_ns() - start) / n
    finally:
        gc.enable()


def calibrate(call: Callable[[], object], run_seconds: float) -> int:
    """Calls per timed run so that one run lasts about run_seconds."""
    for _ in range(20):  # warm caches and specialising interpreter paths first
        call()
    per_call = run_mean_ns(call, 50) / 1e9
    return max(20, int(run_seconds / per_call))


def floor_call(scenario: Scenario) -> Callable[[], object]:
    """The app called directly with a prebuilt environ, its iterable consumed."""
    environ = scenario.floor_environ()
    body = environ["wsgi.input"]

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        pass

    def call() -> object:
        body.seek(0)  # the POST scenario reads the body: rewind, do not rebuild
        result = app(environ, start_response)
        chunks = list(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return chunks

    return call


def adapter_call(handler: Handler, scenario: Scenario) -> Callable[[], object]:
    event = scenario.make_event()  # each contestant gets its own copy of the event
    context = LambdaContext()
    return lambda: handler(event, context)


def measure(
    calls: dict[str, Callable[[], object]], rounds: int, run_seconds: float
) -> dict[str, list[float]]:
    """Per-run mean ns of every contestant; contestants take turns within each round
    (rotating who goes first) so that machine noise hits them alike."""
    sizes = {name: calibrate(call, run_seconds) for name, call in calls.items()}
    names = list(calls)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            samples[name].append(run_mean_ns(calls[name], sizes[name]))
    return samples


def measure_imports(rounds: int) -> dict[str, list[float]]:
    """Wall time of fresh interpreters that import one adapter, interleaved."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDK_WSGI_")}
    commands = {
        name: [sys.executable, "-c", stmt or "pass"] for name, stmt in IMPORTS.items()
    }
    for command in commands.values():  # compiles and caches the bytecode once
        subprocess.run(command, env=env, check=True)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter_ns()
            subprocess.run(commands[name], env=env, check=True)
            samples[name].append(time.perf_counter_ns() - start)
    return samples


def in_process_import_ns(statement: str) -> int:
    """The import statement alone, timed inside a fresh interpreter (a cross-check of
    the wall-clock difference, free of process start-up noise)."""
    code = (
        "import time\nt = time.perf_counter_ns()\n"
        f"{statement}\nprint(time.perf_counter_ns() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return int(out.stdout)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> float:
    """Interquartile range as a percentage of the median: how noisy the runs were."""
    q = statistics.quantiles(values, n=4)
    return 100 * (q[2] - q[0]) / median(values)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> int:
    handlers = {name: adapt(app) for name, adapt in ADAPTERS.items()}
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=25, help="timed runs per contestant"
    )
    parser.add_argument(
        "--run-ms", type=float, default=80, help="length of one timed run"
    )
    parser.add_argument(
        "--import-rounds", type=int, default=21, help="fresh processes each"
    )
    args = parser.parse_args()
    run_seconds = args.run_ms / 1000

    rows: list[str] = []
    raw_rows: list[str] = []
    notes: list[str] = []
    for scenario in SCENARIOS:
        calls: dict[str, Callable[[], object]] = {FLOOR: floor_call(scenario)}
        wrong: dict[str, str] = {}
        for name, handler in handlers.items():
            errors, remarks = check(scenario, ADAPTERS[name])
            notes += [f"{scenario.title}, {name}: {remark}" for remark in remarks]
            if errors:
                wrong[name] = "; ".join(errors)
                notes.append(
                    f"{scenario.title}, {name}: WRONG ANSWER, not timed: {wrong[name]}"
                )
            else:
                calls[name] = adapter_call(handler, scenario)
        if scenario.key in BARE_SCENARIOS:
            errors, _ = check(scenario, make_bare_handler)
            assert not errors, ("the bare yardstick answers wrongly", errors)
            calls[BARE] = adapter_call(make_bare_handler(app), scenario)
        if scenario.key == "c":
            # The unavoidable part of a binary response, left out of (c)'s ratio: the
            # body as base64 text, since a Lambda response is JSON.
            calls[B64] = base64_text
        print(f"timing {scenario.title} ...", file=sys.stderr, flush=True)
        samples = measure(calls, args.rounds, run_seconds)
        # Proves the timed loops left the adapters answering correctly.
        for name in handlers.keys() - wrong.keys():
            errors, _ = check(scenario, ADAPTERS[name])
            assert not errors, (scenario.title, name, errors)

        floor = median(samples[FLOOR])
        over = {
            name: (median(samples[name]) - floor) / 1000
            for name in calls
            if name in handlers or name == BARE
        }
        if B64 in samples:  # a cost of its own, not an overhead over the app
            over[B64] = median(samples[B64]) / 1000
        raw_rows.append(
            f"| {scenario.title} | "
            + " | ".join(
                f"{median(samples[n]) / 1000:.1f} (±{spread(samples[n]) / 2:.1f}%)"
                if n in samples
                else "wrong"
                for n in (FLOOR, OURS, SLS, APIG)
            )
            + (
                f" | {median(samples[BARE]) / 1000:.1f} "
                f"(±{spread(samples[BARE]) / 2:.1f}%)"
                if BARE in samples
                else " | –"
            )
            + " |"
        )
        rows.append(scenario_row(scenario, over, wrong))

    print("timing cold imports ...", file=sys.stderr, flush=True)
    imports = measure_imports(args.import_rounds)
    start = median(imports[FLOOR])
    import_ms = {n: (median(s) - start) / 1e6 for n, s in imports.items() if n != FLOOR}
    in_process = {
        n: median([in_process_import_ns(IMPORTS[n]) for _ in range(5)]) / 1e6
        for n in (OURS, *PEERS)
    }
    fastest = min(import_ms[p] for p in PEERS)
    rows.append(
        f"| cold import (ms) | {import_ms[OURS]:.1f} | {import_ms[SLS]:.1f} | "
        f"{import_ms[APIG]:.1f} | {import_ms[OURS] / fastest:.2f} | – |"
    )

    report = render(rows, raw_rows, notes, start / 1e6, in_process)
    print(report)
    (HERE / "results.md").write_text(report)
    print("written to bench/results.md", file=sys.stderr)
    return 0


def scenario_row(
    scenario: Scenario, over: dict[str, float], wrong: dict[str, str]
) -> str:
    peers = {p: over[p] for p in PEERS if p in over}
    cells = [
        "wrong answer" if name in wrong else f"{over[name]:.1f}"
        for name in (OURS, SLS, APIG)
    ]
    bare = f"{over[BARE]:.1f}" if BARE in over else "–"
    if OURS in wrong or not peers:
        return f"| {scenario.title} (µs) | " + " | ".join(cells) + f" | – | {bare} |"
    # (c) compares what each adapter adds beyond the base64 text all of them must make.
    b64 = over[B64] if scenario.key == "c" else 0.0
    ratio = (over[OURS] - b64) / (min(peers.values()) - b64)
    return (
        f"| {scenario.title} (µs) | " + " | ".join(cells) + f" | {ratio:.2f} | {bare} |"
    )


def render(
    rows: list[str],
    raw_rows: list[str],
    notes: list[str],
    start_ms: float,
    in_process: dict[str, float],
) -> str:
    header = (
        f"| overhead over the floor | {OURS} | {SLS} | {APIG} | ours / fastest peer "
        f"| {BARE} (bench/bare.py) |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    lines = [
        header,
        *rows,
        "",
        "Per-request medians in µs (± half the interquartile range of the runs):",
        "",
        f"| scenario | floor (app alone) | {OURS} | {SLS} | {APIG} | {BARE} |",
        "|---|---:|---:|---:|---:|---:|",
        *raw_rows,
        "",
        f"Bare interpreter start (the import floor): {start_ms:.1f} ms. "
        "Import statement alone, timed inside a fresh process: "
        + ", ".join(f"{n} {ms:.1f} ms" for n, ms in in_process.items())
        + ".",
        "",
        (
            f"Python {platform.python_version()} ({platform.python_implementation()}), "
            f"{SLS} {version('serverless-wsgi')} (Werkzeug {version('werkzeug')}), "
            f"{APIG} {version('apig-wsgi')}; {os.cpu_count()} cores, {cpu_model()}, "
            f"{platform.system()} {platform.machine()}."
        ),
    ]
    if notes:
        lines += ["", "Behaviour differences seen while checking the answers:", ""]
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
