"""One contestant, one scenario, a counted loop: run under callgrind by bench/instructions.

Wall-clock medians on a shared 2-core machine move with its load; instruction counts do
not. callgrind counts only inside functools.reduce (`--toggle-collect`), which nothing
else calls, so start-up and imports stay out of the figure.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from bare import make_bare_handler
from workload import SCENARIOS, LambdaContext, app, check

from bench import ADAPTERS, base64_text, floor_call

WARM_UP = 60


def call_for(contestant: str, key: str) -> Callable[[], object]:
    scenario = next(s for s in SCENARIOS if s.key == key)
    if contestant == "floor":
        return floor_call(scenario)
    if contestant == "base64":  # the part of (c) its target allows for
        return base64_text
    if contestant == "bare":  # the yardstick must answer correctly too
        errors, _ = check(scenario, make_bare_handler)
        assert not errors, errors
        handler = make_bare_handler(app)
    else:
        handler = ADAPTERS[contestant](app)
    event, context = scenario.make_event(), LambdaContext()
    return lambda: handler(event, context)


def main() -> None:
    contestant, key, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    call = call_for(contestant, key)
    # Specialised bytecode and filled memos, as in a warm Lambda.
    for _ in range(WARM_UP):
        call()
    functools.reduce(lambda _, __: call(), range(calls), None)


if __name__ == "__main__":
    main()
