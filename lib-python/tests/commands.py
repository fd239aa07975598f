"""Management command events sent through make_handler, or through
`cdk_wsgi_adapter.handler` in a fresh function, and their answers read."""

from __future__ import annotations

import json
import os
import re
import signal
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdk_wsgi_adapter import make_handler
from conftest import TESTS, Invoked, exploding_app, fresh_python

if TYPE_CHECKING:
    from cdk_wsgi_adapter.compat import WSGIApplication


def ShortContext() -> Invoked:
    """Through the manage alias, with 1.5 s left: commands get 0.5 s."""
    return Invoked("manage", remaining_millis=1500)


def command(
    kind: str,
    *,
    app: WSGIApplication = exploding_app,
    context: Any = None,
    **fields: Any,
) -> dict[str, Any]:
    """Send a management command event through make_handler around `app`, invoked
    through the manage alias unless `context` says otherwise."""
    event = {"source": "cdk-wsgi.command", "kind": kind, **fields}
    answer: dict[str, Any] = make_handler(app)(event, context or Invoked("manage"))
    return answer


def python(code: str, **options: Any) -> dict[str, Any]:
    return command("python", code=textwrap.dedent(code), **options)


def shell(script: str, **options: Any) -> dict[str, Any]:
    return command("shell", command=script, **options)


def text_of(answer: dict[str, Any], stream: str) -> str:
    return "".join(text for name, text in answer["output"] if name == stream)


STOPPED = re.compile(
    r"\ncdk-wsgi: stopped the command after \d+\.\d s, "
    r"as the function was about to time out\n"
)


def assert_stopped(answer: dict[str, Any], before: list[list[str]]) -> None:
    """`answer` is a command stopped at its deadline, after writing `before`."""
    assert answer["exitCode"] == 124
    assert answer["truncated"] is False
    *output, [stream, last] = answer["output"]
    assert stream == "stderr"
    note = STOPPED.search(last)
    assert note is not None and note.end() == len(last)
    # The note joins a stderr chunk written just before it.
    if note.start():
        output.append(["stderr", last[: note.start()]])
    assert output == before
    # SIGALRM and the timer are as they were before the command.
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# The function's init and its invocations, as Lambda runs them: a fresh process per
# execution environment, the app named by CDK_WSGI_APP, one event per argument.
INVOKE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(1, sys.argv[1])
    before = set(sys.modules)
    import cdk_wsgi_adapter
    handler = cdk_wsgi_adapter.handler  # looked up at init, as Lambda's runtime does

    class Context:  # invoked through the manage alias
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f:manage"

        def get_remaining_time_in_millis(self):
            return 120_000

    answers = [handler(event, Context()) for event in json.load(sys.stdin)]
    json.dump({"answers": answers, "loaded": sorted(set(sys.modules) - before)}, sys.stdout)
    """
)


def invoke(
    events: list[dict[str, Any]], *, app: str, root: Path, **env: str
) -> dict[str, Any]:
    """Send `events` through `cdk_wsgi_adapter.handler` in a fresh process whose task
    root (working directory, first on sys.path) is `root`."""
    environ = {**env, "CDK_WSGI_APP": app, "LAMBDA_TASK_ROOT": str(root)}
    environ["PYTHONPATH"] = os.pathsep.join([str(root), str(TESTS)])
    proc = fresh_python(
        INVOKE, env=environ, input=json.dumps(events), cwd=root, timeout=120
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result
