"""One contestant, one scenario, a counted loop (or one import): run under callgrind by bench/instructions.

Wall-clock medians on a shared 2-core machine move with its load; instruction counts do
not. bench/instructions counts the whole process twice, with `calls` and twice as many:
the difference is what `calls` calls cost, start-up and imports left out.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

WARM_UP = 60


def call_for(contestant: str, key: str) -> Callable[[], object]:
    # Imported here, so that `import` counts start from a bare interpreter.
    from bare import make_bare_handler
    from bench import ADAPTERS, base64_text, floor_call
    from workload import SCENARIOS, LambdaContext, app, check

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
    if contestant == "import":  # `import <key>` (calls 2) against none (calls 1)
        if calls > 1:
            importlib.import_module(key)
        return
    call = call_for(contestant, key)
    # Specialised bytecode, as in a warm Lambda.
    for _ in range(WARM_UP):
        call()
    for _ in range(calls):
        call()


if __name__ == "__main__":
    main()
