"""Why scenario (c)'s wall clock does not follow its instruction count: a diagnostic.

The 100 KiB PNG's base64 text dominates (c). Next to it, a few hundred instructions of
unrelated Python can cost microseconds: in this run a 3-entry dict comprehension after
the encoding costs several times what it costs alone, while a dict literal of the same
size costs nothing. (c)'s times therefore move with incidental details of an adapter's
code, not only with the work it does.

    PYTHONPATH=bench bench/.venv/bin/python bench/encode_interaction.py

Prints the median µs per call of each variant, run in shuffled order, collector off.
"""

from __future__ import annotations

import base64
import gc
import random
import statistics
import time
from collections.abc import Callable

from workload import PNG

ROUNDS, CALLS = 40, 500
GROUPS = {"Content-Type": ["image/png"], "Cache-Control": ["no-store"], "ETag": ['"1"']}


def comprehension() -> dict[str, str]:
    return {name: ", ".join(values) for name, values in GROUPS.items()}


def literal() -> dict[str, str]:
    return {"Content-Type": "image/png", "Cache-Control": "no-store", "ETag": '"1"'}


def text() -> str:
    return base64.b64encode(PNG).decode("ascii")


VARIANTS: dict[str, Callable[[], object]] = {
    "comprehension alone": comprehension,
    "base64 text alone": text,
    "base64 text + dict literal": lambda: (text(), literal()),
    "base64 text + dict comprehension": lambda: (text(), comprehension()),
}


def main() -> None:
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    gc.disable()
    for _ in range(ROUNDS):
        order = list(VARIANTS.items())
        random.shuffle(order)
        for name, call in order:
            start = time.perf_counter_ns()
            for _ in range(CALLS):
                call()
            samples[name].append((time.perf_counter_ns() - start) / CALLS / 1000)
    gc.enable()
    for name, values in samples.items():
        print(f"{name:34} {statistics.median(values):7.2f} µs")


if __name__ == "__main__":
    main()
